"""Bad input never reaches AWS: exit 2, one ``error:`` line, no traceback, no call at all.

Hypothesis generates invalid command lines (out-of-range weeks, days and hours, malformed
lists, unknown days, time zones, regions and log levels, cutoff >= duration, bad rate
controls and names, missing/unreadable/invalid baseline files, a contradicting
--operating-system, unknown options, model flags beside --config, ...) and invalid
config files, each made from a valid one (every file in examples/ and
tests/data/kitchen-sink.toml) by one mutation: an unknown key, a wrong type, a bad enum
value, a bad schedule (rates too long included), a dangling reference, a duplicate name,
a quota overflow, a patch group or target tag key outside AWS's pattern, a priority out
of range, a TOML syntax error, or binary garbage. Issue 10 added endpoint URLs (bad
schemes, hosts, ports, whitespace, IPv6 literals; with secrets in userinfo and query,
which must not be shown), unknown profiles, role ARNs of another partition, setup names
for cleanup and status, and file arguments of every kind (FIFO, device, directory, past
the 1 MiB cap, not UTF-8, naming no role).

The proof that nothing is written: AWS_ENDPOINT_URL points at a recording
tools/local_aws.py (``--record``), and after each example the record must hold no
request of the tool at all (the README promises "no AWS call was made" for exit 2,
which is stronger than "no write"). Most examples run the console script's entry point
in-process (``patchsetup.cli.setup_main`` under click's CliRunner isolation, the real
environment variables and endpoint); ``test_real_console_scripts`` runs a handful of
them as real subprocesses, where stderr is the process's own.

This module runs the tool against the recording endpoint (``run_in_process``,
``run_subprocess``) and judges the outcome (``assert_bad_input``); the ``recorder`` and
``workdir`` fixtures are in tests/cli/conftest.py; the tests are tests/cli/test_bad_*.py.
"""

from __future__ import annotations

import copy
import json
import re
import string
import subprocess
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.session
import click.testing
from botocore.model import StringShape
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from patchsetup import cli
from patchsetup.baselines.shapes import OPERATING_SYSTEMS
from patchsetup.config import tasks as config_tasks
from patchsetup.config.tasks import DOCUMENTS
from patchsetup.fields import PATCH_GROUP_KEYS
from tests.helpers.cli import cleanup as run_cleanup
from tests.helpers.cli import cli_env
from tests.helpers.cli import setup as run_setup
from tests.helpers.paths import ROOT
from tests.helpers.setups import PathKey, at, nodes, put
from tools.launch import Server

SEED000 = ROOT / "examples" / "seed000-terraform.toml"
SEED002 = ROOT / "examples" / "seed002-webserver-hooks.toml"
SAMPLES = sorted((ROOT / "tests" / "data" / "baselines" / "seed-tool").glob("*.json"))
SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = settings(SETTINGS, max_examples=25)

# AWS's own patterns (SSM API reference), matched as a whole: the tool may be stricter,
# never more lenient, so a value that fails these is bad input for sure.
AWS_NAME = re.compile(r"[a-zA-Z0-9_\-.]{3,128}")
AWS_CONCURRENCY = re.compile(r"([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)")
AWS_ERRORS = re.compile(r"([1-9][0-9]*|0|[1-9][0-9]%|[0-9]%|100%)")
SETUP_NAME = re.compile(r"[a-zA-Z0-9_\-.]{1,64}")
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}")
ZONES = frozenset(zoneinfo.available_timezones())
TEXT = st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=24)
ASCIIISH = st.text(
    # With superscripts (str.isdigit() is true, int() fails) and Arabic-Indic digits.
    alphabet=string.ascii_letters + string.digits + " ,.-_/:+%#*?\n\t\u00b2\u00b3\u0661\u0663",
    max_size=16,
)


# -- running the tool against the recording endpoint ---------------------------------------


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str
    calls: list[dict[str, Any]]


@dataclass
class Recorder:
    server: Server
    path: Path

    def offset(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def since(self, offset: int) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as handle:
            handle.seek(offset)
            lines = handle.read().decode("utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]


def _aws_env(url: str) -> dict[str, str]:
    return {k: v for k, v in cli_env(url).items() if k.startswith("AWS_")}


def run_in_process(
    recorder: Recorder,
    args: Sequence[str],
    command: str = "setup",
    endpoint: str | None = None,
    **extra_env: str,
) -> Outcome:
    """The console script's entry point, in this process, with the real environment
    (AWS_ENDPOINT_URL set to ``endpoint`` if given, else the recording endpoint)."""
    entry = cli.setup_main if command == "setup" else cli.cleanup_main
    before = recorder.offset()
    runner = click.testing.CliRunner()
    code = 0
    env = {**_aws_env(recorder.server.url), **extra_env}
    if endpoint is not None:
        env["AWS_ENDPOINT_URL"] = endpoint
    with runner.isolation(env=env) as (out, err, _):
        try:
            entry(list(args))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        stdout = out.getvalue().decode("utf-8", errors="replace")
        stderr = err.getvalue().decode("utf-8", errors="replace")
    return Outcome(code, stdout, stderr, recorder.since(before))


def run_subprocess(recorder: Recorder, args: Sequence[str], command: str = "setup") -> Outcome:
    before = recorder.offset()
    run = run_setup if command == "setup" else run_cleanup
    result: subprocess.CompletedProcess[str] = run(recorder.server.url, *args)
    return Outcome(result.returncode, result.stdout, result.stderr, recorder.since(before))


def assert_bad_input(outcome: Outcome, args: Sequence[str]) -> None:
    """Exit 2, exactly one ``error: ...`` line on stderr, no traceback, no AWS call."""
    shown = (
        f"args {list(args)!r}\nexit {outcome.code}\n"
        f"stdout:\n{outcome.stdout}\nstderr:\n{outcome.stderr}"
    )
    assert outcome.code == 2, shown
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), shown
    # A traceback's first line: a typed value may be the word "Traceback" itself.
    assert "Traceback (most recent call last)" not in outcome.stdout + outcome.stderr, shown
    writes = [r for r in outcome.calls if r.get("tool") and not _is_read(r)]
    assert writes == [], f"{shown}\nwrite calls: {writes}"
    assert [r for r in outcome.calls if r.get("tool")] == [], f"{shown}\ncalls: {outcome.calls}"


def _is_read(record: dict[str, Any]) -> bool:
    return str(record.get("operation")).startswith(("Describe", "Get", "List"))


# -- mutations shared by the config and the baseline-file tests ---------------------------

NOT_VALUE = 987654  # no key of the schema accepts this integer, and no list or table does


def _replacements(value: Any) -> list[Any]:
    """Values of another type that cannot stand where ``value`` stood."""
    if isinstance(value, bool):
        return [1, "yes", 1.5]
    if isinstance(value, int):
        return ["not-a-number!", 1.5, True, [1]]
    if isinstance(value, str):
        return [NOT_VALUE, 1.5, True, {}]
    if isinstance(value, list):
        return [NOT_VALUE, 1.5, True]
    return [NOT_VALUE, "not-a-table", [1]]


def unknown_key(base: Any) -> st.SearchStrategy[Any]:
    """A key no table knows, in some table, with a value no free table accepts either."""
    tables: list[PathKey] = [()] + [p for p, v in nodes(base) if isinstance(v, dict)]
    names = st.text(alphabet=string.ascii_lowercase + "_-", min_size=1, max_size=10)

    def build(path: PathKey, name: str) -> Any:
        data = copy.deepcopy(base)
        at(data, path)["zz-" + name] = NOT_VALUE
        return data

    return st.builds(build, st.sampled_from(tables), names)


def wrong_type(base: Any) -> st.SearchStrategy[Any]:
    paths = [p for p, _ in nodes(base)]

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        data = copy.deepcopy(base)
        path = draw(st.sampled_from(paths))
        put(data, path, draw(st.sampled_from(_replacements(at(data, path)))))
        return data

    return build()


def _enum(shape: str) -> list[str]:
    found = botocore.session.get_session().get_service_model("ssm").shape_for(shape)
    assert isinstance(found, StringShape), shape
    return list(found.enum)


CONFIG_ENUMS: dict[str, list[str]] = {
    "operating_system": list(OPERATING_SYSTEMS),
    "document": list(DOCUMENTS),
    "operation": list(config_tasks.OPERATIONS),
    "reboot_option": list(config_tasks.REBOOT_OPTIONS),
    "cutoff_behavior": list(config_tasks.CUTOFF_BEHAVIORS),
    "patch_group_key": list(PATCH_GROUP_KEYS),
    "type": list(config_tasks.NOTIFICATION_TYPES),
    "events": list(config_tasks.NOTIFICATION_EVENTS),
    "compliance_level": _enum("PatchComplianceLevel"),
    "approved_patches_compliance_level": _enum("PatchComplianceLevel"),
    "rejected_patches_action": _enum("PatchAction"),
}
BASELINE_ENUMS: dict[str, list[str]] = {
    "OperatingSystem": _enum("OperatingSystem"),
    "ComplianceLevel": _enum("PatchComplianceLevel"),
    "ApprovedPatchesComplianceLevel": _enum("PatchComplianceLevel"),
    "RejectedPatchesAction": _enum("PatchAction"),
    "Key": _enum("PatchFilterKey"),
}
ALL_ENUM_VALUES = frozenset(v for values in CONFIG_ENUMS.values() for v in values)
ALL_ENUM_VALUES |= frozenset(v for values in BASELINE_ENUMS.values() for v in values)


def bad_enum(base: Any, enums: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    """One enum value (a key's value, or an item of an enum list) replaced by a non-member."""
    paths = [
        p
        for p, v in nodes(base)
        if (p[-1] in enums and isinstance(v, str))
        or (len(p) > 1 and isinstance(p[-1], int) and p[-2] in enums and isinstance(v, str))
    ]
    if not paths:
        return st.nothing()
    spoilt = st.one_of(
        TEXT,
        st.sampled_from(sorted(ALL_ENUM_VALUES)).map(lambda v: v.lower() + "x"),
    ).filter(lambda v: v not in ALL_ENUM_VALUES)

    def build(path: PathKey, value: str) -> Any:
        data = copy.deepcopy(base)
        put(data, path, value)
        return data

    return st.builds(build, st.sampled_from(paths), spoilt)


def not_in(choices: Sequence[str], folded: bool = False) -> Callable[[str], bool]:
    def bad(value: str) -> bool:
        if folded:
            return value.casefold() not in {c.casefold() for c in choices} and (
                value.upper() not in {c.upper() for c in choices}
            )
        return value not in choices

    return bad


BAD_ZONES = st.one_of(
    TEXT.filter(lambda z: z not in ZONES),
    st.sampled_from(
        ["utc", "Europe/Londn", "Mars/Olympus_Mons", "UTC+25", "../etc/passwd", "UTC\n"]
    ),
).map(lambda z: ["-z", z])


BAD_OPERATION = TEXT.filter(not_in(["Install", "Scan"])).map(lambda v: ["--operation", v])


BAD_RATES = st.one_of(
    ASCIIISH.filter(lambda v: not AWS_CONCURRENCY.fullmatch(v) or len(v) > 7).map(
        lambda v: ["--max-concurrency", v]
    ),
    ASCIIISH.filter(lambda v: not AWS_ERRORS.fullmatch(v) or len(v) > 7).map(
        lambda v: ["--max-errors", v]
    ),
)


BAD_NAMES = st.one_of(
    TEXT.filter(lambda n: not SETUP_NAME.fullmatch(n)),
    st.sampled_from(["", "a b", "x" * 65, "default\n", "dé", "a/b"]),
).map(lambda n: ["--name", n])


#: Valid options mixed in front of the bad one (which comes last, so it wins). No -w/-d/-t:
#: those add up, and an empty bad list beside a good one would be valid.
GOOD_FLAGS = st.lists(
    st.sampled_from(
        [
            ("-r", "us-east-1"),
            ("--dry-run",),
            ("--output", "json"),
            ("-z", "Europe/London"),
            ("-l", "INFO"),
            ("--operation", "Scan"),
            ("-y",),
            ("--create-service-role",),
        ]
    ),
    max_size=3,
    unique=True,
).map(lambda groups: [arg for group in groups for arg in group])
