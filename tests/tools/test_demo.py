"""The README's first command: tools/demo.py runs end to end against its own endpoint."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers.paths import ROOT


def test_the_demo_sets_up_assigns_shows_and_cleans_up() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "demo.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    # Setup, then nothing to do on the second run.
    assert "Result: 33 created, 0 updated, 0 deleted, 0 unchanged" in out
    assert "Result: 0 created, 0 updated, 0 deleted, 33 unchanged" in out
    # The 8 seeded nodes, one per default patch group, and status sees exactly that.
    assert "Result: 8 tagged, 0 moved, 0 unchanged" in out
    assert "fleet    8 managed nodes: 8 in the 8 patch groups of this setup" in out
    assert "warning:" not in out
    # The calendar of one month: every default window runs once a month.
    assert ", 8 runs of 8 windows" in out
    # Cleanup removes exactly what setup made (the patch groups go with their baseline).
    assert out.rstrip().endswith("Result: 0 created, 0 updated, 25 deleted, 0 unchanged")
