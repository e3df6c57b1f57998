"""The servers a benchmark talks to: ``tools/local_aws.py`` behind ``tools/fault_proxy.py``.

Started on free ports (``--port 0``) and stopped by ``tools/launch.py``, the proxy with
its stderr stamped line by line (the arrival time of every request); ``Bench`` resets
them between runs and reads the proxy's counters. Also the console scripts' environment.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: benchmarks/ is on sys.path, the root is not
    sys.path.insert(0, str(ROOT))

from tools import launch  # noqa: E402
from tools.launch import Server, StderrLines  # noqa: E402

BIN = Path(sys.executable).parent
READY_TIMEOUT = 60.0
CONTROL_TIMEOUT = 10.0


def start_service(module: str, *args: str, stamp_stderr: bool = False) -> Server:
    """Start ``tools/<module>.py --port 0 ...`` (tools/launch.py) and wait until it listens."""
    try:
        return launch.start(
            module, "--port", "0", *args, timeout=READY_TIMEOUT, stamp_stderr=stamp_stderr
        )
    except launch.NotReady as exc:
        raise SystemExit(str(exc)) from exc


def stop_service(server: Server) -> None:
    """Stop it (tools/launch.py); say on stderr if it did not exit cleanly."""
    problem = launch.stop(server)
    if problem is not None:
        print(f"benchmark: tools/{server.module}.py: {problem}", file=sys.stderr)


def http_json(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=CONTROL_TIMEOUT) as response:
        text = response.read()
    return json.loads(text) if text.strip() else None


@dataclass
class Bench:
    endpoint: Server
    proxy: Server
    latency_ms: float
    env: dict[str, str]

    @property
    def proxy_log(self) -> StderrLines:
        """The proxy's ``--verbose`` lines, stamped as they arrived."""
        assert self.proxy.stderr_lines is not None, "the proxy was started without stamp_stderr"
        return self.proxy.stderr_lines

    def reset_endpoint(self) -> None:
        """Forget every resource in every region (moto's reset)."""
        http_json("POST", f"{self.endpoint.url}/moto-api/reset", {})

    def reset_proxy(self, throttle: str = "") -> None:
        """Zero the counters, set the latency again (a reset clears the config) and the
        rate limits (tools/throttle.py; "" for none)."""
        http_json("POST", f"{self.proxy.url}/__proxy/reset", {})
        config = {"latency_ms": self.latency_ms, "throttle": throttle or None}
        http_json("POST", f"{self.proxy.url}/__proxy/config", config)

    def stats(self) -> dict[str, Any]:
        answer: dict[str, Any] = http_json("GET", f"{self.proxy.url}/__proxy/stats")
        return answer


@contextmanager
def started(latency_ms: float) -> Iterator[Bench]:
    endpoint = start_service("local_aws")
    proxy: Server | None = None
    try:
        proxy = start_service(
            "fault_proxy", "--upstream", endpoint.url, "--verbose", stamp_stderr=True
        )
        yield Bench(endpoint, proxy, latency_ms, cli_env(proxy.url))
    finally:
        if proxy is not None:
            stop_service(proxy)
        stop_service(endpoint)


def cli_env(proxy_url: str) -> dict[str, str]:
    """The environment of the console scripts: the proxy as endpoint, fake credentials."""
    return launch.client_env(
        proxy_url,
        AWS_ACCESS_KEY_ID="benchmark",
        AWS_SECRET_ACCESS_KEY="benchmark",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )


def console_script(name: str) -> str:
    """The console script next to this interpreter (the venv's), else on PATH."""
    beside = BIN / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found next to {sys.executable} nor on PATH")
    return found
