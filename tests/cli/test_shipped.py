"""What ships with the tool: LICENSE, the IAM policy, the config schema.

* A wheel built from the sources holds the LICENSE (and says MIT), the config schema and
  the sample; ``policy`` run from that wheel alone, with no repository around, prints the
  same document as the checkout's (which tests/plugins/least_privilege.py keeps exact).
* ``init`` writes the sample with a ``#:schema`` line naming the installed schema file.
"""

from __future__ import annotations

import email
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from patchsetup import __version__
from tests.helpers.cli import run, setup
from tests.helpers.paths import ROOT

SCHEMA_FILE = ROOT / "patchsetup" / "schemas" / "config.schema.json"


def _build_wheel(tmp_path: Path) -> Path:
    """A wheel of a copy of the sources (so no build/ or egg-info lands in the checkout)."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "patchsetup", source / "patchsetup", ignore=shutil.ignore_patterns("__pycache__")
    )
    out = tmp_path / "wheel"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = out.glob("ssm_patching_setup-*.whl")
    return wheel


def test_the_wheel_ships_the_license_schema_and_a_working_policy(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"ssm_patching_setup-{__version__}.dist-info"
        license_name = next(n for n in names if n.startswith(info) and n.endswith("LICENSE"))
        assert archive.read(license_name) == (ROOT / "LICENSE").read_bytes()
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
        assert "Classifier: License :: OSI Approved :: MIT License" in str(metadata)
        assert archive.read("patchsetup/schemas/config.schema.json") == SCHEMA_FILE.read_bytes()
        assert "patchsetup/config/sample.toml" in names
        archive.extractall(tmp_path / "site")
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n\nCopyright (c) 2026 the ")
    # The wheel's package first on the path, run from a directory with no repository.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    from_wheel = subprocess.run(
        [sys.executable, "-c", "import patchsetup, sys; print(patchsetup.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert from_wheel.stdout.startswith(str(tmp_path / "site")), from_wheel.stdout
    for args in ((), ("--brownfield", "--create-service-role", "--account", "123456789012")):
        shipped = subprocess.run(
            [sys.executable, "-m", "patchsetup", "policy", *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert shipped.returncode == 0, shipped.stderr
        checkout = setup("http://127.0.0.1:9", "policy", *args)
        assert checkout.returncode == 0, checkout.stderr
        assert json.loads(shipped.stdout) == json.loads(checkout.stdout)
        assert json.loads(shipped.stdout)["Statement"][0]["Sid"] == "ReadPatchingListings"
    sample = subprocess.run(
        [sys.executable, "-m", "patchsetup", "init", "-"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    schema = (tmp_path / "site" / "patchsetup" / "schemas" / "config.schema.json").as_uri()
    assert sample.stdout.splitlines()[0] == f"#:schema {schema}"


def test_init_names_the_installed_schema_for_editors(tmp_path: Path) -> None:
    path = tmp_path / "patching.toml"
    made = run("http://127.0.0.1:9", "ssm-patching-setup", "init", str(path))
    assert made.returncode == 0, made.stderr
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"#:schema {SCHEMA_FILE.as_uri()}"
    assert (
        lines[1]
        == "# ssm-patching-setup config: the Patch Manager setup of one account and Region."
    )
    printed = run("http://127.0.0.1:9", "ssm-patching-setup", "init", "-")
    assert printed.stdout.splitlines() == lines
