"""One measured run: the console script through the proxy, timed, its calls counted.

Wall time, the arrival time of every request (from the proxy's ``--verbose`` log),
the report's summary, and the CPU of the tool, the two servers and the rest of the
machine (Linux /proc).
"""

from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from scenarios import Cell
from services import Bench, console_script

RUN_TIMEOUT = 900.0
_PROXY_LINE = re.compile(r"^fault_proxy: (?P<op>\S+) fault=(?P<fault>\S+)(?: at=(?P<at>\S+))?$")
LOCK_WRITES = ("ssm:PutParameter", "ssm:DeleteParameter")


@dataclass
class Result:
    cell: Cell
    wall: float = 0.0
    exit_code: int = -1
    reads: int = 0
    writes: int = 0
    ops: Counter[str] = field(default_factory=Counter)
    #: Requests the proxy throttled, per operation (every one was retried or failed).
    throttled: Counter[str] = field(default_factory=Counter)
    #: Requests the proxy let through, per (account/region, operation).
    passed: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: Requests in a row (the proxy's ``chain``): the highest round, a request's round
    #: being one more than the highest of those answered before it arrived.
    chain: int = 0
    write_ops: Counter[str] = field(default_factory=Counter)
    #: Seconds from the start of the process: first request, first write (the lock),
    #: first and last write of the plan, last write (the lock's release), last request
    #: (each as it reached the proxy), the report on stdout; None when there was none.
    first_request: float | None = None
    first_write: float | None = None
    first_plan_write: float | None = None
    last_plan_write: float | None = None
    last_write: float | None = None
    last_request: float | None = None
    report_at: float | None = None
    summary: dict[str, int] = field(default_factory=dict)
    #: The most in a row in one region, among its own requests (``region_chain``).
    region_chain: int = 0
    error: str = ""
    #: The wall times of every repeat; this result is the one with the median.
    walls: list[float] = field(default_factory=list)
    #: Set when the repeats did not all make the same calls.
    unstable: str = ""
    #: CPU seconds (user + system) during the run: the tool's process, the local
    #: endpoint, the proxy (None where /proc is not there).
    cpu_tool: float = 0.0
    cpu_endpoint: float | None = None
    cpu_proxy: float | None = None
    #: CPU seconds the rest of the machine used during the run (other work).
    cpu_other: float | None = None

    @property
    def cpu_total(self) -> float:
        return self.cpu_tool + (self.cpu_endpoint or 0.0) + (self.cpu_proxy or 0.0)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.error

    @property
    def reads_per_region(self) -> float:
        return self.reads / len(self.cell.regions)


def _summary(stdout: str) -> dict[str, int]:
    """create/update/delete/unchanged summed over the JSON report's targets."""
    document = json.loads(stdout)
    reports = document.get("targets", [document])
    total: Counter[str] = Counter()
    for report in reports:
        for key in ("create", "update", "delete", "unchanged"):
            total[key] += int(report["summary"].get(key, 0))
    return dict(total)


def _wait_for_log(bench: Bench, mark: int, expected: int) -> list[tuple[float, str, str, str]]:
    """The proxy's log lines since ``mark``, once it holds one per counted request."""
    deadline = time.monotonic() + 5.0
    while True:
        lines = [
            (stamp, m.group("op"), m.group("fault"), m.group("at") or "?")
            for stamp, text in bench.proxy_log.since(mark)
            if (m := _PROXY_LINE.match(text))
        ]
        if len(lines) >= expected or time.monotonic() > deadline:
            return lines
        time.sleep(0.01)


@dataclass
class Finished:
    exit_code: int
    stdout: str
    stderr: str
    wall: float
    #: When the first byte of stdout arrived (the report), from the start.
    first_output: float | None


def run_process(argv: Sequence[str], env: dict[str, str]) -> Finished:
    """Run ``argv``; its wall time and when it printed its report."""
    start = time.monotonic()
    process = subprocess.Popen(
        argv,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    out: list[bytes] = []
    err: list[bytes] = []
    first: list[float] = []

    def drain(stream: IO[bytes], into: list[bytes], stamp: bool) -> None:
        while chunk := stream.read1(65536):  # type: ignore[attr-defined]
            if stamp and not first:
                first.append(time.monotonic() - start)
            into.append(chunk)

    pumps = [
        threading.Thread(target=drain, args=(process.stdout, out, True), daemon=True),
        threading.Thread(target=drain, args=(process.stderr, err, False), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    try:
        code = process.wait(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    wall = time.monotonic() - start
    for pump in pumps:
        pump.join(timeout=10)
    return Finished(
        code,
        b"".join(out).decode(errors="replace"),
        b"".join(err).decode(errors="replace"),
        wall,
        first[0] if first else None,
    )


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a running process so far (Linux /proc), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> float | None:
    """CPU seconds the whole machine has been busy since boot (Linux /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _delta(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def run_once(bench: Bench, cell: Cell) -> Result:
    """Run the console script once through the proxy; time it and count its calls."""
    bench.reset_proxy(cell.throttle)
    mark = bench.proxy_log.mark()
    servers = (bench.endpoint.process.pid, bench.proxy.process.pid)
    cpu_before = [cpu_seconds(pid) for pid in servers]
    children_before = _children_cpu()
    machine_before, self_before = machine_cpu(), self_cpu()
    start = time.monotonic()
    done = run_process([console_script("ssm-patching-setup"), *cell.args()], bench.env)
    cpu_tool = _children_cpu() - children_before
    cpu_after = [cpu_seconds(pid) for pid in servers]
    busy = _delta(machine_before, machine_cpu())
    stats = bench.stats()
    lines = _wait_for_log(bench, mark, int(stats["requests"]))
    stamps = [stamp - start for stamp, *_ in lines]
    writes = [(stamp - start, op) for stamp, op, *_ in lines if op in stats["write_ops"]]
    plan_writes = [stamp for stamp, op in writes if op not in LOCK_WRITES]
    result = Result(
        cell=cell,
        wall=done.wall,
        exit_code=done.exit_code,
        reads=int(stats["reads"]),
        writes=int(stats["writes"]),
        ops=Counter(op for _, op, *_ in lines),
        throttled=Counter(stats.get("throttled", {})),
        passed=Counter((at, op) for _, op, fault, at in lines if fault == "None"),
        chain=int(stats.get("chain", 0)),
        write_ops=Counter(stats["write_ops"]),
        region_chain=max(stats.get("region_chain", {}).values(), default=0),
        first_request=min(stamps, default=None),
        first_write=min((s for s, _ in writes), default=None),
        first_plan_write=min(plan_writes, default=None),
        last_plan_write=max(plan_writes, default=None),
        last_write=max((s for s, _ in writes), default=None),
        last_request=max(stamps, default=None),
        report_at=done.first_output,
        walls=[done.wall],
        cpu_tool=cpu_tool,
        cpu_endpoint=_delta(cpu_before[0], cpu_after[0]),
        cpu_proxy=_delta(cpu_before[1], cpu_after[1]),
    )
    if busy is not None and None not in (result.cpu_endpoint, result.cpu_proxy):
        # Whatever the machine did besides the tool, the two servers and this script.
        result.cpu_other = max(0.0, busy - result.cpu_total - (self_cpu() - self_before))
    if done.exit_code != 0:
        result.error = (done.stderr.strip().splitlines() or [f"exit {done.exit_code}"])[-1]
        return result
    try:
        result.summary = _summary(done.stdout)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        result.error = f"unreadable JSON report: {exc}"
        return result
    if len(lines) != stats["requests"]:
        result.error = f"the proxy logged {len(lines)} requests, its stats say {stats['requests']}"
    elif cell.run == "fresh" and not result.summary.get("create"):
        result.error = f"a fresh run created nothing: {result.summary}"
    elif cell.run == "re-run":
        changed = {k: result.summary.get(k, 0) for k in ("create", "update", "delete")}
        if any(changed.values()):
            result.error = f"the re-run changed resources: {changed}"
    return result


def startup_floor(bench: Bench, repeats: int = 3) -> float:
    """Median wall time of ``ssm-patching-setup --version``: interpreter and imports."""
    times = []
    for _ in range(repeats):
        start = time.monotonic()
        subprocess.run(
            [console_script("ssm-patching-setup"), "--version"],
            env=bench.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=True,
        )
        times.append(time.monotonic() - start)
    return statistics.median(times)
