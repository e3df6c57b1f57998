"""The no-AWS floor: `python -c "import click"` against every command that makes no AWS call.

Those commands (``--version``, ``--help``, ``init``, ``completion``, a TAB, ``export``,
``policy``, ``calendar`` from the model flags) load no AWS SDK
(tests/unit/test_startup.py), so what they cost beyond the interpreter with click
imported is the tool's own modules and work. Each is run ``repeats`` times, all of
them in turn within one round (so that other work on the machine falls on all
alike), with no AWS setting in the environment; the median of each is reported and
divided by the median of ``import click``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from services import console_script

CLICK = "python -c 'import click'"
#: The interpreter alone, for reading the table (not an aim).
BARE = "python -c pass"


def commands() -> dict[str, tuple[list[str], dict[str, str]]]:
    """label -> (argv, extra environment) of each command measured."""
    tool = console_script("ssm-patching-setup")
    tab = {
        "_SSM_PATCHING_SETUP_COMPLETE": "bash_complete",
        "COMP_WORDS": "ssm-patching-setup st",
        "COMP_CWORD": "1",
    }
    return {
        BARE: ([sys.executable, "-c", "pass"], {}),
        CLICK: ([sys.executable, "-c", "import click"], {}),
        "--version": ([tool, "--version"], {}),
        "--help": ([tool, "--help"], {}),
        "init -": ([tool, "init", "-"], {}),
        "completion bash": ([tool, "completion", "bash"], {}),
        "TAB (ssm-patching-setup st)": ([tool], tab),
        "export": ([tool, "export"], {}),
        "policy": ([tool, "policy"], {}),
        "calendar -w 1 -d 2 --months 1": (
            [tool, "calendar", "-w", "1", "-d", "2", "--months", "1"],
            {},
        ),
    }


@dataclass
class NoAwsFloor:
    #: label -> median wall seconds; CLICK and BARE among them.
    medians: dict[str, float] = field(default_factory=dict)
    repeats: int = 0
    error: str = ""

    @property
    def click(self) -> float:
        return self.medians.get(CLICK, 0.0)

    def ratio(self, label: str) -> float:
        return self.medians[label] / self.click if self.click > 0 else float("inf")

    @property
    def tool_commands(self) -> list[str]:
        return [label for label in self.medians if label not in (CLICK, BARE)]


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "_SSM_"))}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    return {**env, **extra}


def no_aws_floor(repeats: int = 7) -> NoAwsFloor:
    """Median wall time of each no-AWS command and of the click floor, interleaved."""
    measured = commands()
    times: dict[str, list[float]] = {label: [] for label in measured}
    floor = NoAwsFloor(repeats=repeats)
    for _ in range(repeats):
        for label, (argv, extra) in measured.items():
            start = time.monotonic()
            done = subprocess.run(
                argv, env=_env(extra), stdin=subprocess.DEVNULL, capture_output=True, check=False
            )
            times[label].append(time.monotonic() - start)
            if done.returncode != 0 and not floor.error:
                floor.error = f"{label} exited {done.returncode}: {done.stderr.decode()[-200:]}"
    floor.medians = {label: statistics.median(ts) for label, ts in times.items()}
    return floor


def floor_lines(floor: NoAwsFloor, limit: float) -> Sequence[str]:
    """The Markdown table of the no-AWS floor (median seconds, and x the click floor)."""
    lines = [
        f"Median of {floor.repeats} runs each, taken in turn in the same rounds, with no AWS "
        "setting in the environment; `x click` is the median divided by that of "
        f"`{CLICK}` (the aim: at most {limit:g}x).",
        "",
        "| command | median s | x click |",
        "| --- | ---: | ---: |",
    ]
    for label, median in floor.medians.items():
        shown = label if label in (CLICK, BARE) else f"ssm-patching-setup {label}"
        if label.startswith("TAB"):
            shown = label
        lines.append(f"| `{shown}` | {median:.3f} | {floor.ratio(label):.2f} |")
    if floor.error:
        lines += ["", f"**A command failed**: {floor.error}"]
    return lines
