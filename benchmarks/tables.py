"""The report's tables (results, where the time goes, calls per operation) and its load note."""

from __future__ import annotations

import os
from collections.abc import Sequence

from measure import Result
from ratelimit import RateLimited
from scenarios import BURST, DEFAULT, DEFAULT_CONCURRENCY, RATE


def results_table(results: Sequence[Result]) -> str:
    rows = [
        "| windows | regions | run | concurrency | wall s | reads | writes | reads per region "
        "| round trips in a row |",
        "| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        c = r.cell
        wall = f"{r.wall:.2f}" if r.ok else f"failed: {r.error}"
        conc = f"default ({DEFAULT_CONCURRENCY})" if c.concurrency == DEFAULT else c.concurrency
        rows.append(
            f"| {c.windows} | {len(c.regions)} | {c.run} | {conc} | {wall} | {r.reads} | "
            f"{r.writes} | {r.reads_per_region:g} | {r.chain or '?'} |"
        )
    return "\n".join(rows)


def rate_limited_table(limited: RateLimited) -> str:
    """The rate-limited run against its floor, and its throttles per operation."""
    if not limited.limited:
        return "Not run."
    spread = sorted(r.wall for r in limited.limited)
    same = "yes" if limited.same_end_state else "**no**"
    failed = [r for r in limited.free + limited.limited if not r.ok]
    rows = [
        "| run | wall s (min-max) | limit s | unthrottled s | floor s | ratio | throttles "
        "| same end state | failed runs |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
        f"| 40 windows, 4 regions, fresh, default concurrency, {RATE:g}/s burst {BURST:g} "
        f"| {limited.wall:.2f} ({spread[0]:.2f}-{spread[-1]:.2f}) | {limited.limit_time:.2f} "
        f"| {limited.free_wall:.2f} | {limited.floor:.2f} | {limited.ratio:.2f}x "
        f"| {sum(limited.throttled.values())} | {same} | {len(failed)} |",
        "",
        "| operation | calls per account+region | throttles (all regions) |",
        "| --- | ---: | ---: |",
    ]
    calls: dict[str, int] = {}
    for (_, op), n in (limited.free[0].passed if limited.free else {}).items():
        calls[op] = max(calls.get(op, 0), n)
    for op in sorted(set(calls) | set(limited.throttled)):
        rows.append(f"| {op} | {calls.get(op, 0)} | {limited.throttled.get(op, 0)} |")
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
        parts = dict(parts_of(r))
        cells = [f"{parts[name]:.2f}" if name in parts else "-" for name in PARTS]
        rows.append(
            f"| {c.windows} | {len(c.regions)} | {c.run} | {c.concurrency} | "
            f"{r.wall:.2f}{spread} | " + " | ".join(cells) + f" | {cpu_text(r)} |"
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


def cpu_text(r: Result) -> str:
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


def parts_of(r: Result) -> list[tuple[str, float]]:
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
