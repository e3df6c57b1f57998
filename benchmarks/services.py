"""The servers a benchmark talks to: ``tools/local_aws.py`` behind ``tools/fault_proxy.py``.

Started as subprocesses on free ports (``--port 0``); ``Bench`` resets them between
runs and reads the proxy's counters. Also the console scripts' environment.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
READY_TIMEOUT = 60.0
CONTROL_TIMEOUT = 10.0


@dataclass
class Service:
    """A started tools/*.py server; ``log`` holds (arrival time, line) of its stderr."""

    name: str
    url: str
    process: subprocess.Popen[str]
    log: list[tuple[float, str]] = field(default_factory=list)
    guard: threading.Lock = field(default_factory=threading.Lock)

    def lines_since(self, mark: int) -> list[tuple[float, str]]:
        with self.guard:
            return self.log[mark:]

    def mark(self) -> int:
        with self.guard:
            return len(self.log)


def _pump(stream: IO[str], service: Service) -> None:
    for line in stream:
        stamp = time.monotonic()
        with service.guard:
            service.log.append((stamp, line.rstrip("\n")))


def start_service(name: str, script: str, *args: str) -> Service:
    """Start ``tools/<script> --port 0 ...`` and wait for its ``listening on URL`` line."""
    process = subprocess.Popen(
        [sys.executable, "-u", str(ROOT / "tools" / script), "--port", "0", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    ready: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    threading.Thread(target=lambda: ready.put(stdout.readline()), daemon=True).start()
    try:
        line = ready.get(timeout=READY_TIMEOUT)
    except queue.Empty:
        line = ""
    service = Service(name, "", process)
    threading.Thread(target=_pump, args=(process.stderr, service), daemon=True).start()
    marker = f"{name} listening on "
    if not line.startswith(marker):
        stop_service(service)
        tail = "\n".join(text for _, text in service.log[-20:])
        raise SystemExit(f"{script} did not start (ready line {line!r}):\n{tail}")
    service.url = line[len(marker) :].strip()
    return service


def stop_service(service: Service) -> None:
    if service.process.poll() is None:
        service.process.terminate()
        try:
            service.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            service.process.kill()
            service.process.wait(timeout=10)


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
    endpoint: Service
    proxy: Service
    latency_ms: float
    env: dict[str, str]

    def reset_endpoint(self) -> None:
        """Forget every resource in every region (moto's reset)."""
        http_json("POST", f"{self.endpoint.url}/moto-api/reset", {})

    def reset_proxy(self) -> None:
        """Zero the counters and set the latency again (a reset clears the config)."""
        http_json("POST", f"{self.proxy.url}/__proxy/reset", {})
        http_json("POST", f"{self.proxy.url}/__proxy/config", {"latency_ms": self.latency_ms})

    def stats(self) -> dict[str, Any]:
        answer: dict[str, Any] = http_json("GET", f"{self.proxy.url}/__proxy/stats")
        return answer


@contextmanager
def started(latency_ms: float) -> Iterator[Bench]:
    endpoint = start_service("local_aws", "local_aws.py")
    proxy: Service | None = None
    try:
        proxy = start_service(
            "fault_proxy", "fault_proxy.py", "--upstream", endpoint.url, "--verbose"
        )
        yield Bench(endpoint, proxy, latency_ms, cli_env(proxy.url))
    finally:
        if proxy is not None:
            stop_service(proxy)
        stop_service(endpoint)


def cli_env(proxy_url: str) -> dict[str, str]:
    """The environment of the console scripts: the proxy as endpoint, fake credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=proxy_url,
        AWS_ACCESS_KEY_ID="benchmark",
        AWS_SECRET_ACCESS_KEY="benchmark",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return env


def console_script(name: str) -> str:
    """The console script next to this interpreter (the venv's), else on PATH."""
    beside = BIN / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found next to {sys.executable} nor on PATH")
    return found
