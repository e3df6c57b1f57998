"""The one launcher of the tools/ servers (local_aws, fault_proxy) for tests and demos.

``launch("local_aws", "--port", "0")`` starts ``python -m tools.local_aws --port 0`` from
the repository root, its stdout piped (the ready line) and its stderr in a log file;
``wait_ready`` reads the ready line every server prints once it accepts connections
(``<module> listening on http://HOST:PORT``) and fills in the URL; ``start`` does both.
``stop`` sends SIGTERM, then SIGKILL if the server is still up 10 s later, and says what
went wrong if it did not exit cleanly (a non-zero status, a timeout, a traceback on
stderr). ``stderr_tail`` is the end of the server's stderr, for error messages.

Nothing here knows pytest: a server that does not come up raises ``NotReady``, whose
message names the server, its exit status, its stdout line and its stderr tail.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
TAIL = 4000


class NotReady(RuntimeError):
    """The server did not print its ready line in time (it has been killed)."""


@dataclass
class Server:
    """A tools/ server process; ``url`` is empty until its ready line was read."""

    module: str
    url: str
    process: subprocess.Popen[str]
    log_path: Path

    @property
    def port(self) -> int:
        port = urlsplit(self.url).port
        assert port is not None, f"tools/{self.module}.py has no URL yet"
        return port

    @property
    def ready_prefix(self) -> str:
        return f"{self.module} listening on "


def launch(module: str, *args: str, env: Mapping[str, str] | None = None) -> Server:
    """Start ``python -m tools.<module> <args>`` without waiting for it."""
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - handed to the child process
        prefix=f"{module}-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [sys.executable, "-m", f"tools.{module}", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        stdin=subprocess.DEVNULL,
        text=True,
        env=dict(env) if env is not None else None,
    )
    log.close()
    return Server(module, "", process, Path(log.name))


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
) -> Server:
    """Start ``tools/<module>.py`` and wait until it accepts connections."""
    return wait_ready(launch(module, *args, env=env), timeout)


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
    if server.process.stdout is not None:
        server.process.stdout.close()
    if server.log_path.exists():
        text = server.log_path.read_text(errors="replace")
        if "Traceback" in text:
            problem = f"traceback on stderr:\n{text[-TAIL:]}"
        server.log_path.unlink()
    return problem
