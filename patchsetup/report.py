"""Reports for people (text) and for scripts (JSON): the same facts either way.

A report says, resource by resource, what was (or would be) created, updated,
deleted or left in place, with IDs and the fields that differ, and when each
window runs next (``window_runs``, by the rule status uses too: schedule/runs.py).
Pure: no boto3 or botocore is loaded for a report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from patchsetup.model import Setup, WindowSpec
from patchsetup.schedule.window_runs import upcoming
from patchsetup.schedule.words import describe
from patchsetup.status import others_hint

if TYPE_CHECKING:  # the executor loads botocore; a report only names its outcomes
    from patchsetup.deploy.executor import Outcome

_VERBS = {
    ("planned", "create"): "would create",
    ("planned", "update"): "would update",
    ("planned", "delete"): "would delete",
    ("done", "create"): "created",
    ("done", "update"): "updated",
    ("done", "delete"): "deleted",
    ("failed", "create"): "FAILED create",
    ("failed", "update"): "FAILED update",
    ("failed", "delete"): "FAILED delete",
    ("planned", "adopt"): "would adopt",
    ("done", "adopt"): "adopted",
    ("failed", "adopt"): "FAILED adopt",
}


@dataclass(frozen=True)
class WindowRuns:
    """When one window runs next, and what the operator should know about it."""

    name: str
    schedule: str
    timezone: str | None
    description: str
    next_runs: tuple[datetime, ...]
    warnings: tuple[str, ...] = ()


def window_runs(setup: Setup) -> list[WindowRuns]:
    now = datetime.now(UTC)
    return [_runs_of(w, now) for w in setup.windows]


def _runs_of(window: WindowSpec, now: datetime) -> WindowRuns:
    """When a window runs next, by the rule status uses too (runs.py)."""
    coming = upcoming(window.fields(), now)
    return WindowRuns(
        name=window.name,
        schedule=window.schedule,
        timezone=window.timezone,
        description=describe(window.schedule, window.timezone)
        + (f", then {window.schedule_offset} day(s) later" if window.schedule_offset else ""),
        next_runs=coming.runs,
        warnings=coming.warnings,
    )


@dataclass
class Report:
    command: str
    setup: str
    region: str
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    windows: list[WindowRuns] = field(default_factory=list)
    error: str | None = None
    #: The account the run went to through a role; None for the caller's own.
    account: str | None = None
    #: Nobody consented: the plan was shown, nothing was written.
    refused: bool = False
    #: Other setups in the region, when this one has nothing there (status.other_setups).
    other_setups: list[dict[str, Any]] = field(default_factory=list)
    #: What would silently not work as written (also on stderr as ``warning: ...``).
    warnings: list[str] = field(default_factory=list)


def verb(outcome: Outcome) -> str:
    """What happened to the resource, in words."""
    if outcome.change.action == "unchanged" or outcome.status == "unchanged":
        return "in place"
    if outcome.status == "not-run":
        return f"not done ({outcome.change.action})"
    return _VERBS[(outcome.status, outcome.change.action)]


def summary(outcomes: list[Outcome]) -> dict[str, int]:
    """How many resources each action touched, and how many failed or were not reached.

    Only changes that were made (or, in a dry run, planned) count as create,
    update or delete; a failed change and those after it count apart.
    """
    counts = {
        "create": 0,
        "update": 0,
        "delete": 0,
        "adopt": 0,
        "unchanged": 0,
        "failed": 0,
        "not_run": 0,
    }
    for outcome in outcomes:
        if outcome.status == "failed":
            counts["failed"] += 1
        elif outcome.status == "not-run":
            counts["not_run"] += 1
        elif outcome.status == "unchanged":
            counts["unchanged"] += 1
        else:
            counts[outcome.change.action] += 1
    return counts


def render_text(report: Report) -> str:
    """The human report."""
    mode = " (dry run: nothing will be written)" if report.dry_run else ""
    where = f"{report.account}/{report.region}" if report.account else report.region
    lines = [f"{report.command}: setup '{report.setup}' in {where}{mode}"]
    if report.windows:
        lines.append("")
        lines.append("Windows and their next runs:")
        width = max(len(w.name) for w in report.windows)
        for window in report.windows:
            zone = window.timezone or "UTC"
            runs = ", ".join(r.strftime("%a %Y-%m-%d %H:%M") for r in window.next_runs)
            lines.append(f"  {window.name:<{width}}  {window.schedule} {zone}: {runs or 'never'}")
            lines.append(f"  {'':<{width}}  ({window.description})")
        for window in report.windows:
            lines.extend(f"warning: {window.name}: {w}" for w in window.warnings)
    if report.outcomes:
        lines.append("")
        kind_width = max(len(o.change.kind) for o in report.outcomes)
        for outcome in report.outcomes:
            change = outcome.change
            # A patch group's identity is its name, already in the label.
            shown = outcome.resource_id if change.kind != "patch-group" else None
            ident = f"  {shown}" if shown else ""
            lines.append(f"{verb(outcome):<14} {change.kind:<{kind_width}}  {change.label}{ident}")
            lines.extend(
                f"{'':17}{d.field}: {_show(d.old)} -> {_show(d.new)}" for d in change.diffs
            )
            if change.note:
                lines.append(f"{'':17}({change.note})")
    if report.other_setups and not report.outcomes:
        lines.append("")
        lines.append(f"nothing of setup '{report.setup}' here; {others_hint(report.other_setups)}")
    lines.append("")
    lines.append(_footer(report))
    return "\n".join(lines)


def _footer(report: Report) -> str:
    counts = summary(report.outcomes)
    actions = ("create", "update", "delete", "adopt")
    if report.refused:
        would = ", ".join(f"{a} {counts[a]}" for a in actions if counts[a]) or "change nothing"
        return f"Refused: nothing was written; it would {would}; {counts['unchanged']} in place"
    if report.dry_run or any(o.status == "planned" for o in report.outcomes):
        parts = [f"{counts[a]} to {a}" for a in actions if a != "adopt" or counts[a]]
        line = f"Plan: {', '.join(parts)}, {counts['unchanged']} in place"
    else:
        parts = [f"{counts[a]} {_VERBS[('done', a)]}" for a in actions if a != "adopt" or counts[a]]
        line = f"Result: {', '.join(parts)}, {counts['unchanged']} in place"
    if counts["failed"] or counts["not_run"]:
        line += f", {counts['failed']} failed, {counts['not_run']} not done"
    return line


def render_targets(results: list[tuple[str, Report, int]]) -> str:
    """Several targets: each report, then one line per target (json: patchsetup.document)."""
    parts = [f"== {label} ==\n{render_text(report)}" for label, report, _ in results]
    width = max(len(label) for label, _, _ in results)
    lines = ["", f"{'TARGET':<{width}}  RESULT   CREATE UPDATE DELETE IN-PLACE  ERROR"]
    for label, report, code in results:
        counts = summary(report.outcomes)
        result = "ok" if code == 0 else f"exit {code}"
        lines.append(
            f"{label:<{width}}  {result:<7}  {counts['create']:>6} {counts['update']:>6} "
            f"{counts['delete']:>6} {counts['unchanged']:>8}  {report.error or ''}"
        )
    return "\n\n".join(parts) + "\n" + "\n".join(lines)


def _resource(outcome: Outcome) -> dict[str, Any]:
    change = outcome.change
    return {
        "kind": change.kind,
        "name": change.name,
        "window": change.parent,
        "action": change.action,
        "status": outcome.status,
        "id": outcome.resource_id,
        "changes": [{"field": d.field, "old": d.old, "new": d.new} for d in change.diffs],
        "note": change.note,
        "error": outcome.error,
    }


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, default=str, sort_keys=True)
