"""Tricky flags and configs, TOML syntax errors, binary garbage, model flags beside a config
and bad overrides of one never reach AWS: exit 2, one ``error:`` line, no call at all.

The approach (a recording endpoint, in-process runs, no call allowed) is described in
tests/helpers/bad_input.py.
"""

from __future__ import annotations

import copy
import string
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from tests.helpers.bad_input import (
    BAD_NAMES,
    BAD_OPERATION,
    BAD_RATES,
    BAD_ZONES,
    FEW,
    SAMPLES,
    SEED000,
    SEED002,
    SETTINGS,
    Recorder,
    assert_bad_input,
    run_in_process,
)
from tests.helpers.setups import BASES, EXAMPLE_FILES, KITCHEN, PathKey, put
from tests.helpers.toml import to_toml


def _renamed_target(windows: Any, name: str) -> Any:
    """Seed 000's windows with its one target renamed, and the task pointing at it."""
    windows = copy.deepcopy(windows)
    window = windows["PatchInstances"]
    window["targets"][0]["name"] = name
    window["tasks"][0]["targets"] = [name]
    return windows


def _seed000_with(path: PathKey, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASES[SEED000.name])
    put(data, path, value)
    return dict(data)


def _retagged_target(windows: Any, key: str) -> Any:
    """Seed 000's windows with its one target selecting by tag ``key``."""
    windows = copy.deepcopy(windows)
    windows["PatchInstances"]["targets"][0]["tags"] = {key: ["true"]}
    return windows


def _seed002_with_group(group: str) -> dict[str, Any]:
    data = copy.deepcopy(BASES[SEED002.name])
    data["baselines"]["al2-all"]["patch_groups"] = [group]
    return dict(data)


#: Inputs that once got past the checks, kept as explicit cases (hypothesis found them):
#: str.isdigit() is true for superscript digits, which int() rejects; and a regex
#: anchored with "$" (re.match) also accepts a trailing newline.
TRICKY_FLAGS = {
    "week superscript": ["-w", "\u00b2"],
    "hours superscripts": ["-t", "1,\u00b2\u00b3"],
    "concurrency newline": ["--max-concurrency", "5\n"],
    "errors newline": ["--max-errors", "0\n"],
    "config name override newline": ["--config", str(SEED000), "--name", "default\n"],
    "role arn newline": ["--role-arn", "arn:aws:iam::111111111111:role/x\n"],
    "empty role arn": ["--role-arn", ""],
    "empty region": ["-r", ""],
    # Issue 10: each of these passed the checks and failed half-way, or hung.
    "unknown profile": ["--profile", "nope"],
    "empty profile": ["--profile", ""],
    "ftp endpoint": ["--endpoint-url", "ftp://127.0.0.1:21"],
    "endpoint without host": ["--endpoint-url", "http://"],
    "endpoint port out of range": ["--endpoint-url", "http://127.0.0.1:99999"],
    "endpoint port not a number": ["--endpoint-url", "http://127.0.0.1:x"],
    "endpoint with a space": ["--endpoint-url", "http://a b"],
    "endpoint without scheme": ["--endpoint-url", "127.0.0.1:5000"],
    "endpoint empty": ["--endpoint-url", ""],
    "china role in an aws region": [
        "--role-arn",
        "arn:aws-cn:iam::111111111111:role/x",
        "-r",
        "eu-west-1",
    ],
    "aws role in a govcloud region": [
        "--role-arn",
        "arn:aws:iam::111111111111:role/x",
        "-r",
        "us-gov-west-1",
    ],
    "unknown partition": ["--role-arn", "arn:aws-mars:iam::111111111111:role/x"],
    "status name with a slash": ["status", "--name", "a/b"],
    "export name with a slash": ["export", "--name", "a/b"],
}
#: The same for the cleanup script.
TRICKY_CLEANUP = {
    "name with a slash": ["--name", "a/b"],
    "name with a space": ["--name", "a b"],
    "name too long": ["--name", "x" * 65],
    "unknown profile": ["--profile", "nope"],
    "ftp endpoint": ["--endpoint-url", "ftp://127.0.0.1:21"],
}
TRICKY_CONFIGS = {
    "setup name newline": _seed000_with(("name",), "terraform\n"),
    "window name newline": _seed000_with(("windows", "PatchInstances", "name"), "Patch\n"),
    "target name newline": {
        **BASES[SEED000.name],
        "windows": _renamed_target(BASES[SEED000.name]["windows"], "PatchInstanceTargets\n"),
    },
    "task max_errors newline": _seed000_with(
        ("windows", "PatchInstances", "tasks", 0, "max_errors"), "0\n"
    ),
    # Issue 10: outside the API's range or pattern, and once accepted.
    "rate too long for any clock": _seed000_with(
        ("windows", "PatchInstances", "schedule"), "rate(99999999999999999999 days)"
    ),
    "rate past the tool's limit": _seed000_with(
        ("windows", "PatchInstances", "schedule"), "rate(3651 days)"
    ),
    "rate in minutes past the limit": _seed000_with(
        ("windows", "PatchInstances", "schedule"), "rate(5256001 minutes)"
    ),
    "priority past a 64-bit integer": _seed000_with(
        ("windows", "PatchInstances", "tasks", 0, "priority"), 9223372036854775808
    ),
    "priority past AWS's integer": _seed000_with(
        ("windows", "PatchInstances", "tasks", 0, "priority"), 2147483648
    ),
    **{
        f"target tag key {key!r}": {
            **BASES[SEED000.name],
            "windows": _retagged_target(BASES[SEED000.name]["windows"], key),
        }
        for key in ["a,b", "a+b", "\U0001f600"]
    },
    **{
        f"patch group {group!r}": _seed002_with_group(group)
        for group in ["a,b", "*", ";", "\U0001f600", "tab\tgroup", "x#y", "a\nb", "é!"]
    },
}


@pytest.mark.parametrize("case", sorted(TRICKY_FLAGS))
def test_tricky_flags(recorder: Recorder, case: str) -> None:
    args = TRICKY_FLAGS[case]
    assert_bad_input(run_in_process(recorder, args), args)


@pytest.mark.parametrize("command", ["setup", "cleanup"])
def test_unknown_profile_from_the_environment(recorder: Recorder, command: str) -> None:
    """AWS_PROFILE as CI sets it: once exit 1 at the first config read, now exit 2."""
    outcome = run_in_process(recorder, [], command, AWS_PROFILE="nope")
    assert_bad_input(outcome, ["AWS_PROFILE=nope", command])
    assert "AWS_PROFILE" in outcome.stderr


@pytest.mark.parametrize("case", sorted(TRICKY_CLEANUP))
def test_tricky_cleanup_flags(recorder: Recorder, case: str) -> None:
    args = TRICKY_CLEANUP[case]
    assert_bad_input(run_in_process(recorder, args, "cleanup"), args)


@pytest.mark.parametrize("case", sorted(TRICKY_CONFIGS))
def test_tricky_configs(recorder: Recorder, workdir: Path, case: str) -> None:
    path = workdir / "tricky.toml"
    path.write_text(to_toml(TRICKY_CONFIGS[case]), encoding="utf-8")
    args = ["--config", str(path)]
    assert_bad_input(run_in_process(recorder, args), [case, *args])


BROKEN_SNIPPETS = st.one_of(
    st.sampled_from(
        [
            "= 1",
            "[",
            "[[windows",
            "key = ",
            'x = "unterminated',
            "name = 1\nname = 2",
            "x = 1979-13-40",
            "x = [1, 2",
            "x = {a = 1",
            "x = 0x",
            "[windows]\n[windows]",
            "x = 'a\nb'",
            "x = 1__0",
        ]
    ),
    st.text(alphabet=string.printable, min_size=1, max_size=12),
)


def _toml_error(text: str) -> bool:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return True
    return False


@SETTINGS
@given(
    base=st.sampled_from([*EXAMPLE_FILES, KITCHEN]), snippet=BROKEN_SNIPPETS, where=st.floats(0, 1)
)
def test_toml_syntax_errors(
    recorder: Recorder, workdir: Path, base: Path, snippet: str, where: float
) -> None:
    lines = base.read_text(encoding="utf-8").splitlines()
    index = min(int(where * len(lines)), len(lines))
    text = "\n".join([*lines[:index], snippet, *lines[index:]]) + "\n"
    assume(_toml_error(text))
    path = workdir / "broken.toml"
    path.write_text(text, encoding="utf-8")
    args = ["--config", str(path)]
    outcome = run_in_process(recorder, args)
    assert_bad_input(outcome, args)
    assert "not valid TOML" in outcome.stderr


def _is_toml(data: bytes) -> bool:
    try:
        tomllib.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError, RecursionError):
        return False
    return True


@SETTINGS
@given(data=st.binary(min_size=1, max_size=256))
@example(data=b"\x00\xff\xfe")
@example(data=b"\xef\xbb\xbfname = \xff")
def test_binary_garbage_configs(recorder: Recorder, workdir: Path, data: bytes) -> None:
    assume(not _is_toml(data))
    path = workdir / "garbage.toml"
    path.write_bytes(data)
    args = ["--config", str(path)]
    assert_bad_input(run_in_process(recorder, args), args)


MODEL_FLAGS = st.sampled_from(
    [
        ["-w", "1"],
        ["-d", "2"],
        ["-t", "3"],
        ["-b", str(SAMPLES[0])],
        ["--operating-system", "UBUNTU"],
        ["-w", "1", "-d", "TUE", "-t", "3"],
    ]
)


@FEW
@given(base=st.sampled_from([*EXAMPLE_FILES, KITCHEN]), flags=MODEL_FLAGS, first=st.booleans())
def test_model_flags_beside_a_config(
    recorder: Recorder, base: Path, flags: list[str], first: bool
) -> None:
    config_args = ["--config", str(base)]
    args = [*flags, *config_args] if first else [*config_args, *flags]
    assert_bad_input(run_in_process(recorder, args), args)


def _config_duration(data: Any) -> int:
    durations = [w.get("duration") for w in data["windows"].values()]
    durations.append(data.get("defaults", {}).get("duration"))
    return min([d for d in durations if isinstance(d, int)] or [1])


BAD_OVERRIDES = st.one_of(
    BAD_ZONES,
    BAD_RATES,
    BAD_OPERATION,
    BAD_NAMES.filter(lambda a: a[1] != ""),
    st.integers(24, 60).map(lambda n: ["--cutoff", str(n)]),
    st.integers(-3, 0).map(lambda n: ["--duration", str(n)]),
)


@SETTINGS
@given(base=st.sampled_from([*EXAMPLE_FILES, KITCHEN]), bad=BAD_OVERRIDES)
def test_bad_overrides_of_a_config(recorder: Recorder, base: Path, bad: list[str]) -> None:
    args = ["--config", str(base), *bad]
    assert_bad_input(run_in_process(recorder, args), args)


@FEW
@given(base=st.sampled_from([*EXAMPLE_FILES, KITCHEN]), data=st.data())
def test_cutoff_override_not_below_the_files_duration(
    recorder: Recorder, base: Path, data: st.DataObject
) -> None:
    duration = _config_duration(tomllib.loads(base.read_text(encoding="utf-8")))
    cutoff = data.draw(st.integers(duration, 23))
    args = ["--config", str(base), "--cutoff", str(cutoff)]
    assert_bad_input(run_in_process(recorder, args), args)
