"""Least privilege: the operator policy against the calls the tool made in the whole suite.

Registered by tests/conftest.py (``pytest_plugins``). The session's local endpoint runs
with ``--record`` (tools/local_aws.py), so every AWS request of the suite lands in a
JSON-lines file in one directory per run (``record_file()``; under pytest-xdist the
controller makes the directory and hands it to the workers). When the whole suite ran
(no -k/-m/node ids/--deselect/--lf, every tests/**/test_*.py collected, nothing
interrupted), the session ends with ``check_policy``: every action the tool called
(User-Agent ``ssm-patching-setup/``) must be granted by the policy
(iam/ssm-patching-setup-operator-policy.json), and every action the policy grants must
have been called by the tool somewhere in the suite (or be implied by a call that was
made: ``IMPLIED``; or be granted ahead of its caller: ``PENDING``). A mismatch fails the
session with the lists of missing and unused actions. Partial runs print why the check
was skipped; tests/cli/test_policy_workload.py checks a focused workload on any run.
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.paths import ROOT, TESTS

POLICY_PATH = ROOT / "iam" / "ssm-patching-setup-operator-policy.json"
#: The optional policies an operator attaches beside it: untagged access for --adopt and
#: --all-patching, and sts:AssumeRole on the bootstrap roles for --role-arn. The checks
#: judge the union (the role boundary grants the created role, not the operator).
OPTIONAL_POLICY_PATHS = (
    ROOT / "iam" / "ssm-patching-setup-brownfield-policy.json",
    ROOT / "iam" / "ssm-patching-setup-assume-policy.json",
)
#: The User-Agent marker of the tool's clients, as tools/local_aws.py records it.
TOOL_AGENT = "ssm-patching-setup/"

#: Actions AWS authorizes that are not API calls of their own, granted because a call
#: the tool makes needs them: the implied action counts as used once all of its calls
#: were made by the tool (and as required: the policy must grant it then).
IMPLIED: Mapping[str, tuple[str, ...]] = {
    # CreateRole carries Tags (the owner tag); IAM authorizes them as iam:TagRole.
    "iam:TagRole": ("iam:CreateRole",),
    # Tasks run as the created role: registering (or updating) a task whose
    # ServiceRoleArn (or NotificationConfig role) is that role passes it to SSM.
    "iam:PassRole": ("iam:CreateRole", "ssm:RegisterTaskWithMaintenanceWindow"),
    # CreateRole with tags is authorized as iam:TagRole too; UntagRole is called.
}

#: Actions granted ahead of the code that will call them, with why. The check reports
#: them while unused, and asks for their removal from here once the tool calls them.
PENDING: Mapping[str, str] = {}

#: Keys of pytest-xdist's workerinput/workeroutput, and of config.stash.
_RECORD_DIR_INPUT = "ssm_patching_setup_record_dir"
_SUITE_OUTPUT = "ssm_patching_setup_suite"
_RECORD_DIR = pytest.StashKey[Path]()
_OWNS_RECORD_DIR = pytest.StashKey[bool]()
_SUITE = pytest.StashKey["SuiteState"]()
_VERDICT = pytest.StashKey["PolicyVerdict"]()
_record_counter = itertools.count()


def record_file(config: pytest.Config, label: str) -> Path:
    """A new file in this run's record directory for one server's ``--record``."""
    worker = getattr(config, "workerinput", {}).get("workerid", "main")
    name = f"{worker}-{label}-{os.getpid()}-{next(_record_counter)}.jsonl"
    return config.stash[_RECORD_DIR] / name


def read_records(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Every recorded request in ``paths`` (tools/local_aws.py --record lines)."""
    records: list[dict[str, Any]] = []
    for path in paths:
        with path.open(encoding="utf-8") as lines:
            records.extend(json.loads(line) for line in lines if line.strip())
    return records


def action_of(record: Mapping[str, Any]) -> str:
    """``service:Operation`` of a recorded request, as IAM names the action."""
    return f"{record.get('service') or '?'}:{record.get('operation') or '?'}"


def tool_actions(records: Iterable[Mapping[str, Any]]) -> set[str]:
    """The actions of the requests the tool made (not the tests' own boto3 clients)."""
    return {action_of(r) for r in records if r.get("tool")}


def load_policy(path: Path | None = None) -> dict[str, Any]:
    """One policy file, or (no path) the union of the operator and the optional policies."""
    if path is not None:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return document
    statements = [
        statement
        for each in (POLICY_PATH, *OPTIONAL_POLICY_PATHS)
        for statement in load_policy(each)["Statement"]
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def granted_patterns(policy: Mapping[str, Any]) -> list[str]:
    """The Action entries of every Allow statement (patterns: IAM allows * and ?)."""
    return [
        action
        for statement in policy["Statement"]
        if statement.get("Effect") == "Allow"
        for action in _listed(statement.get("Action", []))
    ]


def is_granted(action: str, policy: Mapping[str, Any]) -> bool:
    """Whether some Allow statement names ``action`` (IAM matches actions case-insensitively)."""
    return any(
        fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in granted_patterns(policy)
    )


def with_implied(actions: Iterable[str]) -> set[str]:
    """``actions`` plus every IMPLIED action whose calls are all among them."""
    called = set(actions)
    return called | {implied for implied, calls in IMPLIED.items() if called.issuperset(calls)}


@dataclass
class PolicyVerdict:
    """The outcome of comparing the policy with the tool's calls."""

    called: set[str]
    calls: int
    missing: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    pending_unused: list[str] = field(default_factory=list)
    pending_used: list[str] = field(default_factory=list)
    skipped: str | None = None
    unused_skipped: str | None = None

    @property
    def failed(self) -> bool:
        return bool(self.missing or self.unused)


def check_policy(
    records: list[dict[str, Any]], policy: Mapping[str, Any], *, check_unused: bool = True
) -> PolicyVerdict:
    """Missing grants (called, or implied by calls, but not granted) and unused grants."""
    needed = with_implied(tool_actions(records))
    verdict = PolicyVerdict(called=needed, calls=sum(1 for r in records if r.get("tool")))
    verdict.missing = sorted(a for a in needed if not is_granted(a, policy))
    if not check_unused:
        return verdict
    for pattern in granted_patterns(policy):
        used = any(fnmatch.fnmatchcase(a.lower(), pattern.lower()) for a in needed)
        if pattern in PENDING:
            (verdict.pending_used if used else verdict.pending_unused).append(pattern)
        elif not used:
            verdict.unused.append(pattern)
    verdict.unused.sort()
    return verdict


@dataclass
class SuiteState:
    """Whether this process ran the whole suite, and if not, why."""

    deselected: int = 0
    partial: list[str] = field(default_factory=list)


def _whole_suite_problems(session: pytest.Session, deselected: int) -> list[str]:
    config = session.config
    problems: list[str] = []
    if config.option.keyword:
        problems.append(f"-k {config.option.keyword!r}")
    if config.option.markexpr:
        problems.append(f"-m {config.option.markexpr!r}")
    if any("::" in arg for arg in config.args):
        problems.append("test ids were named")
    if deselected:
        problems.append(f"{deselected} tests deselected")
    collected = {Path(str(item.path)).resolve() for item in session.items}
    files = sorted(p.resolve() for p in TESTS.rglob("test_*.py"))
    missing = [p.name for p in files if p not in collected]
    if len(missing) > 3:
        problems.append(f"only {len(files) - len(missing)} of {len(files)} test files collected")
    elif missing:
        problems.append(f"no test collected from {', '.join(missing)}")
    return problems


def pytest_configure(config: pytest.Config) -> None:
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if workerinput is not None and _RECORD_DIR_INPUT in workerinput:
        config.stash[_RECORD_DIR] = Path(workerinput[_RECORD_DIR_INPUT])
        config.stash[_OWNS_RECORD_DIR] = False
    else:
        config.stash[_RECORD_DIR] = Path(tempfile.mkdtemp(prefix="ssm-patching-setup-calls-"))
        config.stash[_OWNS_RECORD_DIR] = True
    config.stash[_SUITE] = SuiteState()


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(_OWNS_RECORD_DIR, False):
        shutil.rmtree(config.stash[_RECORD_DIR], ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist (controller): every worker records into the controller's directory."""
    node.workerinput[_RECORD_DIR_INPUT] = str(node.config.stash[_RECORD_DIR])


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items:
        items[0].config.stash[_SUITE].deselected += len(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    state = session.config.stash[_SUITE]
    state.partial = _whole_suite_problems(session, state.deselected)
    workeroutput: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[_SUITE_OUTPUT] = list(state.partial)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist (controller): a worker's verdict on whether it ran the whole suite."""
    state = node.config.stash[_SUITE]
    output = getattr(node, "workeroutput", {}).get(_SUITE_OUTPUT)
    if error is not None:
        state.partial.append(f"worker {node.gateway.id} crashed")
    elif output is None:
        state.partial.append(f"worker {node.gateway.id} did not report its collection")
    else:
        state.partial.extend(p for p in output if p not in state.partial)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The suite-wide least-privilege check (controller or single process only)."""
    config = session.config
    if hasattr(config, "workerinput"):
        return
    state = config.stash[_SUITE]
    skipped = None
    if config.option.collectonly:
        skipped = "--collect-only"
    elif exitstatus == pytest.ExitCode.INTERRUPTED:
        skipped = "the run was interrupted"
    elif exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        skipped = "no tests ran"
    elif state.partial:
        skipped = "not the whole suite: " + "; ".join(state.partial)
    if skipped:
        config.stash[_VERDICT] = PolicyVerdict(called=set(), calls=0, skipped=skipped)
        return
    records = read_records(sorted(config.stash[_RECORD_DIR].glob("*.jsonl")))
    # A failed test may have stopped before its calls: then only "missing" is sound.
    tests_passed = exitstatus == pytest.ExitCode.OK
    verdict = check_policy(records, load_policy(), check_unused=tests_passed)
    if not tests_passed:
        verdict.unused_skipped = "tests failed, so some calls may not have been made"
    elif not verdict.calls:
        verdict.missing.append("(no call of the tool was recorded: is the recorder working?)")
    config.stash[_VERDICT] = verdict
    if verdict.failed:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    verdict = config.stash.get(_VERDICT, None)
    if verdict is None:
        return
    policy = POLICY_PATH.relative_to(ROOT)
    write = terminalreporter.write_line
    if verdict.skipped:
        write(f"least-privilege check of {policy} skipped ({verdict.skipped})")
        return
    markup = {"red": True, "bold": True} if verdict.failed else {"green": True}
    terminalreporter.write_sep("=", f"least-privilege check of {policy}", **markup)
    write(
        f"the tool made {verdict.calls} AWS calls: {len(verdict.called)} distinct actions "
        f"(with those the calls imply: {', '.join(sorted(IMPLIED))})"
    )
    if verdict.missing:
        write(f"FAILED: called but not granted (add to the policy): {', '.join(verdict.missing)}")
    if verdict.unused:
        write(
            "FAILED: granted but never called by the tool in the whole suite "
            f"(remove from the policy, or add the test that needs it): {', '.join(verdict.unused)}"
        )
        skipped = terminalreporter.stats.get("skipped", [])
        if skipped:
            write(f"({len(skipped)} tests were skipped: their calls are missing from the record)")
    if verdict.unused_skipped:
        write(f"unused grants not checked: {verdict.unused_skipped}")
    for action in verdict.pending_unused:
        write(f"pending: {action} is granted but not called yet ({PENDING[action]})")
    for action in verdict.pending_used:
        write(f"{action} is called now: remove it from PENDING in tests/plugins/least_privilege.py")
    if not verdict.failed and not verdict.unused_skipped:
        write("the policy grants exactly what the tool calls")
