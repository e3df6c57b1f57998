"""Bad baseline files (and other file arguments) never reach AWS: exit 2, one ``error:``
line, no traceback, no call at all.

The approach (a recording endpoint, in-process runs, no call allowed) is described in
tests/helpers/bad_input.py.
"""

from __future__ import annotations

import copy
import json
import os
import resource
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from patchsetup import files as textfile
from patchsetup.baselines.shapes import OPERATING_SYSTEMS
from tests.helpers.bad_input import (
    BASELINE_ENUMS,
    FEW,
    GOOD_FLAGS,
    SAMPLES,
    SEED002,
    SETTINGS,
    Outcome,
    Recorder,
    assert_bad_input,
    bad_enum,
    run_in_process,
    unknown_key,
    wrong_type,
)
from tests.helpers.cli import BIN, cli_env
from tests.helpers.setups import BASES
from tests.helpers.toml import to_toml

# -- invalid baseline files -------------------------------------------------------------------


JSON_TEXT = st.one_of(
    st.sampled_from(["", "{", "[]", "null", "42", '"x"', "{'Name': 'x'}", "{} {}", "NaN"]),
    st.text(max_size=40),
)


def _baseline_mutations() -> st.SearchStrategy[tuple[str, bytes]]:
    """(what, file bytes): garbage, non-objects, or a seed sample with one mutation."""

    def sample(mutate: Callable[[Any], st.SearchStrategy[Any]]) -> st.SearchStrategy[bytes]:
        return (
            st.sampled_from(SAMPLES)
            .flatmap(lambda path: mutate(json.loads(path.read_text(encoding="utf-8"))))
            .map(lambda data: json.dumps(data).encode())
        )

    return st.one_of(
        st.binary(min_size=1, max_size=64).map(lambda b: ("garbage", b)),
        JSON_TEXT.map(lambda t: ("json text", t.encode())),
        sample(unknown_key).map(lambda b: ("unknown key", b)),
        sample(wrong_type).map(lambda b: ("wrong type", b)),
        sample(lambda d: bad_enum(d, BASELINE_ENUMS)).map(lambda b: ("bad enum", b)),
    )


def _json_object(data: bytes) -> bool:
    try:
        return isinstance(json.loads(data.decode("utf-8")), dict)
    except ValueError:
        return False


@SETTINGS
@given(mutation=st.deferred(_baseline_mutations), good=GOOD_FLAGS)
def test_invalid_baseline_files(
    recorder: Recorder, workdir: Path, mutation: tuple[str, bytes], good: list[str]
) -> None:
    what, data = mutation
    if what in ("garbage", "json text"):
        assume(not _json_object(data))  # any object might be a valid baseline
    path = workdir / "baseline.json"
    path.write_bytes(data)
    args = [*good, "-b", str(path)]
    assert_bad_input(run_in_process(recorder, args), [what, *args])


def _file_os(path: Path) -> str:
    return str(json.loads(path.read_text(encoding="utf-8")).get("OperatingSystem", "WINDOWS"))


@FEW
@given(
    sample=st.sampled_from(SAMPLES),
    chosen=st.sampled_from(OPERATING_SYSTEMS),
    lower=st.booleans(),
)
def test_operating_system_contradicting_the_file(
    recorder: Recorder, sample: Path, chosen: str, lower: bool
) -> None:
    assume(chosen != _file_os(sample))
    args = ["-b", str(sample), "--operating-system", chosen.lower() if lower else chosen]
    assert_bad_input(run_in_process(recorder, args), args)


def _unreadable_paths(workdir: Path) -> list[Path]:
    loop_a, loop_b = workdir / "loop-a", workdir / "loop-b"
    for link, target in ((loop_a, loop_b), (loop_b, loop_a)):
        if not link.is_symlink():
            link.symlink_to(target)
    missing_dir = workdir / "no-such-dir" / "x.json"
    paths = [workdir / "missing.json", missing_dir, loop_a, workdir / ("x" * 300), workdir]
    if os.geteuid() != 0:  # root reads mode-000 files anyway
        locked = workdir / "locked.json"
        locked.write_text("{}")
        locked.chmod(0)
        paths.append(locked)
    return paths


def test_missing_and_unreadable_files(recorder: Recorder, workdir: Path) -> None:
    for path in _unreadable_paths(workdir):
        for args in (["-b", str(path)], ["--config", str(path)], ["--role-arns-file", str(path)]):
            assert_bad_input(run_in_process(recorder, args), args)
        args = ["--config", str(path)]
        assert_bad_input(run_in_process(recorder, args, "cleanup"), args)


def _special_files(workdir: Path) -> dict[str, Path]:
    """Paths that are no regular file, or one too big to be a config: each must be exit 2
    at once (a FIFO used to block forever, /dev/zero to be read until memory ran out)."""
    fifo = workdir / "a-fifo"
    if not fifo.exists():
        os.mkfifo(fifo)
    big = workdir / "big.toml"
    if not big.exists():
        big.write_bytes(b"# padding\n" * (200 * 1024))  # 2 MiB of comments: valid TOML
    return {
        "fifo": fifo,
        "device": Path("/dev/zero"),
        "empty device": Path("/dev/null"),
        "directory": workdir,
        "too big": big,
    }


FILE_OPTIONS = (["-b"], ["--config"], ["--role-arns-file"], ["cleanup", "--config"])


def _guarded(recorder: Recorder, args: list[str]) -> Outcome:
    """A real process with a time and memory limit: a hang or a runaway read fails the test
    instead of stalling the suite."""
    command = "cleanup" if args[0] == "cleanup" else "setup"
    script = BIN / f"ssm-patching-{command}"
    before = recorder.offset()

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    try:
        result = subprocess.run(
            [str(script), *args[1 if command == "cleanup" else 0 :]],
            env=cli_env(recorder.server.url),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=20,
            preexec_fn=limit_memory,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{args}: still running after 20 s")
    return Outcome(result.returncode, result.stdout, result.stderr, recorder.since(before))


@pytest.mark.parametrize("kind", ["fifo", "device", "empty device", "directory", "too big"])
def test_file_arguments_must_be_small_regular_files(
    recorder: Recorder, workdir: Path, kind: str
) -> None:
    path = _special_files(workdir)[kind]
    for option in FILE_OPTIONS:
        args = [*option, str(path)]
        outcome = _guarded(recorder, args)
        assert_bad_input(outcome, args)
        assert str(path) in outcome.stderr, outcome.stderr
    # A baseline file a config names (`file = ...`) is held to the same rule.
    data = copy.deepcopy(BASES[SEED002.name])
    data["baselines"]["al2-all"] = {"file": str(path), "patch_groups": ["WebServer-Prd"]}
    config_path = workdir / f"names-a-{kind.replace(' ', '-')}.toml"
    config_path.write_text(to_toml(data), encoding="utf-8")
    args = ["--config", str(config_path)]
    assert_bad_input(_guarded(recorder, args), args)


@FEW
@given(
    kind=st.sampled_from(["fifo", "device", "empty device", "directory", "too big", "sized"]),
    option=st.sampled_from(FILE_OPTIONS),
    extra=st.integers(1, 64 * 1024),
    fill=st.binary(min_size=1, max_size=8),
)
@example(kind="sized", option=["--role-arns-file"], extra=1, fill=b"\n")
def test_file_kinds_in_process(
    recorder: Recorder, workdir: Path, kind: str, option: list[str], extra: int, fill: bytes
) -> None:
    """The same in-process, now that nothing blocks: every kind for every file option, and
    regular files just past the 1 MiB cap with any content."""
    if kind == "sized":
        path = workdir / "sized"
        path.write_bytes(
            (fill * (textfile.MAX_BYTES // len(fill) + extra))[: textfile.MAX_BYTES + extra]
        )
    else:
        path = _special_files(workdir)[kind]
    args = [*option, str(path)]
    script = "cleanup" if args[0] == "cleanup" else "setup"
    outcome = run_in_process(recorder, args[1:] if script == "cleanup" else args, script)
    assert_bad_input(outcome, args)


@pytest.mark.parametrize("content", [b"", b"# no accounts yet\n", b"\n \n"])
def test_role_arns_file_naming_no_role(recorder: Recorder, workdir: Path, content: bytes) -> None:
    """A truncated or empty file of role ARNs must not mean "the caller's own account"."""
    path = workdir / "no-roles.txt"
    path.write_bytes(content)
    args = ["--role-arns-file", str(path)]
    outcome = run_in_process(recorder, args)
    assert_bad_input(outcome, args)
    assert "names no role ARN" in outcome.stderr


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfearn:aws:iam::111111111111:role/x\n", b"arn:aws:iam::111111111111:role/\xe9\n"],
)
def test_role_arns_file_not_utf8(recorder: Recorder, workdir: Path, content: bytes) -> None:
    path = workdir / "roles.txt"
    path.write_bytes(content)
    args = ["--role-arns-file", str(path)]
    outcome = run_in_process(recorder, args)
    assert_bad_input(outcome, args)
    assert "UTF-8" in outcome.stderr
