"""Where things are: the repository, the tests' data and the example configs."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
DATA = TESTS / "data"
EXAMPLES = ROOT / "examples"
#: The replaced tool's baseline files (seed 003), as the shared reference holds them.
SEED = DATA / "baselines" / "seed-tool"
