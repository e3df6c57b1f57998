"""The console scripts collect garbage rarely while a command runs (console.py): what
the imports made is frozen, and the youngest generation waits GEN0_THRESHOLD objects."""

from __future__ import annotations

import json
import subprocess
import sys

from patchsetup.console import GEN0_THRESHOLD

_PROBE = """\
import atexit, gc, json, sys
before = gc.get_threshold()
atexit.register(lambda: print(json.dumps([before, gc.get_threshold(), gc.get_freeze_count()])))
sys.argv = ["ssm-patching-setup", "--version"]
from patchsetup import console
console.setup_main()
"""


def test_a_command_runs_with_the_imports_frozen_and_a_high_threshold() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True
    )
    before, during, frozen = json.loads(result.stdout.splitlines()[-1])
    assert during == [GEN0_THRESHOLD, *before[1:]]  # the older generations as they were
    assert before[0] < GEN0_THRESHOLD
    assert frozen > 1000  # click and the package, at least
