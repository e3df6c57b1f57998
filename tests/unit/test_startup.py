"""Commands that make no AWS call load no AWS SDK: each in a fresh interpreter.

``--help`` (and every command's), ``--version``, ``init``, ``completion`` and the
shell-completion TABs (click's ``_SSM_PATCHING_SETUP_COMPLETE`` protocol), and
``export``, ``policy`` and ``calendar`` from --config or the model flags: each runs
the console script's entry in a new interpreter whose exit hook writes down which of
boto3, botocore, s3transfer, urllib3 and jmespath were ever imported. That list must
be empty; a control run that does load boto3 shows that the probe sees it. No
endpoint: none of these commands may make a request, and AWS_ENDPOINT_URL is unset.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from tests.helpers.baselines import SEED_FILES
from tests.helpers.paths import ROOT

SDK = ("boto3", "botocore", "s3transfer", "urllib3", "jmespath")

#: The console script's entry, with an exit hook that records the SDK modules loaded.
#: argv: the record file, the entry ("setup_main"/"cleanup_main"), a module to import
#: first ("" for none: the control run), then the command's arguments.
_PROBE = f"""\
import atexit, json, sys
SDK = {SDK!r}
record, entry, first, *args = sys.argv[1:]

def _record():
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in SDK)
    with open(record, "w") as out:
        json.dump(loaded, out)

atexit.register(_record)
if first:
    __import__(first)
sys.argv = ["ssm-patching-setup", *args]
from patchsetup import console
getattr(console, entry)()
"""


def _env(**extra: str) -> dict[str, str]:
    """No AWS settings at all (nothing may be asked of AWS), and no terminal colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "_SSM_"))}
    env.update({"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"})
    return {**env, **extra}


def _probe(
    tmp_path: Path,
    *args: str,
    entry: str = "setup_main",
    first: str = "",
    env: dict[str, str] | None = None,
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    record = tmp_path / "loaded.json"
    record.unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(record), entry, first, *args],
        cwd=tmp_path,
        env=env or _env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    loaded: list[str] = json.loads(record.read_text())
    return result, loaded


def _no_sdk(tmp_path: Path, *args: str, entry: str = "setup_main") -> str:
    """Run the command; it succeeds and loads no SDK module. Its stdout."""
    result, loaded = _probe(tmp_path, *args, entry=entry)
    assert result.returncode == 0, result.stderr
    assert loaded == [], f"{' '.join(args)} imported {loaded[:8]}"
    return result.stdout


COMMANDS = [
    "apply",
    "init",
    "cleanup",
    "export",
    "policy",
    "status",
    "calendar",
    "assign",
    "completion",
]


def test_the_probe_sees_an_sdk_the_run_loads(tmp_path: Path) -> None:
    result, loaded = _probe(tmp_path, "--help", first="boto3")
    assert result.returncode == 0, result.stderr
    assert "boto3" in loaded and "botocore" in loaded and "urllib3" in loaded


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_the_group_help_loads_no_sdk(tmp_path: Path, flag: str) -> None:
    out = _no_sdk(tmp_path, flag)
    # The help shows apply's options, with the operating systems of botocore's model.
    assert "Options of apply" in out and "AMAZON_LINUX_2023" in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_loads_no_sdk(tmp_path: Path, command: str) -> None:
    assert "Usage:" in _no_sdk(tmp_path, command, "--help")


def test_cleanup_script_help_loads_no_sdk(tmp_path: Path) -> None:
    assert "Usage: ssm-patching-cleanup" in _no_sdk(tmp_path, "--help", entry="cleanup_main")


def test_version_names_the_sdk_without_loading_it(tmp_path: Path) -> None:
    out = _no_sdk(tmp_path, "--version")
    assert out.splitlines()[:3] == [
        f"ssm-patching-setup, version {metadata.version('ssm-patching-setup')}",
        f"boto3 {metadata.version('boto3')}",
        f"botocore {metadata.version('botocore')}",
    ]
    assert out.splitlines()[3].startswith("Python ")


def test_init_loads_no_sdk(tmp_path: Path) -> None:
    assert "wrote patching.toml" in _no_sdk(tmp_path, "init")
    assert (tmp_path / "patching.toml").is_file()
    assert _no_sdk(tmp_path, "init", "-").startswith("#:schema")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_loads_no_sdk(tmp_path: Path, shell: str) -> None:
    assert "_SSM_PATCHING_SETUP_COMPLETE" in _no_sdk(tmp_path, "completion", shell)


def _tab(tmp_path: Path, line: str) -> list[str]:
    """bash's TAB on ``line`` (its last word may be empty): the values offered."""
    words = line.split(" ")
    env = _env(
        _SSM_PATCHING_SETUP_COMPLETE="bash_complete",
        COMP_WORDS=line,
        COMP_CWORD=str(len(words) - 1),
    )
    result, loaded = _probe(tmp_path, env=env)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert loaded == [], f"TAB on {line!r} imported {loaded[:8]}"
    return [item.split(",", 1)[1] for item in result.stdout.splitlines()]


def test_tab_completion_still_works_and_loads_no_sdk(tmp_path: Path) -> None:
    assert _tab(tmp_path, "ssm-patching-setup st") == ["status"]
    assert {"apply", "export", "status"} <= set(_tab(tmp_path, "ssm-patching-setup "))
    assert _tab(tmp_path, "ssm-patching-setup --regi") == ["--region"]
    assert "--dry-run" in _tab(tmp_path, "ssm-patching-setup -r eu-west-1 --d")
    assert "--fleet" in _tab(tmp_path, "ssm-patching-setup status -r us-east-1 --f")
    # The values come from botocore's model, read without botocore (click offers them
    # casefolded: the choice is case-insensitive).
    offered = _tab(tmp_path, "ssm-patching-setup export --operating-system AMAZON_LINUX_202")
    assert offered == ["amazon_linux_2022", "amazon_linux_2023"]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    _no_sdk(tmp_path, "init", "sample.toml")
    return tmp_path / "sample.toml"


def test_export_loads_no_sdk(tmp_path: Path, config: Path) -> None:
    assert '"AWS::SSM::MaintenanceWindow"' in _no_sdk(tmp_path, "export")
    assert '"AWS::SSM::PatchBaseline"' in _no_sdk(tmp_path, "export", "--config", str(config))
    # A baseline file is checked against botocore's model, read without botocore.
    out = _no_sdk(tmp_path, "export", "-b", str(SEED_FILES[0]), "-w", "1", "-d", "2")
    assert '"AWS::SSM::PatchBaseline"' in out


def test_a_bad_baseline_file_is_refused_without_loading_the_sdk(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"Name": "bad-os", "OperatingSystem": "AMAZON_LINUX_3"}))
    result, loaded = _probe(tmp_path, "export", "-b", str(bad))
    assert result.returncode == 2 and "AMAZON_LINUX_3" in result.stderr, result.stderr
    assert loaded == []


def test_policy_loads_no_sdk(tmp_path: Path, config: Path) -> None:
    assert '"Statement"' in _no_sdk(tmp_path, "policy")
    assert '"Statement"' in _no_sdk(tmp_path, "policy", "--config", str(config))


def test_calendar_from_the_model_loads_no_sdk(tmp_path: Path, config: Path) -> None:
    assert "BEGIN:VCALENDAR" in _no_sdk(
        tmp_path, "calendar", "--config", str(config), "--format", "ics"
    )
    assert _no_sdk(tmp_path, "calendar", "-w", "1", "-d", "2", "--months", "1")


def test_the_shipped_examples_are_where_the_probe_runs() -> None:
    # The probe imports patchsetup from this checkout, not from another install.
    assert Path(__import__("patchsetup").__file__).resolve().is_relative_to(ROOT)
