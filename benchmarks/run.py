"""Benchmark ssm-patching-setup: wall time and AWS calls, fresh and re-run, 1 and 4 regions.

Starts ``tools/local_aws.py`` (the local endpoint) and ``tools/fault_proxy.py`` in front
of it (a fixed latency per forwarded request, 50 ms by default) as subprocesses, then runs
the real console script through the proxy for every cell of

    windows (8, 40) x regions (1, 4) x run (fresh, re-run) x concurrency (default, 1)

and reports the wall time of the process and the read and write calls the proxy saw
(its stats are reset before each run; the endpoint is reset before each scenario, so
every fresh run starts from an empty account). The per-operation counts and the arrival
time of each request come from the proxy's ``--verbose`` log on stderr. Then the
rate-limited run (``ratelimit.py``): the fresh 40-window x 4-region setup under the
proxy's token buckets, against the floor the limits imply.

    .venv/bin/python benchmarks/run.py --rate-limited only   # just the rate-limited run
    .venv/bin/python benchmarks/run.py --windows 8 --regions 1 --concurrency default \
        --rate-limited no                                    # one cell (fresh and re-run)

    .venv/bin/python benchmarks/run.py                       # print the table
    .venv/bin/python benchmarks/run.py --check               # ... exit 1 if an aim fails
    .venv/bin/python benchmarks/run.py --latency-ms 50 --markdown benchmarks/README.md

This module is the entry (options, the loop, ``--check``, ``--json``); beside it
``services.py`` (the two servers, started by ``tools/launch.py``), ``scenarios.py`` (the
cells), ``measure.py`` (one run), ``repeats.py`` (retries, a busy machine, the median),
``aims.py``, ``tables.py``, ``diagnosis.py`` and ``readme.py`` (the Markdown report).

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aims import NO_AWS_FACTOR, aims, startup_aims
from diagnosis import diagnosis
from floor import floor_lines, no_aws_floor
from measure import Result, startup_floor
from ratelimit import rate_limited
from readme import fingerprint, markdown
from repeats import BUSY_REDOS, measured_scenario, median_of, warm_up
from scenarios import DEFAULT, WINDOW_FLAGS, cells
from services import ROOT, compile_tool, started
from tables import other_work_note, rate_limited_table, results_table


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
        "--concurrency",
        nargs="+",
        choices=(DEFAULT, "1"),
        default=[DEFAULT, "1"],
        help="concurrencies to run (default: default 1)",
    )
    parser.add_argument(
        "--rate-limited",
        choices=("yes", "no", "only"),
        default="yes",
        help="the rate-limited 40 x 4 run too (yes), not (no), or alone (only)",
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
        "--floor-repeat",
        type=int,
        default=7,
        metavar="N",
        help="runs of each no-AWS command and of `python -c 'import click'` (7)",
    )
    parser.add_argument(
        "--floor-only",
        action="store_true",
        help="measure only the start-up floors (the no-AWS commands), no scenario",
    )
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the raw results as JSON"
    )
    return parser.parse_args(argv)


def command_line(args: argparse.Namespace) -> str:
    parts = [".venv/bin/python", "benchmarks/run.py", "--latency-ms", f"{args.latency_ms:g}"]
    if args.repeat != 3:
        parts += ["--repeat", str(args.repeat)]
    if args.floor_repeat != 7:
        parts += ["--floor-repeat", str(args.floor_repeat)]
    if args.floor_only:
        parts.append("--floor-only")
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
        "round_trips_in_a_row_per_region": result.region_chain,
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
        "round_trips_in_a_row": result.chain,
        "throttled": dict(result.throttled),
        "throttle": result.cell.throttle,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    source = fingerprint()
    results: list[Result] = []
    compile_tool()
    with started(args.latency_ms) as bench:
        print(
            f"local_aws {bench.endpoint.url}, fault_proxy {bench.proxy.url}, "
            f"latency {args.latency_ms:g} ms",
            file=sys.stderr,
            flush=True,
        )
        floor = startup_floor(bench)
        noaws = no_aws_floor(args.floor_repeat)
        warm_up(bench)
        skip = args.floor_only or args.rate_limited == "only"
        chosen = [] if skip else args.windows
        for windows, regions, conc in cells(chosen, args.regions, args.concurrency):
            repeats = [
                measured_scenario(bench, windows, regions, conc, args.max_wait)
                for _ in range(args.repeat)
            ]
            results += [median_of(runs) for runs in zip(*repeats, strict=True)]
        bench.reset_endpoint()
        measure_limited = args.rate_limited != "no" and not args.floor_only
        limited = rate_limited(bench, args.repeat) if measure_limited else None
    took = time.monotonic() - began
    changed = fingerprint() != source
    load = other_work_note(results)
    if "busy" in load:
        print(f"warning: {load}", file=sys.stderr)
    if changed:
        print("warning: the tool's source changed during the benchmark", file=sys.stderr)
    print(results_table(results))
    print()
    print("\n".join(floor_lines(noaws, NO_AWS_FACTOR)))
    print()
    if limited is not None:
        print(rate_limited_table(limited))
        print()
    verdicts = aims(results, limited) + startup_aims(results, noaws)
    for aim in verdicts:
        print(f"{'holds' if aim.holds else 'FAILS'}: {aim.text}. Measured: {aim.measured}.")
    for note in diagnosis(results, floor, args.latency_ms):
        print(note)
    if args.markdown is not None:
        write(
            args.markdown,
            markdown(
                results,
                floor,
                args.latency_ms,
                command_line(args),
                took,
                changed,
                load,
                noaws,
                limited,
            ),
        )
    if args.json is not None:
        runs = results + (limited.free + limited.limited if limited else [])
        write(args.json, json.dumps([raw(r) for r in runs], indent=2) + "\n")
    failed = [r for r in results if not r.ok]
    if limited is not None and not limited.ok:
        return 1
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
