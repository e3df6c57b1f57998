"""What is deployed, for people (a table), scripts (JSON) and spreadsheets (CSV).

Pure: turns what the reader found (and, optionally, the plan against a config:
the drift) into rows. No boto3.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from patchsetup import coverage
from patchsetup.deploy.diff import FieldDiff, by_path
from patchsetup.deploy.plan import KINDS, KNOWN_AFTER_APPLY, Plan, marked
from patchsetup.deploy.remote import RemoteState, RemoteTarget, RemoteTask
from patchsetup.deploy.remote_fleet import FleetQuery, RemoteFleet
from patchsetup.report import other_setups, others_hint
from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.window_runs import upcoming
from patchsetup.schedule.words import describe


@dataclass
class View:
    target: str
    setup: str
    windows: list[dict[str, Any]] = field(default_factory=list)
    baselines: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    #: None when no config was given to compare with.
    drift: list[dict[str, Any]] | None = None
    #: Other setups found in the target: what to select instead.
    other_setups: list[dict[str, Any]] = field(default_factory=list)
    #: The target's account (through a role; None: the caller's own) and region.
    account: str | None = None
    region: str = ""
    #: Coverage and compliance (coverage.fleet_view); None when not read (--no-fleet,
    #: or nothing deployed).
    fleet: dict[str, Any] | None = None


def view(
    target: str,
    setup: str,
    state: RemoteState,
    drift: Plan | None,
    now: datetime | None = None,
    *,
    account: str | None = None,
    region: str = "",
    fleet: tuple[FleetQuery, RemoteFleet] | None = None,
) -> View:
    """The deployed state of one target as plain data (with ``fleet``, its coverage)."""
    now = now or datetime.now(UTC)
    result = View(target, setup, other_setups=other_setups(state), account=account, region=region)
    if fleet is not None:
        result.fleet = coverage.fleet_view(state, *fleet)
    for window in sorted(state.windows, key=lambda w: (w.name, w.window_id)):
        fields = window.fields
        expression, zone = str(fields.get("Schedule")), fields.get("ScheduleTimezone")
        try:
            words = describe(expression, zone)
            # apply's rule: start and end dates, the offset and Enabled (schedule.window_runs).
            next_runs = upcoming(fields, now).runs
        except ScheduleError:
            words, next_runs = "(not a schedule this tool understands)", ()
        names = {t.window_target_id: t.fields.get("Name") for t in window.targets}
        result.windows.append(
            {
                "name": window.name,
                "id": window.window_id,
                "schedule": expression,
                "timezone": zone,
                "in_words": words,
                "enabled": fields.get("Enabled", True),
                "next_runs": [r.isoformat() for r in next_runs],
                "targets": [
                    {
                        "name": t.fields.get("Name"),
                        "id": t.window_target_id,
                        "targets": t.fields.get("Targets"),
                    }
                    for t in sorted(window.targets, key=_by_name)
                ],
                "tasks": [
                    {
                        "name": t.fields.get("Name"),
                        "id": t.window_task_id,
                        "document": t.fields.get("TaskArn"),
                        "priority": t.fields.get("Priority"),
                        "targets": [
                            names.get(v, v)
                            for k in t.fields.get("Targets", [])
                            for v in k["Values"]
                        ],
                        "parameters": t.fields.get("TaskInvocationParameters", {})
                        .get("RunCommand", {})
                        .get("Parameters", {}),
                    }
                    for t in sorted(window.tasks, key=_by_name)
                ],
            }
        )
    for baseline in sorted(state.baselines, key=lambda b: (b.name, b.baseline_id)):
        groups = sorted(
            r.patch_group for r in state.registrations if r.baseline_id == baseline.baseline_id
        )
        result.baselines.append(
            {
                "name": baseline.name,
                "id": baseline.baseline_id,
                "operating_system": baseline.operating_system,
                "rules": [
                    _rule(r) for r in baseline.rules.get("ApprovalRules", {}).get("PatchRules", [])
                ],
                "patch_groups": groups,
                "default": baseline.baseline_id in state.default_baselines,
            }
        )
    result.roles = [
        {"name": r.name, "arn": r.arn} for r in sorted(state.roles, key=lambda r: r.name)
    ]
    if drift is not None:
        changes = sorted(drift.changes, key=lambda c: (KINDS.index(c.kind), c.label))
        result.drift = [
            {
                "kind": c.kind,
                "name": c.label,
                "action": c.action,
                "changes": [{"field": d.field, "old": d.old, "new": d.new} for d in c.diffs],
            }
            for c in changes
            if c.action != "unchanged"
        ]
    return result


def _by_name(item: RemoteTarget | RemoteTask) -> tuple[str, str]:
    ident = item.window_target_id if isinstance(item, RemoteTarget) else item.window_task_id
    return (str(item.fields.get("Name") or ""), ident)


def _rule(rule: dict[str, Any]) -> str:
    filters = " ".join(
        f"{f['Key']}={','.join(f['Values'])}"
        for f in rule.get("PatchFilterGroup", {}).get("PatchFilters", [])
    )
    when = (
        f"until {rule['ApproveUntilDate']}"
        if rule.get("ApproveUntilDate")
        else f"after {rule.get('ApproveAfterDays', 0)} days"
    )
    extra = " +non-security" if rule.get("EnableNonSecurity") else ""
    return f"{filters} approved {when}{extra}"


def render(views: list[View], output: str, verbose: bool = False) -> str:
    """All targets as text or csv (``verbose``: text with the IDs of targets and tasks
    too; json: patchsetup.document)."""
    if output == "csv":
        return _csv(views)
    return "\n\n".join(_text(v, verbose) for v in sorted(views, key=lambda v: v.target))


def _text(v: View, verbose: bool = False) -> str:
    lines = [f"== {v.target}: setup '{v.setup}' =="]
    if not (v.windows or v.baselines or v.roles):
        lines.append("nothing deployed")
        if v.other_setups:
            lines.append(others_hint(v.other_setups))
    for w in v.windows:
        state = "" if w["enabled"] else "  [disabled]"
        lines.append(f"window   {w['name']}  {w['id']}{state}")
        lines.append(f"         {w['schedule']} {w['timezone'] or 'UTC'}: {w['in_words']}")
        if w["next_runs"]:
            lines.append(
                f"         next: {', '.join(r[:16].replace('T', ' ') for r in w['next_runs'])}"
            )
        last = coverage.last_runs(v.fleet, w["name"])
        if last is not None:
            lines.append(f"         {last}")
        for t in w["targets"]:
            selectors = "; ".join(f"{x['Key']}={','.join(x['Values'])}" for x in t["targets"] or [])
            ident = f"  {t['id']}" if verbose else ""
            lines.append(f"  target {t['name']}: {selectors}{ident}")
        for t in sorted(w["tasks"], key=lambda t: t["priority"] or 0):
            operation = ",".join(t["parameters"].get("Operation", []))
            lines.append(
                f"  task   {t['name']}: {t['document']} {operation} priority {t['priority']} "
                f"on {', '.join(str(x) for x in t['targets'])}"
                + (f"  {t['id']}" if verbose else "")
            )
    if v.fleet is not None:
        lines.extend(coverage.text(v.fleet))
    for b in v.baselines:
        default = f"  the region's default {b['operating_system']} baseline" if b["default"] else ""
        lines.append(f"baseline {b['name']}  {b['id']}  {b['operating_system']}{default}")
        lines.extend(f"         rule: {r}" for r in b["rules"])
        lines.append(f"         patch groups: {', '.join(b['patch_groups']) or '(none)'}")
    for r in v.roles:
        lines.append(f"role     {r['name']}  {r['arn']}")
    if v.drift is not None:
        lines.append(
            "drift:   none: matches the config"
            if not v.drift
            else f"drift:   {len(v.drift)} changes"
        )
        for d in v.drift:
            lines.append("  " + marked(d["action"], f"{d['action']:<6}  {d['kind']}  {d['name']}"))
            lines.extend(
                f"{'':8}{leaf.field}: {_show(leaf.old)} -> {_show(leaf.new)}"
                for c in d["changes"]
                for leaf in by_path(FieldDiff(c["field"], c["old"], c["new"]))
            )
    return "\n".join(lines)


def _show(value: Any) -> str:
    """A field's value in a drift line: strings quoted, the rest as JSON."""
    if value == KNOWN_AFTER_APPLY:
        return str(value)
    return repr(value) if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)


CSV_COLUMNS = [
    "target",
    "setup",
    "kind",
    "name",
    "window",
    "id",
    "schedule",
    "timezone",
    "next_run",
    "details",
    "count",
]


def _csv(views: list[View]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for v in views:
        base = {"target": v.target, "setup": v.setup}
        for w in v.windows:
            writer.writerow(
                {
                    **base,
                    "kind": "window",
                    "name": w["name"],
                    "id": w["id"],
                    "schedule": w["schedule"],
                    "timezone": w["timezone"] or "UTC",
                    "next_run": (w["next_runs"] or [""])[0],
                    "details": w["in_words"],
                }
            )
            for t in w["targets"]:
                selectors = "; ".join(
                    f"{x['Key']}={','.join(x['Values'])}" for x in t["targets"] or []
                )
                writer.writerow(
                    {
                        **base,
                        "kind": "target",
                        "name": t["name"],
                        "window": w["name"],
                        "id": t["id"],
                        "details": selectors,
                    }
                )
            for t in w["tasks"]:
                writer.writerow(
                    {
                        **base,
                        "kind": "task",
                        "name": t["name"],
                        "window": w["name"],
                        "id": t["id"],
                        "details": f"{t['document']} priority {t['priority']}",
                    }
                )
        for b in v.baselines:
            writer.writerow(
                {
                    **base,
                    "kind": "baseline",
                    "name": b["name"],
                    "id": b["id"],
                    "details": f"{b['operating_system']}; "
                    + ("default baseline; " if b["default"] else "")
                    + " | ".join(b["rules"]),
                }
            )
            for g in b["patch_groups"]:
                writer.writerow({**base, "kind": "patch-group", "name": g, "details": b["name"]})
        for r in v.roles:
            writer.writerow({**base, "kind": "role", "name": r["name"], "id": r["arn"]})
        for row in coverage.csv_rows(v.fleet):
            writer.writerow({**base, **row})
        for d in v.drift or []:
            writer.writerow(
                {**base, "kind": f"drift:{d['kind']}", "name": d["name"], "details": d["action"]}
            )
    return out.getvalue().rstrip("\n")
