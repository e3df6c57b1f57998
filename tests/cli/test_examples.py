"""The example configs in examples/, end to end: the real CLI against the local endpoint.

Each example reproduces one seed scenario. One test per example walks its whole life,
sharing the work between the steps (every CLI call costs about a second):

0. ``--dry-run`` plans exactly what the apply will then do, and writes nothing;
1. the apply creates what the example says, checked field by field with boto3
   (the expectations are spelled out per example in tests/helpers/examples.py, from the
   seeds, not from the tool's report);
2. a second apply changes nothing;
3. one field edited in a copy of the file updates exactly that resource, in place,
   and nothing else in the account moves;
4. ``cleanup --yes`` removes everything the example made, its service role too,
   and leaves the account empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.account import account_diff, read_account
from tests.helpers.cli import (
    DEFAULT_WINDOWS,
    JSON,
    SEED002_HOOKS,
    cleanup,
    make_documents,
    setup,
    target_json,
)
from tests.helpers.examples import (
    SEED004_OSES,
    Account,
    Report,
    assert_account_empty,
    expect_seed000,
    expect_seed002,
    expect_seed003,
    expect_seed004,
)
from tests.helpers.paths import EXAMPLES

# -- the one-field edit of step 3 -------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """Change one line under one TOML table header (or insert one after it)."""

    section: str
    old: str | None
    new: str
    # The resource that must be the only update, and its report entry's one change.
    kind: str
    window: str | None
    name: str
    field: str
    check_change: Callable[[Any, Any], None]
    # The only leaf values of the account that may change: path -> (old, new).
    account_changes: dict[str, tuple[Any, Any]]

    def apply(self, text: str) -> str:
        lines = text.splitlines(keepends=True)
        headers = [i for i, line in enumerate(lines) if line.strip() == self.section]
        assert len(headers) == 1, f"{self.section} appears {len(headers)} times"
        start = headers[0] + 1
        if self.old is None:
            lines.insert(start, self.new + "\n")
        else:
            end = next((i for i in range(start, len(lines)) if lines[i].startswith("[")), None)
            hits = [i for i in range(start, end or len(lines)) if lines[i].strip() == self.old]
            assert len(hits) == 1, f"{self.old!r} under {self.section}: {len(hits)} lines"
            lines[hits[0]] = self.new + "\n"
        return "".join(lines)


def equals(old: Any, new: Any) -> Callable[[Any, Any], None]:
    def check(was: Any, now: Any) -> None:
        assert (was, now) == (old, new)

    return check


def approve_after_days(old: int, new: int) -> Callable[[Any, Any], None]:
    """A baseline's ApprovalRules change: every rule's delay went from old to new."""

    def check(was: Any, now: Any) -> None:
        assert {r["ApproveAfterDays"] for r in was["PatchRules"]} == {old}
        assert {r["ApproveAfterDays"] for r in now["PatchRules"]} == {new}
        strip = [{k: v for k, v in r.items() if k != "ApproveAfterDays"} for r in was["PatchRules"]]
        assert strip == [
            {k: v for k, v in r.items() if k != "ApproveAfterDays"} for r in now["PatchRules"]
        ]

    return check


@dataclass(frozen=True)
class Example:
    file: str
    setup_name: str
    creates: int
    expect: Callable[[Account, Report], None]
    edit: Edit
    # (kind, name) of the windows, baselines and roles cleanup must report deleting.
    owned: frozenset[tuple[str, str]]


def _owned(kind: str, names: Iterable[str]) -> set[tuple[str, str]]:
    return {(kind, n) for n in names}


EXAMPLE_LIST = [
    Example(
        "seed003-defaults.toml",
        "default",
        # 8 windows, 8 targets, 8 tasks, 1 baseline, 8 patch groups.
        33,
        expect_seed003,
        Edit(
            "[windows.Week1Day2Unattended0300]",
            None,
            "duration = 2",
            "window",
            None,
            "Week1Day2Unattended0300",
            "Duration",
            equals(1, 2),
            {"windows/Week1Day2Unattended0300/Duration": (1, 2)},
        ),
        frozenset(
            _owned("window", DEFAULT_WINDOWS)
            | {("baseline", "ssm-patching-setup-default-amazon-linux-2")}
        ),
    ),
    Example(
        "seed002-webserver-hooks.toml",
        "webserver",
        # role, baseline, patch group, window, target, task.
        6,
        expect_seed002,
        Edit(
            "[[windows.Patch-WebServer-Prd.tasks]]",
            'max_errors = "1"',
            'max_errors = "0"',
            "task",
            "Patch-WebServer-Prd",
            "PatchWebServerPrd",
            "MaxErrors",
            equals("1", "0"),
            {"windows/Patch-WebServer-Prd/Tasks/PatchWebServerPrd/MaxErrors": ("1", "0")},
        ),
        frozenset(
            {
                ("window", "Patch-WebServer-Prd"),
                ("baseline", "AmazonLinux2AllPatchesBaseline"),
                ("role", "maintenance-window-role"),
            }
        ),
    ),
    Example(
        "seed004-test-prod-batches.toml",
        "test-prod-batches",
        # 12 baselines, 24 patch groups, 2 windows with 2 targets and 2 tasks each.
        46,
        expect_seed004,
        Edit(
            "[baselines.rhel-prod]",
            "approve_after_days = 14",
            "approve_after_days = 21",
            "baseline",
            None,
            "rhel-prod",
            "ApprovalRules",
            approve_after_days(14, 21),
            {
                "baselines/rhel-prod/ApprovalRules/PatchRules/0/ApproveAfterDays": (14, 21),
                "baselines/rhel-prod/ApprovalRules/PatchRules/1/ApproveAfterDays": (14, 21),
            },
        ),
        frozenset(
            _owned("window", ["patch_test_0600", "patch_prod_0600"])
            | _owned(
                "baseline",
                [f"{p}-{s}" for p in SEED004_OSES.values() for s in ("test", "prod")],
            )
        ),
    ),
    Example(
        "seed000-terraform.toml",
        "terraform",
        # role, window, target, task.
        4,
        expect_seed000,
        Edit(
            "[[windows.PatchInstances.targets]]",
            'tags = { Terraform = ["true"] }',
            'tags = { Terraform = ["yes"] }',
            "target",
            "PatchInstances",
            "PatchInstanceTargets",
            "Targets",
            equals(
                [{"Key": "tag:Terraform", "Values": ["true"]}],
                [{"Key": "tag:Terraform", "Values": ["yes"]}],
            ),
            {
                "windows/PatchInstances/Targets/PatchInstanceTargets/Targets/0/Values/0": (
                    "true",
                    "yes",
                )
            },
        ),
        frozenset({("window", "PatchInstances"), ("role", "PatchingMaintWindow")}),
    ),
]


def resource_id(account: Account, kind: str, window: str | None, name: str) -> str:
    """The real ID of a resource, read from the account."""
    if kind == "window":
        return str(account["windows"][name]["WindowId"])
    if kind == "target":
        return str(account["windows"][window]["Targets"][name]["WindowTargetId"])
    if kind == "task":
        return str(account["windows"][window]["Tasks"][name]["WindowTaskId"])
    if kind == "baseline":
        return str(account["baselines"][name]["BaselineId"])
    if kind == "role":
        return str(account["roles"][name]["Arn"])
    raise AssertionError(f"no ID lookup for {kind}")


def _plan_rows(report: Report) -> list[tuple[Any, ...]]:
    return [(r["kind"], r["window"], r["name"], r["action"]) for r in report["resources"]]


# -- the tests --------------------------------------------------------------------------


def test_every_example_is_tested_and_says_what_it_reproduces() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.toml")) == sorted(e.file for e in EXAMPLE_LIST)
    for example in EXAMPLE_LIST:
        header = (EXAMPLES / example.file).read_text().split("\n\n", 1)[0]
        assert header.startswith("# Seed 0"), example.file
        assert all(line.startswith("#") for line in header.splitlines()), example.file
        assert f"--name {example.setup_name}" in header, example.file


@pytest.mark.parametrize("example", EXAMPLE_LIST, ids=[e.file[:-5] for e in EXAMPLE_LIST])
def test_example_end_to_end(aws: Any, tmp_path: Path, example: Example) -> None:
    path = EXAMPLES / example.file
    config = ("--config", str(path))
    if example.file == "seed002-webserver-hooks.toml":
        make_documents(aws.url, *SEED002_HOOKS)  # the operator's hook documents

    # 0. A dry run plans it all and writes nothing.
    dry = target_json(setup(aws.url, *config, *JSON, "--dry-run"))
    assert dry["dry_run"] is True
    assert dry["setup"] == example.setup_name
    assert dry["summary"] == {
        "create": example.creates,
        "update": 0,
        "delete": 0,
        "unchanged": 0,
        "failed": 0,
        "not_run": 0,
        "adopt": 0,
    }
    assert {r["status"] for r in dry["resources"]} == {"planned"}
    assert_account_empty(read_account(aws))

    # 1. Apply: exactly what the dry run said, and what the example says.
    report = target_json(setup(aws.url, *config, *JSON))
    assert report["dry_run"] is False
    assert report["summary"] == dry["summary"]
    assert _plan_rows(report) == _plan_rows(dry)
    assert {r["status"] for r in report["resources"]} == {"done"}
    account = read_account(aws)
    example.expect(account, report)
    for row in report["resources"]:
        if row["kind"] != "patch-group":  # a patch group's ID is its name
            assert row["id"] == resource_id(account, row["kind"], row["window"], row["name"]), row

    # 2. Again: nothing to do, nothing touched.
    again = target_json(setup(aws.url, *config, *JSON))
    assert again["summary"] == {
        "create": 0,
        "update": 0,
        "delete": 0,
        "unchanged": example.creates,
        "failed": 0,
        "not_run": 0,
        "adopt": 0,
    }
    assert account_diff(account, read_account(aws)) == {}

    # 3. One field edited: one resource updated in place, nothing else moves.
    edit = example.edit
    edited = tmp_path / example.file
    edited.write_text(edit.apply(path.read_text()))
    changed = target_json(setup(aws.url, "--config", str(edited), *JSON))
    assert changed["summary"] == {
        "create": 0,
        "update": 1,
        "delete": 0,
        "unchanged": example.creates - 1,
        "failed": 0,
        "not_run": 0,
        "adopt": 0,
    }
    [update] = [r for r in changed["resources"] if r["action"] != "unchanged"]
    assert (update["kind"], update["window"], update["name"]) == (edit.kind, edit.window, edit.name)
    assert (update["action"], update["status"]) == ("update", "done")
    assert update["id"] == resource_id(account, edit.kind, edit.window, edit.name)
    [diff] = update["changes"]
    assert diff["field"] == edit.field
    edit.check_change(diff["old"], diff["new"])
    after = read_account(aws)
    assert account_diff(account, after) == edit.account_changes
    assert resource_id(after, edit.kind, edit.window, edit.name) == update["id"]

    # 4. Cleanup removes all of it, the service role too.
    removed = target_json(cleanup(aws.url, "--name", example.setup_name, "--yes", *JSON))
    assert {r["action"] for r in removed["resources"]} == {"delete"}
    assert {r["status"] for r in removed["resources"]} == {"done"}
    deleted = {
        (r["kind"], r["name"])
        for r in removed["resources"]
        if r["kind"] in ("window", "baseline", "role")
    }
    assert deleted == example.owned
    assert_account_empty(read_account(aws))


def test_seed003_example_is_what_the_flags_make_by_default(aws: Any) -> None:
    """The old tool's defaults as a file and as no flags at all are the same setup."""
    target_json(setup(aws.url, *JSON))
    made_by_flags = read_account(aws)
    report = target_json(setup(aws.url, "--config", str(EXAMPLES / "seed003-defaults.toml"), *JSON))
    assert report["summary"] == {
        "create": 0,
        "update": 0,
        "delete": 0,
        "unchanged": 33,
        "failed": 0,
        "not_run": 0,
        "adopt": 0,
    }
    assert account_diff(made_by_flags, read_account(aws)) == {}
