"""Benchmark ssm-patching-setup: wall time and AWS calls, fresh and re-run, 1 and 4 regions.

Starts ``tools/local_aws.py`` (the local endpoint) and ``tools/fault_proxy.py`` in front
of it (a fixed latency per forwarded request, 50 ms by default) as subprocesses, then runs
the real console script through the proxy for every cell of

    windows (8, 40) x regions (1, 4) x run (fresh, re-run) x concurrency (default, 1)

and reports the wall time of the process and the read and write calls the proxy saw
(its stats are reset before each run; the endpoint is reset before each scenario, so
every fresh run starts from an empty account). The per-operation counts and the arrival
time of each request come from the proxy's ``--verbose`` log on stderr.

    .venv/bin/python benchmarks/run.py                       # print the table
    .venv/bin/python benchmarks/run.py --check               # ... exit 1 if an aim fails
    .venv/bin/python benchmarks/run.py --latency-ms 50 --markdown benchmarks/README.md

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import queue
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
READY_TIMEOUT = 60.0
RUN_TIMEOUT = 900.0
CONTROL_TIMEOUT = 10.0

ONE_REGION = ("us-east-1",)
FOUR_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1")
#: The tool's default --concurrency (patchsetup/deploy/executor.py DEFAULT_CONCURRENCY).
DEFAULT = "default"
#: Window flags per window count: one window per week x day x hour.
WINDOW_FLAGS: dict[int, tuple[str, ...]] = {
    8: (),  # the defaults: -w 1,2 -d 2,3 -t 3,4
    40: ("-w", "1,2,3,4,5", "-d", "1,2,3,4", "-t", "3,4"),
}
#: Aim 3: a re-run reads at most READS_PER_WINDOW * N + READS_EXTRA calls per region.
READS_PER_WINDOW = 4
READS_EXTRA = 10

_PROXY_LINE = re.compile(r"^fault_proxy: (?P<op>\S+) fault=(?P<fault>\S+)$")
_LOCK_WRITES = ("ssm:PutParameter", "ssm:DeleteParameter")


def window_flags(count: int) -> tuple[str, ...]:
    """The -w/-d/-t flags that make ``count`` windows (8 are the tool's defaults)."""
    if count not in WINDOW_FLAGS:
        raise ValueError(f"no window flags for {count} windows (known: {sorted(WINDOW_FLAGS)})")
    return WINDOW_FLAGS[count]


# -- the services ----------------------------------------------------------------------


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


# -- one run ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    windows: int
    regions: tuple[str, ...]
    run: str  # "fresh" or "re-run"
    concurrency: str  # DEFAULT or a number

    def args(self) -> list[str]:
        args = ["-r", ",".join(self.regions), *window_flags(self.windows)]
        if self.concurrency != DEFAULT:
            args += ["--concurrency", self.concurrency]
        return [*args, "--output", "json", "--yes"]

    @property
    def label(self) -> str:
        return (
            f"{self.windows} windows, {len(self.regions)} region(s), {self.run}, "
            f"concurrency {self.concurrency}"
        )


@dataclass
class Result:
    cell: Cell
    wall: float = 0.0
    exit_code: int = -1
    reads: int = 0
    writes: int = 0
    ops: Counter[str] = field(default_factory=Counter)
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


def _wait_for_log(bench: Bench, mark: int, expected: int) -> list[tuple[float, str]]:
    """The proxy's log lines since ``mark``, once it holds one per counted request."""
    deadline = time.monotonic() + 5.0
    while True:
        lines = [
            (stamp, m.group("op"))
            for stamp, text in bench.proxy.lines_since(mark)
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


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _delta(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def run_once(bench: Bench, cell: Cell) -> Result:
    """Run the console script once through the proxy; time it and count its calls."""
    bench.reset_proxy()
    mark = bench.proxy.mark()
    servers = (bench.endpoint.process.pid, bench.proxy.process.pid)
    cpu_before = [cpu_seconds(pid) for pid in servers]
    children_before = _children_cpu()
    machine_before, self_before = machine_cpu(), _self_cpu()
    start = time.monotonic()
    done = run_process([console_script("ssm-patching-setup"), *cell.args()], bench.env)
    cpu_tool = _children_cpu() - children_before
    cpu_after = [cpu_seconds(pid) for pid in servers]
    busy = _delta(machine_before, machine_cpu())
    stats = bench.stats()
    lines = _wait_for_log(bench, mark, int(stats["requests"]))
    stamps = [stamp - start for stamp, _ in lines]
    writes = [(stamp - start, op) for stamp, op in lines if op in stats["write_ops"]]
    plan_writes = [stamp for stamp, op in writes if op not in _LOCK_WRITES]
    result = Result(
        cell=cell,
        wall=done.wall,
        exit_code=done.exit_code,
        reads=int(stats["reads"]),
        writes=int(stats["writes"]),
        ops=Counter(op for _, op in lines),
        write_ops=Counter(stats["write_ops"]),
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
        result.cpu_other = max(0.0, busy - result.cpu_total - (_self_cpu() - self_before))
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


def run_scenario(
    bench: Bench, windows: int, regions: tuple[str, ...], concurrency: str
) -> list[Result]:
    """On an empty account, a fresh run, then the same command again.

    A failed run is retried once, from an empty account again.
    """
    results: list[Result] = []
    for attempt in (1, 2):
        bench.reset_endpoint()
        results = []
        for run in ("fresh", "re-run"):
            result = run_once(bench, Cell(windows, regions, run, concurrency))
            results.append(result)
            progress(result)
            if not result.ok:
                break
        if all(r.ok for r in results):
            return results
        if attempt == 1:
            print("  retrying once, from an empty account", file=sys.stderr, flush=True)
    return results + [
        Result(Cell(windows, regions, run, concurrency), error="not run: the fresh run failed")
        for run in ("fresh", "re-run")[len(results) :]
    ]


#: A run during which other work used more than this share of the cores is redone.
BUSY_SHARE = 0.10
#: How often a scenario is redone because the machine was busy, at most.
BUSY_REDOS = 3


def busy_share(result: Result) -> float:
    """The share of the machine's cores that other work used during the run."""
    if result.cpu_other is None or result.wall <= 0:
        return 0.0
    return result.cpu_other / (result.wall * (os.cpu_count() or 1))


def wait_quiet(max_wait: float, window: float = 5.0) -> None:
    """Wait (at most ``max_wait`` s) until other work leaves the cores idle twice in a row."""
    deadline = time.monotonic() + max_wait
    quiet = 0
    while quiet < 2 and time.monotonic() < deadline:
        before, own = machine_cpu(), _self_cpu()
        time.sleep(window)
        after = machine_cpu()
        if before is None or after is None:
            return
        share = (after - before - (_self_cpu() - own)) / (window * (os.cpu_count() or 1))
        quiet = quiet + 1 if share < BUSY_SHARE else 0
        if quiet == 0:
            print(
                f"  machine busy ({share:.0%} of the cores): waiting", file=sys.stderr, flush=True
            )


def measured_scenario(
    bench: Bench, windows: int, regions: tuple[str, ...], concurrency: str, max_wait: float
) -> list[Result]:
    """run_scenario, redone after a wait when other work competed for the cores."""
    results = run_scenario(bench, windows, regions, concurrency)
    for _ in range(BUSY_REDOS):
        busiest = max(busy_share(r) for r in results)
        if busiest <= BUSY_SHARE or max_wait <= 0:
            break
        print(
            f"  other work used {busiest:.0%} of the cores during a run: redoing the scenario",
            file=sys.stderr,
            flush=True,
        )
        wait_quiet(max_wait)
        results = run_scenario(bench, windows, regions, concurrency)
    return results


def median_of(runs: Sequence[Result]) -> Result:
    """The run with the median wall time (the lower one of an even count), or a failure."""
    failed = [r for r in runs if not r.ok]
    if failed:
        return failed[0]
    chosen = sorted(runs, key=lambda r: r.wall)[(len(runs) - 1) // 2]
    chosen.walls = sorted(r.wall for r in runs)
    calls = {(r.reads, r.writes) for r in runs}
    if len(calls) > 1:
        chosen.unstable = "reads/writes differ between repeats: " + ", ".join(
            f"{reads}/{writes}" for reads, writes in sorted(calls)
        )
    return chosen


def progress(result: Result) -> None:
    status = "ok" if result.ok else f"FAILED: {result.error}"
    print(
        f"  {result.cell.label}: {result.wall:.2f} s, {result.reads} reads, "
        f"{result.writes} writes ({status})",
        file=sys.stderr,
        flush=True,
    )


def warm_up(bench: Bench) -> None:
    """One unmeasured setup in every region, then a reset: moto builds each region's
    backends (AWS-owned baselines, IAM's managed policies) on first use, a cost that
    AWS does not have and that would otherwise land on the first measured run only."""
    cell = Cell(8, FOUR_REGIONS, "fresh", DEFAULT)
    bench.reset_endpoint()
    result = run_once(bench, cell)
    if not result.ok:
        print(f"  warm-up run failed (ignored): {result.error}", file=sys.stderr, flush=True)
    bench.reset_endpoint()


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


# -- the aims --------------------------------------------------------------------------


@dataclass(frozen=True)
class Aim:
    text: str
    holds: bool
    measured: str


def find(results: Sequence[Result], windows: int, regions: int, run: str, conc: str) -> Result:
    for r in results:
        c = r.cell
        if (c.windows, len(c.regions), c.run, c.concurrency) == (windows, regions, run, conc):
            return r
    raise KeyError((windows, regions, run, conc))


def speedup_aim(results: Sequence[Result], windows: int, regions: int, factor: float) -> Aim:
    where = "1 region" if regions == 1 else f"{regions} regions"
    text = (
        f"a fresh {windows}-window setup ({where}) at default concurrency is at least "
        f"{factor:g}x faster than with `--concurrency 1`"
    )
    try:
        fast = find(results, windows, regions, "fresh", DEFAULT)
        slow = find(results, windows, regions, "fresh", "1")
    except KeyError:
        return Aim(text, False, "not measured: cell not run")
    if not (fast.ok and slow.ok) or fast.wall <= 0:
        return Aim(text, False, "not measured: a run failed")
    ratio = slow.wall / fast.wall
    return Aim(
        text,
        ratio >= factor,
        f"{slow.wall:.2f} s / {fast.wall:.2f} s = {ratio:.1f}x",
    )


def rerun_aim(results: Sequence[Result]) -> Aim:
    text = (
        f"a re-run makes no write call and at most {READS_PER_WINDOW}N+{READS_EXTRA} read "
        "calls per region for N windows"
    )
    parts: list[str] = []
    holds = True
    for r in results:
        if r.cell.run != "re-run":
            continue
        limit = READS_PER_WINDOW * r.cell.windows + READS_EXTRA
        good = r.ok and r.writes == 0 and r.reads_per_region <= limit
        holds = holds and good
        parts.append(
            f"{r.cell.windows} windows x {len(r.cell.regions)} region(s), concurrency "
            f"{r.cell.concurrency}: {r.writes} writes, {r.reads_per_region:g} reads per region "
            f"(limit {limit}){'' if good else ' FAILS'}"
        )
    return Aim(text, holds, "; ".join(parts))


def aims(results: Sequence[Result]) -> list[Aim]:
    return [
        speedup_aim(results, 8, 1, 4),
        speedup_aim(results, 40, 4, 10),
        rerun_aim(results),
    ]


# -- reports ---------------------------------------------------------------------------


def _seconds(value: float | None, start: float | None = 0.0) -> str:
    if value is None or start is None:
        return "-"
    return f"{value - start:.2f}"


def results_table(results: Sequence[Result]) -> str:
    rows = [
        "| windows | regions | run | concurrency | wall s | reads | writes | reads per region |",
        "| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        c = r.cell
        wall = f"{r.wall:.2f}" if r.ok else f"failed: {r.error}"
        conc = "default (8)" if c.concurrency == DEFAULT else c.concurrency
        rows.append(
            f"| {c.windows} | {len(c.regions)} | {c.run} | {conc} | {wall} | {r.reads} | "
            f"{r.writes} | {r.reads_per_region:g} |"
        )
    return "\n".join(rows)


#: The parts of a run, in order, as the timeline table names them.
PARTS = (
    "start-up (to 1st request)",
    "reads before 1st write",
    "lock, re-read, quotas",
    "plan writes",
    "lock release",
    "last response, report",
    "exit after report",
)


def timeline_table(results: Sequence[Result], floor: float) -> str:
    """Where each run's wall time goes, from the arrival times of its requests."""
    rows = [
        "| windows | regions | run | concurrency | wall s (min-max) | "
        + " | ".join(PARTS)
        + " | CPU s: tool / endpoint / proxy / other |",
        "| ---: | ---: | --- | --- | ---: |" + " ---: |" * (len(PARTS) + 1),
    ]
    for r in results:
        if not r.ok:
            continue
        c = r.cell
        spread = f" ({r.walls[0]:.2f}-{r.walls[-1]:.2f})" if len(r.walls) > 1 else ""
        parts = dict(_parts(r))
        cells = [f"{parts[name]:.2f}" if name in parts else "-" for name in PARTS]
        rows.append(
            f"| {c.windows} | {len(c.regions)} | {c.run} | {c.concurrency} | "
            f"{r.wall:.2f}{spread} | " + " | ".join(cells) + f" | {_cpu(r)} |"
        )
    return "\n".join(rows) + (
        f"\n\nStart-up floor: `ssm-patching-setup --version` (interpreter and imports, "
        f"no AWS client, exit) takes {floor:.2f} s."
    )


def other_work_note(results: Sequence[Result]) -> str:
    """How much CPU other work on the machine took during the measured runs."""
    measured = [r for r in results if r.ok and r.cpu_other is not None]
    if not measured:
        return ""
    cores = os.cpu_count() or 1
    other = sum(r.cpu_other or 0.0 for r in measured)
    wall = sum(r.wall for r in measured)
    share = 100 * other / (wall * cores)
    note = (
        f"other work on the machine used {other:.1f} CPU s during the {wall:.0f} s of "
        f"measured runs ({share:.0f}% of the {cores} cores)"
    )
    if share > 5:
        note += (
            ": **the machine was busy, so wall times are inflated; run it again on a "
            "quiet machine**"
        )
    return note


def _cpu(r: Result) -> str:
    def show(value: float | None) -> str:
        return "?" if value is None else f"{value:.2f}"

    return (
        f"{show(r.cpu_tool)} / {show(r.cpu_endpoint)} / {show(r.cpu_proxy)} / {show(r.cpu_other)}"
    )


def ops_table(results: Sequence[Result]) -> str:
    """Calls per operation, one column per cell (fresh and re-run at default concurrency)."""
    chosen = [r for r in results if r.ok]
    ops = sorted(
        {op for r in chosen for op in r.ops}, key=lambda o: (o not in _read_set(chosen), o)
    )
    head = ["operation"] + [
        f"{r.cell.windows}w {len(r.cell.regions)}r {r.cell.run} c={r.cell.concurrency}"
        for r in chosen
    ]
    rows = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * len(chosen)]
    for op in ops:
        kind = "write" if any(op in r.write_ops for r in chosen) else "read"
        rows.append(
            f"| {op} ({kind}) | " + " | ".join(str(r.ops.get(op, 0)) for r in chosen) + " |"
        )
    return "\n".join(rows)


def _read_set(results: Sequence[Result]) -> set[str]:
    return {op for r in results for op in r.ops if not any(op in x.write_ops for x in results)}


def _plan_writes(r: Result) -> int:
    return sum(n for op, n in r.write_ops.items() if op not in _LOCK_WRITES)


def _call_time(results: Sequence[Result], windows: int) -> float | None:
    """Seconds per write when writes go one by one: 1 region, ``--concurrency 1``."""
    try:
        one = find(results, windows, 1, "fresh", "1")
    except KeyError:
        return None
    count = _plan_writes(one)
    if not one.ok or count < 2:
        return None
    return _span(one.first_plan_write, one.last_plan_write) / (count - 1)


#: Round trips a fresh run needs in a row besides its plan writes: the first read,
#: the lock (PutParameter), the re-read with Service Quotas beside it, the release.
FIXED_ROUND_TRIPS = 4


def ceiling(fast: Result, slow: Result, per_call: float, writes_per_region: int) -> str:
    """The best ratio the round trips allow, with and without the start-up both pay."""
    calls = slow.reads + slow.writes
    rounds = FIXED_ROUND_TRIPS + -(-writes_per_region // 8)
    parts = dict(_parts(fast))
    fixed = parts.get(PARTS[0], 0.0) + parts.get(PARTS[-1], 0.0)
    network = calls / rounds
    overall = (fixed + calls * per_call) / (fixed + rounds * per_call)
    return (
        f" Round trips: `--concurrency 1` makes its {calls} calls one after another; the "
        f"default run cannot make fewer than {rounds} in a row (per region, regions side by "
        f"side: the first read, the lock, the re-read with Service Quotas beside it, "
        f"{rounds - FIXED_ROUND_TRIPS} rounds of plan writes on 8 lanes, the lock's release), "
        f"so it can be at most {network:.1f}x faster with no start-up at all, and at most "
        f"{overall:.1f}x with the {fixed:.2f} s of start-up and exit that both runs pay "
        f"(if CPU were free)."
    )


def diagnosis(results: Sequence[Result], floor: float, latency_ms: float) -> list[str]:
    """For each speedup aim, what the default-concurrency run spends its time on."""
    notes: list[str] = []
    for windows, regions in ((8, 1), (40, 4)):
        try:
            fast = find(results, windows, regions, "fresh", DEFAULT)
            slow = find(results, windows, regions, "fresh", "1")
        except KeyError:
            continue
        if not (fast.ok and slow.ok) or fast.first_plan_write is None:
            continue
        parts = _parts(fast)
        biggest = max(parts, key=lambda p: p[1])
        count = _plan_writes(fast)
        span = _span(fast.first_plan_write, fast.last_plan_write)
        slow_span = _span(slow.first_plan_write, slow.last_plan_write)
        rest = fast.wall - span
        per_call = _call_time(results, windows)
        calls = ""
        if per_call:
            per_region = count // regions
            calls = (
                f" One write takes {per_call * 1000:.0f} ms when writes go one by one "
                f"({latency_ms:g} ms of it the proxy's latency), so the default run's writes "
                f"took as long as {span / per_call + 1:.0f} calls in a row (from the first "
                f"write's arrival to the last one's, plus one call); {per_region} writes per "
                f"region spread evenly over 8 lanes would need {-(-per_region // 8)}."
            )
        if per_call:
            calls += ceiling(fast, slow, per_call, count // regions)
        notes.append(
            f"- **{windows} windows, {regions} region(s), fresh**, default concurrency, "
            f"{fast.wall:.2f} s: "
            + ", ".join(f"{name} {seconds:.2f}" for name, seconds in parts)
            + f". Largest part: {biggest[0]}. Its {count} plan writes take {span:.2f} s "
            f"(with `--concurrency 1`: {slow_span:.2f} s).{calls} Everything but the plan "
            f"writes takes {rest:.2f} s of the {fast.wall:.2f} s, so even plan writes that "
            f"took no time at all would make the run at most "
            f"{slow.wall / max(rest, 1e-9):.1f}x faster than `--concurrency 1` "
            f"({slow.wall:.2f} s). CPU s of the tool / the endpoint / the proxy / other "
            f"work: {_cpu(fast)}; the tool and the two servers used "
            f"{100 * fast.cpu_total / (fast.wall * (os.cpu_count() or 1)):.0f}% of the "
            f"{os.cpu_count()} cores over the run."
        )
    return notes


def _span(start: float | None, end: float | None) -> float:
    return 0.0 if start is None or end is None else end - start


def _parts(r: Result) -> list[tuple[str, float]]:
    """(part, seconds) of a run; they add up to its wall time."""
    first = r.first_request if r.first_request is not None else 0.0
    last = r.last_request if r.last_request is not None else first
    report = r.report_at if r.report_at is not None else r.wall
    tail = [(PARTS[5], report - last), (PARTS[6], r.wall - report)]
    if r.first_write is None:
        return [(PARTS[0], first), (PARTS[1], last - first), *tail]
    plan_first = r.first_plan_write if r.first_plan_write is not None else r.first_write
    plan_last = r.last_plan_write if r.last_plan_write is not None else plan_first
    last_write = r.last_write if r.last_write is not None else plan_last
    return [
        (PARTS[0], first),
        (PARTS[1], r.first_write - first),
        (PARTS[2], plan_first - r.first_write),
        (PARTS[3], plan_last - plan_first),
        (PARTS[4], last_write - plan_last),
        (PARTS[5], report - last_write),
        (PARTS[6], r.wall - report),
    ]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def fingerprint() -> str:
    """A digest of the tool's source, to notice a change in the middle of a benchmark."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "patchsetup").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".toml"):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def revision() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "patchsetup"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    changes = " with uncommitted changes in patchsetup/" if dirty else ""
    return f"{head}{changes} (source digest {fingerprint()})"


HOW = """\
## How the tool gets these numbers

As of the revision measured (see the line above the results):

- **Targets run concurrently** (`patchsetup/cli.py`, `_for_each_target`): with several
  `-r` regions each region is read, planned and written in its own thread, each with its
  own boto3 session and clients, on a pool of `min(regions, --concurrency)` threads. So
  `--concurrency 1` also takes the regions one at a time, and `--concurrency N` has at
  most N x N calls in flight over all targets.
- **Phases and lanes** (`patchsetup/deploy/draft.py`, `patchsetup/deploy/executor.py`): the plan is
  cut into phases that run one after another: deletes of tasks and patch-group
  registrations; deletes of windows and baselines; the service role; baselines and
  windows; patch-group registrations; role deletes. Within a phase every *lane* is a
  chain that must stay in order: a window, then its target, then its task (the task needs
  the target's ID); a baseline on its own; each registration on its own (it needs its
  baseline, which the previous phase made). Lanes run on a thread pool of
  `--concurrency` workers (default 8) per region; `--concurrency 1` makes every call one
  by one in plan order.
- **Reads** (`patchsetup/reader.py`, `patchsetup/gate.py`): four chains side by side:
  the window listing (page size 100), then per window its tags, targets and task listing
  and one GetMaintenanceWindowTask per task; the custom baselines with their tags and
  rules; the patch groups; the service roles (IAM). A gate per target holds the calls in
  flight to `--concurrency` (default 8), so `--concurrency 1` reads one call at a time
  too. A run that has something to write takes the run lock (an SSM parameter:
  PutParameter, and DeleteParameter at the end), then reads everything again under it
  while Service Quotas is asked beside it, before the first write of the plan.
- **Start-up** (`patchsetup/console.py`, `patchsetup/targets.py`, `patchsetup/aws.py`):
  no garbage collection while the modules load and at exit; the IAM and Service Quotas
  clients are made by the threads that first call them, while the SSM reads are on the
  wire; all sessions of a run share one loader, so each service model is parsed once.
- **Re-runs**: a converged re-run plans nothing, takes no lock and makes no write call.
"""


def markdown(
    results: Sequence[Result],
    floor: float,
    latency_ms: float,
    command: str,
    took: float,
    changed: bool = False,
    load: str = "",
) -> str:
    verdicts = aims(results)
    lines = [
        "# Benchmark: ssm-patching-setup",
        "",
        "The real console script, run against the local endpoint (`tools/local_aws.py`, moto) "
        f"through `tools/fault_proxy.py`, which adds {latency_ms:g} ms before every forwarded "
        "request. Wall time is the whole process (start-up included); reads and writes are "
        "every AWS request the proxy saw during the run (reset before each run). The endpoint "
        "is reset before every scenario, so each fresh run starts from an empty account and "
        "the re-run repeats the same command right after it. Every run passes "
        "`--output json --yes`; 40 windows are `-w 1,2,3,4,5 -d 1,2,3,4 -t 3,4`, 8 are the "
        "defaults; 4 regions are `-r " + ",".join(FOUR_REGIONS) + "`.",
        "",
        "Reproduce (from the checkout, with the test extras installed in `.venv`):",
        "",
        "```sh",
        command,
        "```",
        "",
        "`--check` makes it exit 1 when an aim fails; without `--markdown` it only prints.",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; tool at "
        f"{revision()}; the whole benchmark took {took:.0f} s" + (f"; {load}." if load else "."),
        "",
        *(
            [
                "**The tool's source changed while the benchmark ran: the cells may "
                "mix two versions. Run it again.**",
                "",
            ]
            if changed
            else []
        ),
        "## Results",
        "",
        results_table(results),
        "",
        "`reads per region` is reads divided by the number of regions (the proxy does not "
        "report calls per region).",
        "",
        "## Aims",
        "",
    ]
    for aim in verdicts:
        lines.append(
            f"- **{'holds' if aim.holds else 'FAILS'}**: {aim.text}. Measured: {aim.measured}."
        )
    lines += [
        "",
        "## Where the time goes",
        "",
        "Each run cut at the moments its requests reached the proxy, in seconds: start-up "
        "until the first request (interpreter, imports, next runs of every window, sessions "
        "and clients); reads until the first write, which is the run lock (PutParameter); "
        "the lock, the re-read under it and the Service Quotas call until the first write "
        "of the plan; the plan's writes; the lock's release (DeleteParameter); the last "
        "response and the report on stdout; the process's exit after it printed the report. "
        "A run without writes has only start-up, reads, report and exit. With 4 regions the "
        "parts overlap across regions (first and last request of any region). CPU is user + "
        "system time of the tool's process and of the two servers during the run (all three "
        "share the machine's cores), and of anything else the machine ran meanwhile (other). "
        "The wall time is the median of the repeats; the range "
        "is in brackets.",
        "",
        timeline_table(results, floor),
        "",
        *diagnosis(results, floor, latency_ms),
        "",
        "### Calls per operation",
        "",
        ops_table(results),
        "",
        HOW,
    ]
    return "\n".join(lines)


# -- main ------------------------------------------------------------------------------


def cells(windows: Sequence[int], regions: Sequence[int]) -> list[tuple[int, tuple[str, ...], str]]:
    scenarios: list[tuple[int, tuple[str, ...], str]] = []
    for count in windows:
        for n in regions:
            for conc in (DEFAULT, "1"):
                scenarios.append((count, ONE_REGION if n == 1 else FOUR_REGIONS, conc))
    return scenarios


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--latency-ms", type=float, default=50.0, help="proxy delay per forwarded request (50)"
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        metavar="FILE",
        help="also write the report (e.g. benchmarks/README.md)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if an aim does not hold")
    parser.add_argument(
        "--windows",
        type=int,
        nargs="+",
        choices=sorted(WINDOW_FLAGS),
        default=sorted(WINDOW_FLAGS),
        help="window counts to run (default: 8 40)",
    )
    parser.add_argument(
        "--regions",
        type=int,
        nargs="+",
        choices=(1, 4),
        default=[1, 4],
        help="region counts to run (default: 1 4)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="N",
        help="run every scenario N times and report the median wall time (3)",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=900.0,
        metavar="S",
        help="when other work competed for the cores during a scenario, wait up to S seconds "
        f"for a quiet machine and redo it (at most {BUSY_REDOS} times; 0: never) (900)",
    )
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the raw results as JSON"
    )
    return parser.parse_args(argv)


def command_line(args: argparse.Namespace) -> str:
    parts = [".venv/bin/python", "benchmarks/run.py", "--latency-ms", f"{args.latency_ms:g}"]
    if args.repeat != 3:
        parts += ["--repeat", str(args.repeat)]
    if args.markdown is not None:
        parts += ["--markdown", _relative(args.markdown)]
    return " ".join(parts)


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def raw(result: Result) -> dict[str, Any]:
    c = result.cell
    return {
        "windows": c.windows,
        "regions": list(c.regions),
        "run": c.run,
        "concurrency": c.concurrency,
        "wall_s": round(result.wall, 3),
        "exit_code": result.exit_code,
        "reads": result.reads,
        "writes": result.writes,
        "ops": dict(result.ops),
        "summary": result.summary,
        "first_request_s": result.first_request,
        "first_write_s": result.first_write,
        "first_plan_write_s": result.first_plan_write,
        "last_write_s": result.last_write,
        "last_request_s": result.last_request,
        "report_s": result.report_at,
        "walls_s": [round(w, 3) for w in result.walls],
        "cpu_s": {
            "tool": result.cpu_tool,
            "endpoint": result.cpu_endpoint,
            "proxy": result.cpu_proxy,
            "other": result.cpu_other,
        },
        "unstable": result.unstable,
        "error": result.error,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    source = fingerprint()
    results: list[Result] = []
    with started(args.latency_ms) as bench:
        print(
            f"local_aws {bench.endpoint.url}, fault_proxy {bench.proxy.url}, "
            f"latency {args.latency_ms:g} ms",
            file=sys.stderr,
            flush=True,
        )
        floor = startup_floor(bench)
        warm_up(bench)
        for windows, regions, conc in cells(args.windows, args.regions):
            repeats = [
                measured_scenario(bench, windows, regions, conc, args.max_wait)
                for _ in range(args.repeat)
            ]
            results += [median_of(runs) for runs in zip(*repeats, strict=True)]
        bench.reset_endpoint()
    took = time.monotonic() - began
    changed = fingerprint() != source
    load = other_work_note(results)
    if "busy" in load:
        print(f"warning: {load}", file=sys.stderr)
    if changed:
        print("warning: the tool's source changed during the benchmark", file=sys.stderr)
    print(results_table(results))
    print()
    verdicts = aims(results)
    for aim in verdicts:
        print(f"{'holds' if aim.holds else 'FAILS'}: {aim.text}. Measured: {aim.measured}.")
    for note in diagnosis(results, floor, args.latency_ms):
        print(note)
    if args.markdown is not None:
        write(
            args.markdown,
            markdown(results, floor, args.latency_ms, command_line(args), took, changed, load),
        )
    if args.json is not None:
        write(args.json, json.dumps([raw(r) for r in results], indent=2) + "\n")
    failed = [r for r in results if not r.ok]
    if failed:
        return 1
    if args.check and not all(aim.holds for aim in verdicts):
        return 1
    return 0


def write(path: Path, text: str) -> None:
    path.write_text(text)
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
