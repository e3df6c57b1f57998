"""Running a console script with stdout and/or stderr on a pseudo-terminal, as in a shell.

``on_terminal`` starts the real script (``tests.helpers.cli.BIN``) with each of stdout
and stderr on a pty of its own, or on a pipe, and reads both until it exits. A pty
turns "\\n" into "\\r\\n": the texts come back with that undone, so a lone "\\r" is
what the program wrote itself. ``screen`` is what a terminal shows after the text:
"\\r" returns to the line's start and later characters overwrite earlier ones.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from dataclasses import dataclass

from tests.helpers.cli import BIN, cli_env


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


TWO_REGIONS = ("-r", "us-east-1", "-r", "eu-west-1")
#: Where a colour starts (and ends: ESC + "0m").
ESC = "\x1b["


def terminal_env(url: str, **extra: str) -> dict[str, str]:
    """``cli_env`` without any colour setting of the caller's, ``extra`` on top."""
    env = cli_env(url, **extra)
    for name in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "TERM"):
        if name not in extra:
            env.pop(name, None)
    return env


def setup_on_terminal(url: str, *args: str, env: dict[str, str] | None = None, **tty: bool) -> Ran:
    """``ssm-patching-setup`` on a terminal (``on_terminal``); it must succeed."""
    ran = on_terminal("ssm-patching-setup", *args, env=env or terminal_env(url), **tty)
    assert ran.returncode == 0, f"exit {ran.returncode}\n{ran.stdout}\n{ran.stderr}"
    return ran


def on_terminal(
    command: str,
    *args: str,
    env: dict[str, str],
    stdout_tty: bool = True,
    stderr_tty: bool = True,
    timeout: float = 120,
) -> Ran:
    """Run ``command`` with ``args``; stdin is not a terminal (no question can wait)."""
    ends: dict[str, tuple[int, int]] = {}
    for name, tty in (("stdout", stdout_tty), ("stderr", stderr_tty)):
        ends[name] = pty.openpty() if tty else os.pipe()  # (read end, write end)
    process = subprocess.Popen(
        [str(BIN / command), *args],
        stdin=subprocess.DEVNULL,
        stdout=ends["stdout"][1],
        stderr=ends["stderr"][1],
        env=env,
    )
    for _, write_end in ends.values():
        os.close(write_end)
    chunks: dict[int, list[bytes]] = {read_end: [] for read_end, _ in ends.values()}
    open_ends = set(chunks)
    deadline = time.monotonic() + timeout
    while open_ends:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            process.kill()
            raise TimeoutError(f"{command} {args} did not finish in {timeout}s")
        ready, _, _ = select.select(list(open_ends), [], [], remaining)
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: a pty whose other side has closed
                data = b""
            if data:
                chunks[fd].append(data)
            else:
                open_ends.discard(fd)
                os.close(fd)
    returncode = process.wait(timeout=timeout)

    def text(name: str) -> str:
        raw = b"".join(chunks[ends[name][0]]).decode()
        return raw.replace("\r\n", "\n")

    return Ran(returncode, text("stdout"), text("stderr"))


def screen(text: str) -> list[str]:
    """The lines a terminal shows after ``text`` ("\\r" overwrites from the line start)."""
    shown = []
    for line in text.split("\n"):
        cells: list[str] = []
        column = 0
        for char in line:
            if char == "\r":
                column = 0
                continue
            if column < len(cells):
                cells[column] = char
            else:
                cells.append(char)
            column += 1
        shown.append("".join(cells).rstrip())
    return shown
