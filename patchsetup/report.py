"""Reports for people (text) and for scripts (JSON): the same facts either way.

A report says, resource by resource, what was (or would be) created, updated,
deleted, adopted or left unchanged, with IDs and the fields that differ, and when each
window runs next (``window_runs``, by the rule status uses too: schedule/runs.py).
Pure: no boto3 or botocore is loaded for a report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from patchsetup.deploy.diff import by_path
from patchsetup.deploy.plan import KINDS, KNOWN_AFTER_APPLY, marked
from patchsetup.model import Setup, WindowSpec
from patchsetup.schedule.window_runs import upcoming
from patchsetup.schedule.words import describe

if TYPE_CHECKING:  # the executor loads botocore; a report only names its outcomes
    from patchsetup.deploy.executor import Outcome
    from patchsetup.deploy.remote import RemoteState

_VERBS = {
    ("planned", "create"): "create",
    ("planned", "update"): "update",
    ("planned", "delete"): "delete",
    ("done", "create"): "created",
    ("done", "update"): "updated",
    ("done", "delete"): "deleted",
    ("failed", "create"): "FAILED create",
    ("failed", "update"): "FAILED update",
    ("failed", "delete"): "FAILED delete",
    ("planned", "adopt"): "adopt",
    ("done", "adopt"): "adopted",
    ("failed", "adopt"): "FAILED adopt",
}


#: An instance's patch-group tag (assign) is tagged or moved, not created or updated.
_INSTANCE_WORDS = {"create": "tag", "created": "tagged", "update": "move", "updated": "moved"}


def _words(kind: str, words: str) -> str:
    """``words`` about a resource of ``kind``: assign's for an instance."""
    if kind != "instance":
        return words
    head, _, last = words.rpartition(" ")
    return f"{head} {_INSTANCE_WORDS.get(last, last)}".strip()


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
        return "unchanged"
    if outcome.status == "not-run":
        return f"not done ({_words(outcome.change.kind, outcome.change.action)})"
    return _words(outcome.change.kind, _VERBS[(outcome.status, outcome.change.action)])


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


def render_text(report: Report, verbose: bool = False) -> str:
    """The human report: the changes first (each with its marker), unchanged
    resources as one count (listed with ``verbose``), the windows' next runs, then
    the summary line."""
    mode = " (dry run: nothing will be written)" if report.dry_run else ""
    where = f"{report.account}/{report.region}" if report.account else report.region
    lines = [f"{report.command}: setup '{report.setup}' in {where}{mode}"]
    lines.extend(_changes(report.outcomes, verbose))
    if report.other_setups and not report.outcomes:
        lines.append("")
        lines.append(f"nothing of setup '{report.setup}' here; {others_hint(report.other_setups)}")
    lines.extend(_runs(report.windows, verbose))
    lines.append("")
    lines.append(_footer(report))
    return "\n".join(lines)


def shown_order(outcomes: list[Outcome]) -> list[Outcome]:
    """Outcomes as people read them: by kind, then by name (not by creation order)."""
    return sorted(outcomes, key=lambda o: (KINDS.index(o.change.kind), o.change.label))


def _changes(outcomes: list[Outcome], verbose: bool) -> list[str]:
    """Each change with its marker and its fields old -> new; unchanged ones as a count."""
    changed = [o for o in shown_order(outcomes) if verb(o) != "unchanged"]
    unchanged = [o for o in shown_order(outcomes) if verb(o) == "unchanged"]
    lines: list[str] = []
    shown = changed + (unchanged if verbose else [n for n in unchanged if n.change.note])
    if shown:
        lines.append("")
        verb_width = max(len(verb(o)) for o in shown)
        kind_width = max(len(o.change.kind) for o in shown)
        for outcome in shown:
            change = outcome.change
            # A patch group's and an instance's identity is its name, a default's its OS:
            # already in the label.
            named = change.kind in ("patch-group", "default-baseline", "instance")
            ident = None if named else outcome.resource_id
            head = f"{verb(outcome):<{verb_width}}  {change.kind:<{kind_width}}  {change.label}"
            lines.append(marked(change.action, head) + (f"  {ident}" if ident else ""))
            lines.extend(
                f"{'':6}{d.field}: {_show(d.old)} -> {_show(d.new)}"
                for diff in change.diffs
                for d in by_path(diff)
            )
            if change.note:
                lines.append(f"{'':6}({change.note})")
    hidden = len(unchanged) - sum(1 for o in shown if verb(o) == "unchanged")
    if hidden:
        lines.append("")
        lines.append(f"  {hidden} unchanged (-v lists them)")
    return lines


def _runs(windows: list[WindowRuns], verbose: bool) -> list[str]:
    """When each window runs next, by name; with ``verbose`` its cron expression too."""
    if not windows:
        return []
    lines = ["", "Windows and their next runs:"]
    ordered = sorted(windows, key=lambda w: w.name)
    width = max(len(w.name) for w in ordered)
    for window in ordered:
        runs = ", ".join(r.strftime("%a %Y-%m-%d %H:%M") for r in window.next_runs)
        lines.append(f"  {window.name:<{width}}  {window.description}: {runs or 'never'}")
        if verbose:
            lines.append(f"  {'':<{width}}  {window.schedule} {window.timezone or 'UTC'}")
    for window in ordered:
        lines.extend(f"warning: {window.name}: {w}" for w in window.warnings)
    return lines


def _footer(report: Report) -> str:
    counts = summary(report.outcomes)
    actions: tuple[str, ...] = ("create", "update", "delete", "adopt")
    # assign tags and moves instances: it never deletes or adopts anything.
    kind = "instance" if report.command == "assign" else ""
    if kind:
        actions = ("create", "update")
    if report.refused:
        would = (
            ", ".join(f"{_words(kind, a)} {counts[a]}" for a in actions if counts[a])
            or "change nothing"
        )
        return f"Refused: nothing was written; it would {would}; {counts['unchanged']} unchanged"
    if report.dry_run or any(o.status == "planned" for o in report.outcomes):
        parts = [f"{counts[a]} to {_words(kind, a)}" for a in actions if a != "adopt" or counts[a]]
        line = f"Plan: {', '.join(parts)}, {counts['unchanged']} unchanged"
    else:
        parts = [
            f"{counts[a]} {_words(kind, _VERBS[('done', a)])}"
            for a in actions
            if a != "adopt" or counts[a]
        ]
        line = f"Result: {', '.join(parts)}, {counts['unchanged']} unchanged"
    if counts["failed"] or counts["not_run"]:
        line += f", {counts['failed']} failed, {counts['not_run']} not done"
    return line


def render_targets(results: list[tuple[str, Report, int]], verbose: bool = False) -> str:
    """Several targets as text: one line per target, each report too with ``verbose``
    (JSON is one document at the end: patchsetup.document)."""
    return _targets_text(results, verbose)


def _targets_text(results: list[tuple[str, Report, int]], verbose: bool) -> str:
    """A table of the targets, one line each; with ``verbose`` each report before it.

    Without it, the windows' next runs are shown once (every target gets the same
    windows) and a failed target's error is in its row.
    """
    results = sorted(results, key=lambda r: r[0])
    parts: list[str] = []
    if verbose:
        parts = [f"== {label} ==\n{render_text(r, verbose)}" for label, r, _ in results]
    elif results[0][1].windows:
        parts = ["\n".join(_runs(results[0][1].windows, verbose)[1:])]
    width = max(len(label) for label, _, _ in results)
    columns: tuple[str, ...] = ("create", "update", "delete", "adopt", "unchanged")
    kind = "instance" if results[0][1].command == "assign" else ""  # assign: tag, move
    if kind:
        columns = ("create", "update", "unchanged")
    names = {c: _words(kind, c) for c in columns}
    header = "  ".join(names[c].upper() for c in columns)
    lines = [f"{'TARGET':<{width}}  RESULT   {header}  ERROR"]
    totals = dict.fromkeys(columns, 0)
    for label, report, code in results:
        counts = summary(report.outcomes)
        result = "ok" if code == 0 else f"exit {code}"
        cells = "  ".join(f"{counts[c]:>{len(names[c])}}" for c in columns)
        lines.append(f"{label:<{width}}  {result:<7}  {cells}  {report.error or ''}".rstrip())
        totals = {c: totals[c] + counts[c] for c in columns}
    failed = sum(1 for _, _, code in results if code)
    planned = any(r.dry_run or r.refused for _, r, _ in results)
    said = [
        f"{totals[c]} "
        + (
            c
            if c == "unchanged"
            else f"to {names[c]}"
            if planned
            else _words(kind, _VERBS[("done", c)])
        )
        for c in columns
    ]
    lines.append("")
    lines.append(
        f"{len(results)} targets: {len(results) - failed} ok, {failed} failed. "
        f"{'Plan' if planned else 'Result'}: {', '.join(said)}"
    )
    return "\n\n".join(parts) + ("\n\n" if parts else "") + "\n".join(lines)


def _show(value: Any) -> str:
    if value == KNOWN_AFTER_APPLY:
        return str(value)
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, default=str, sort_keys=True)


def others_hint(others: list[dict[str, Any]]) -> str:
    """One line naming the other setups and how to select one."""

    def count(n: int, what: str) -> str:
        return f"{n} {what}" + ("" if n == 1 else "s")

    listed = ", ".join(
        f"{o['name']} ({count(o['windows'], 'window')}, {count(o['baselines'], 'baseline')})"
        for o in others
    )
    return (
        f"other setups here: {listed}; select one with --name {others[0]['name']} "
        "(or --config FILE)"
    )


def other_setups(state: RemoteState) -> list[dict[str, Any]]:
    """The other setup names in a region, with how many windows and baselines each owns."""
    return [
        {"name": name, "windows": w, "baselines": b} for name, (w, b) in state.other_setups.items()
    ]
