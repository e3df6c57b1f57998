"""The one launcher of the tools/ servers (local_aws, fault_proxy) for tests and demos.

``launch("local_aws", "--port", "0")`` starts ``python -m tools.local_aws --port 0`` from
the repository root, its stdout piped (the ready line) and its stderr in a log file;
``wait_ready`` reads the ready line every server prints once it accepts connections
(``<module> listening on http://HOST:PORT``) and fills in the URL; ``start`` does both.
``stop`` sends SIGTERM, then SIGKILL if the server is still up 10 s later, and says what
went wrong if it did not exit cleanly (a non-zero status, a timeout, a traceback on
stderr). ``stderr_tail`` is the end of the server's stderr, for error messages.
With ``stamp_stderr=True`` (the benchmark, which times requests by the proxy's
``--verbose`` lines) stderr is piped instead and read on a thread: every line goes to the
same log file and into ``server.stderr_lines`` with the ``time.monotonic()`` it arrived.
``client_env`` is the environment of a console script that talks to a started server.

Nothing here knows pytest: a server that does not come up raises ``NotReady``, whose
message names the server, its exit status, its stdout line and its stderr tail.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
TAIL = 4000


class NotReady(RuntimeError):
    """The server did not print its ready line in time (it has been killed)."""


class StderrLines:
    """The lines a server wrote to stderr, each with the ``time.monotonic()`` it arrived."""

    def __init__(self) -> None:
        self._lines: list[tuple[float, str]] = []
        self._guard = threading.Lock()

    def append(self, stamp: float, line: str) -> None:
        with self._guard:
            self._lines.append((stamp, line))

    def mark(self) -> int:
        """How many lines have arrived so far (a ``since`` argument)."""
        with self._guard:
            return len(self._lines)

    def since(self, mark: int) -> list[tuple[float, str]]:
        """The (arrival time, line) pairs that arrived after ``mark``."""
        with self._guard:
            return self._lines[mark:]


@dataclass
class Server:
    """A tools/ server process; ``url`` is empty until its ready line was read.

    ``stderr_lines`` and ``pump`` are set only when it was launched with ``stamp_stderr``.
    """

    module: str
    url: str
    process: subprocess.Popen[str]
    log_path: Path
    stderr_lines: StderrLines | None = None
    pump: threading.Thread | None = field(default=None, repr=False)

    @property
    def port(self) -> int:
        port = urlsplit(self.url).port
        assert port is not None, f"tools/{self.module}.py has no URL yet"
        return port

    @property
    def ready_prefix(self) -> str:
        return f"{self.module} listening on "


def _pump(stream: IO[str], log_path: Path, lines: StderrLines) -> None:
    """Stamp every stderr line as it arrives, keep it and write it to the log file."""
    with stream, log_path.open("a") as log:
        for line in stream:
            lines.append(time.monotonic(), line.rstrip("\n"))
            log.write(line)
            log.flush()


def launch(
    module: str,
    *args: str,
    env: Mapping[str, str] | None = None,
    stamp_stderr: bool = False,
) -> Server:
    """Start ``python -m tools.<module> <args>`` without waiting for it."""
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - handed to the child process
        prefix=f"{module}-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [sys.executable, "-m", f"tools.{module}", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if stamp_stderr else log,
        stdin=subprocess.DEVNULL,
        text=True,
        env=dict(env) if env is not None else None,
    )
    log.close()
    server = Server(module, "", process, Path(log.name))
    if stamp_stderr:
        assert process.stderr is not None
        server.stderr_lines = StderrLines()
        server.pump = threading.Thread(
            target=_pump, args=(process.stderr, server.log_path, server.stderr_lines), daemon=True
        )
        server.pump.start()
    return server


def _read_ready_line(process: subprocess.Popen[str], timeout: float) -> str | None:
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    reader = threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True)
    reader.start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return None


def _drained(server: Server) -> None:
    """Wait until a stamping server's stderr has all reached the log file (it has exited)."""
    if server.pump is not None:
        server.pump.join(timeout=STOP_TIMEOUT)


def stderr_tail(server: Server, chars: int = TAIL) -> str:
    """The last ``chars`` characters the server wrote to stderr ("" once it is gone)."""
    if not server.log_path.exists():
        return ""
    return server.log_path.read_text(errors="replace")[-chars:]


def wait_ready(server: Server, timeout: float = READY_TIMEOUT) -> Server:
    """Read the ready line and set ``server.url``; kill the server and raise if it is late."""
    line = _read_ready_line(server.process, timeout)
    if not line or not line.startswith(server.ready_prefix):
        server.process.kill()
        server.process.wait(timeout=STOP_TIMEOUT)
        _drained(server)
        raise NotReady(
            f"tools/{server.module}.py did not print its ready line within {timeout:.0f}s "
            f"(exit code {server.process.returncode}); stdout line: {line!r}\nstderr:\n"
            f"{stderr_tail(server)}"
        )
    server.url = line[len(server.ready_prefix) :].strip()
    return server


def start(
    module: str,
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = READY_TIMEOUT,
    stamp_stderr: bool = False,
) -> Server:
    """Start ``tools/<module>.py`` and wait until it accepts connections."""
    return wait_ready(launch(module, *args, env=env, stamp_stderr=stamp_stderr), timeout)


def stop(server: Server) -> str | None:
    """SIGTERM the server (SIGKILL after 10 s); a problem description if it did not exit cleanly.

    The log file is removed; read ``stderr_tail`` before stopping if it is needed.
    """
    problem = None
    if server.process.poll() is None:
        server.process.terminate()
        try:
            if server.process.wait(timeout=STOP_TIMEOUT) != 0:
                problem = f"exit status {server.process.returncode} after SIGTERM"
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=STOP_TIMEOUT)
            problem = "did not stop within 10 s of SIGTERM"
    _drained(server)
    if server.process.stdout is not None:
        server.process.stdout.close()
    if server.log_path.exists():
        text = server.log_path.read_text(errors="replace")
        if "Traceback" in text:
            problem = f"traceback on stderr:\n{text[-TAIL:]}"
        server.log_path.unlink()
    return problem


def client_env(url: str, **aws: str) -> dict[str, str]:
    """The environment of a console script whose AWS endpoint is the server at ``url``.

    None of the caller's ``AWS_*`` variables (no profile, no real credentials), the
    endpoint, no instance metadata; ``aws`` on top (fake credentials, a region, ...).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=url, AWS_EC2_METADATA_DISABLED="true")
    env.update(aws)
    return env
