"""The Markdown report (`--markdown benchmarks/README.md`): machine, revision, the text."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from aims import NO_AWS_FACTOR, aims, startup_aims
from diagnosis import diagnosis
from floor import NoAwsFloor, floor_lines
from measure import Result
from ratelimit import RateLimited
from scenarios import BURST, FOUR_REGIONS, RATE, RATE_LIMIT
from services import ROOT
from tables import ops_table, rate_limited_table, results_table, timeline_table


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

- **Targets run concurrently** (`patchsetup/runner/fanout.py`, `for_each_target`): with
  several `-r` regions each region is read, planned and written in its own thread, each
  with its own botocore session and clients, on a pool of `min(regions, --concurrency)`
  threads. So `--concurrency 1` also takes the regions one at a time, and
  `--concurrency N` has at most N x N calls in flight over all targets.
- **Writes as a DAG** (`patchsetup/deploy/order.py`, `patchsetup/deploy/executor.py`):
  each write starts as soon as what it waits for is done: the change before it in its
  lane (a window, then its target, then its task), the change that stores a value it
  uses (a new window's ID for its target and task, a new baseline's for its patch-group
  registrations, a new role's ARN for the tasks), and the phase before its own. The
  phases keep what makes a stopped run safe: deletes of tasks, registrations and the
  restore of AWS's default baseline; then deletes of windows and baselines; then every
  write (role, baselines, windows, registrations, defaults in one phase); role deletes
  last. The longest chain starts first, at most `--concurrency` at once per region
  (default 32), so a fresh 8-window setup writes in 3 rounds (the windows and the
  baseline; the targets beside the registrations; the tasks) where phases took 5.
  `--concurrency 1` makes every call one by one in plan order.
- **The lock** (`patchsetup/aws/lock.py`): PutParameter to take it; its read for the
  release (is it still this run's?) goes beside the last round of writes, so the
  release is the DeleteParameter alone: a fresh 8-window setup is 7 requests in a row
  (the first read, the lock, the re-read with Service Quotas, 3 rounds of writes, the
  release), 10 before. The proxy counts them (`chain` in its stats).
- **Why 32** (`DEFAULT_CONCURRENCY`, `patchsetup/fields.py`): measured fresh
  through the proxy at 50 ms (on a shared machine: wall times are noisy; the requests in
  a row are counted), without and with its token buckets (`default=5/10`: 5 requests a
  second, a burst of 10, per operation, account and region). 16 is the fewest lanes that
  make 8 windows 7 in a row (their widest round: 8 targets beside 8 registrations; 8
  lanes give 9), and 8 windows stay within the burst at 8, 16 and 32 (no throttle). 40
  windows under the buckets decide it: 18.7-19.4 s at 16 lanes, 14.7 at 24, 8.2-9.9 at
  32 and 8.3 at 64, 1 or 4 regions (about 6 s by calls / rate), with about half the
  throttles at 32: at 16 every lane waits on one paced operation (the windows) while
  the other operations' buckets idle. Without the buckets 40 windows take 11 rounds
  per region at 32 lanes, 15 at 16 (26 at 8).
- **Reads** (`patchsetup/aws/reader.py` with `read_windows.py`, `read_baselines.py` and
  `iam.py` beside it, `patchsetup/aws/gate.py`): four chains side by side: the window
  listing (page size 100), then per window its tags, targets and task listing and one
  GetMaintenanceWindowTask per task; the custom baselines with their tags and rules; the
  patch groups; the service roles (IAM). A gate per target holds the calls in flight to
  `--concurrency` (default 32), so `--concurrency 1` reads one call at a time too. A run
  that has something to write takes the run lock (an SSM parameter: PutParameter, and
  DeleteParameter at the end), then reads everything again under it while Service Quotas
  is asked beside it, before the first write of the plan. A fresh account's read and
  re-read are one round each: every listing comes back empty, so nothing chains on it.
- **Start-up** (`patchsetup/console.py`, `patchsetup/aws/accounts.py`,
  `patchsetup/aws/session.py`, `patchsetup/aws/loader.py`): no garbage collection while
  the modules load, while a data file is parsed and at exit, and the youngest
  generation collected every 100 000 objects in between; the IAM and Service Quotas
  clients are made by the threads that first call them, while the SSM reads are on the
  wire; all sessions of a run, and the region check, share one loader, which checks
  only the service it loads (botocore's lists every service first, some 900 directory
  listings per kind of file) and parses each data file once per run, as plain dicts,
  through the parse the baseline validation reads the SSM model with: the SSM model,
  the other models and the endpoint data are parsed once per run
  (`tests/cli/test_service_models.py`). The region check reads botocore's
  `partitions.json` (7 KB), not `endpoints.json`; its session is the run's first.
  Sessions are botocore's: boto3 is not imported (its session says it is boto3's, so
  the User-Agent is the same). Commands that make no AWS call import no boto3 or
  botocore (`tests/unit/test_startup.py`), and no more of the tool than they use
  (`tests/unit/test_lazy_commands.py`): each command is a module of its own
  (`patchsetup/cli/`) declared with click and the shared option declarations only, so
  `--help`, `init` and a TAB load those and nothing else; what a command runs is
  imported in its body; the config reader only with `--config`, logging only for a run
  (or to report a bug), zoneinfo where a zone is named, hashlib where an .ics UID or a
  clashing logical ID is made. Their floor is measured against `python -c "import click"`.
- **Re-runs**: a converged re-run plans nothing, takes no lock and makes no write call.
"""

RATE_LIMITED = f"""\
The fresh 40-window x 4-region setup at the default concurrency through the proxy's
token buckets (`tools/throttle.py`, `--throttle {RATE_LIMIT}`): every operation has its
own bucket per account and region, {RATE:g} requests a second and a burst of {BURST:g},
answered `ThrottlingException` "Rate exceeded" beyond it, as SSM answers. AWS does not
publish per-API request rates for SSM's maintenance-window and patch-baseline APIs, so
this is a model, not AWS's numbers. Each repeat runs the setup on an empty account
without the limits, reads what it left, runs it again on an empty account under the
limits and reads that; the two end states must be the same (IDs replaced by names). The
floor is the time the limits imply, max over account+region and operation of
(calls - burst) / rate with the unthrottled run's calls, plus the unthrottled run's wall
time (start-up, reads and round trips it pays anyway); `limit s` is the first part alone.
Throttles are every request the proxy answered with a throttle (each was retried). The
tool paces each operation of a client at the rate its throttles show
(`patchsetup/aws/pacing.py`)."""

#: Where the benchmark's own code lives (the last section of the report).
CODE = """\
## The benchmark's code

`benchmarks/run.py` is the entry (options, the loop over the scenarios, `--check`,
`--json`); beside it `services.py` starts `tools/local_aws.py` and
`tools/fault_proxy.py` through `tools/launch.py` (the one launcher of the tools/ servers)
and resets them, `scenarios.py` names the cells (windows x regions x run x concurrency),
`measure.py` makes one run (wall time, calls, CPU), `repeats.py` runs a scenario fresh
and again (retried, redone on a busy machine, the median of the repeats),
`floor.py` times the commands that make no AWS call against `python -c "import click"`,
`ratelimit.py` makes the rate-limited run (`endstate.py` reads what a run left),
`aims.py` judges the aims, `tables.py` and `diagnosis.py` write the tables and the notes
on where the time goes, and `readme.py` this page.
"""


def markdown(
    results: Sequence[Result],
    floor: float,
    latency_ms: float,
    command: str,
    took: float,
    changed: bool = False,
    load: str = "",
    noaws: NoAwsFloor | None = None,
    limited: RateLimited | None = None,
) -> str:
    verdicts = aims(results, limited) + startup_aims(results, noaws)
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
        "defaults; 4 regions are `-r " + ",".join(FOUR_REGIONS) + "`. The tool's modules are "
        "compiled to bytecode first, as `pip install` does, so that no run compiles them "
        "(an editable install under PYTHONDONTWRITEBYTECODE=1 would, in every run).",
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
        "`reads per region` is reads divided by the number of regions. `round trips in a "
        "row` is the proxy's `chain`: each request's round is one more than the highest "
        "round of the requests answered before it arrived (in any region), and the chain is "
        "the highest round: the longest chain of requests each sent after the one before it "
        "was answered. Every chain of dependent requests is such a chain, so it is at least "
        "the longest chain of dependent requests, and more where an independent request "
        "merely started late; with 4 regions it runs across regions (at least the longest "
        "of any one region).",
        "",
        "## Rate-limited run",
        "",
        RATE_LIMITED,
        "",
        rate_limited_table(limited) if limited is not None else "Not run.",
        "",
        "## Aims",
        "",
    ]
    for aim in verdicts:
        lines.append(
            f"- **{'holds' if aim.holds else 'FAILS'}**: {aim.text}. Measured: {aim.measured}."
        )
    if noaws is not None:
        lines += ["", "## Start-up floor: the commands that make no AWS call", ""]
        lines += floor_lines(noaws, NO_AWS_FACTOR)
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
        CODE,
    ]
    return "\n".join(lines)
