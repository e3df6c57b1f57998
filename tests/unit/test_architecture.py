"""The house rules of the package layout, checked so that they cannot drift.

* The pure layers (``deploy/``, ``schedule/``, ``model.py``, ``config/``, the baseline
  presets and comparison, the export) load no boto3 or botocore when imported: checked in
  a fresh interpreter, and the check is shown to catch a module that does load them.
* No import cycle, and no import running back up the layers (``LAYERS``: cli, runner,
  report/status, aws, deploy/config/seed, schedule/baselines/model, the bottom).
* Only ``runner/`` knows the run protocol: it alone imports the lock and the executor.
* No module over 400 lines, in the package, the tools, the benchmarks and the tests.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "patchsetup"

PURE = [
    "patchsetup.model",
    "patchsetup.seed",
    "patchsetup.config",
    "patchsetup.baselines.compare",
    "patchsetup.baselines.presets",
    "patchsetup.deploy.planner",
    "patchsetup.deploy.sweeper",
    "patchsetup.deploy.executor",
    "patchsetup.deploy.instance_tags",
    "patchsetup.fleet.assign",
    "patchsetup.export.template",
    "patchsetup.schedule.window_runs",
    "patchsetup.schedule.warnings",
    "patchsetup.schedule.words",
    "patchsetup.progress",
    "patchsetup.colour",
    "patchsetup.logtarget",
    "patchsetup.calendars.events",
    "patchsetup.calendars.ics",
    "patchsetup.calendars.month",
    "patchsetup.coverage",
    "patchsetup.deploy.remote_fleet",
    "patchsetup.baselines.shapes",
    "patchsetup.aws.errors",
    "patchsetup.runner.request",
]

#: Lower number, lower layer: a module imports its own layer or lower ones only.
LAYERS: dict[str, int] = {
    **dict.fromkeys(
        ["errors", "files", "signals", "quotas", "aws_defaults", "fields", "samples"], 0
    ),
    **dict.fromkeys(["logtarget", "colour", "progress"], 0),
    **dict.fromkeys(["model", "roles", "schedule", "baselines"], 1),
    **dict.fromkeys(["policy", "seed", "config", "deploy", "checks", "fleet"], 2),
    **dict.fromkeys(["export", "aws", "calendars"], 3),
    **dict.fromkeys(["report", "status", "coverage", "document"], 4),
    "runner": 5,
    "cli": 6,
    "console": 7,
    "__main__": 8,
}

#: Only runner/ may import these: they are the run protocol's parts.
PROTOCOL = ["patchsetup.aws.lock", "patchsetup.deploy.executor"]

MAX_LINES = 400
SIZED = ("patchsetup", "tools", "benchmarks", "tests")


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _module_imports(tree: ast.Module) -> Iterator[ast.ImportFrom | ast.Import]:
    """Imports run at import time: top level, not under TYPE_CHECKING, not in a function."""
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.ImportFrom | ast.Import):
                yield sub


def _imports(path: Path) -> set[str]:
    """The patchsetup modules that importing ``path`` imports."""
    found: set[str] = set()
    for node in _module_imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif node.module == "patchsetup":
            found.update(f"patchsetup.{alias.name}" for alias in node.names)
        elif node.module and node.module.startswith("patchsetup."):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    names = {name for name, _ in _modules()}
    return {name for name in found if name in names}


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1]] if len(parts) > 1 else 0


def _loaded_aws_sdk(module: str) -> list[str]:
    code = (
        "import importlib, json, sys; importlib.import_module(sys.argv[1]); "
        "sdk = ('boto3', 'botocore'); "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in sdk)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, module], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(result.stdout)
    return loaded


@pytest.mark.parametrize("module", PURE)
def test_a_pure_module_loads_no_aws_sdk(module: str) -> None:
    assert _loaded_aws_sdk(module) == [], f"importing {module} loads boto3/botocore"


def test_the_purity_check_catches_a_module_that_loads_botocore() -> None:
    assert "botocore" in _loaded_aws_sdk("patchsetup.aws.session")


def test_the_import_scan_sees_what_a_module_imports() -> None:
    imported = _imports(PACKAGE / "runner" / "protocol.py")
    assert {"patchsetup.aws.lock", "patchsetup.deploy.executor", "patchsetup.report"} <= imported
    # The report's import of the executor is for type checking only: not an import.
    assert "patchsetup.deploy.executor" not in _imports(PACKAGE / "report.py")


def test_every_module_has_a_layer() -> None:
    unknown = [name for name, _ in _modules() if "." in name and name.split(".")[1] not in LAYERS]
    assert unknown == []


def test_no_import_runs_back_up_the_layers() -> None:
    upward = [
        f"{name} (layer {_layer(name)}) imports {target} (layer {_layer(target)})"
        for name, path in _modules()
        for target in sorted(_imports(path))
        if _layer(target) > _layer(name)
    ]
    assert upward == []


def test_no_import_cycle() -> None:
    # A package's __init__ runs before its children: an edge to it is no cycle.
    graph = {
        name: {t for t in _imports(path) if t != name and not name.startswith(t + ".")}
        for name, path in _modules()
    }
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target, [*stack, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


@pytest.mark.parametrize("protocol", PROTOCOL)
def test_only_the_runner_knows_the_run_protocol(protocol: str) -> None:
    users = sorted(name for name, path in _modules() if protocol in _imports(path))
    assert users and all(name.startswith("patchsetup.runner.") for name in users), users


def test_no_module_is_over_the_size_limit() -> None:
    files = [path for part in SIZED for path in (ROOT / part).rglob("*.py")]
    long = {
        str(path.relative_to(ROOT)): n
        for path in files
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
