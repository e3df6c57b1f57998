"""The one JSON document of ``--output json``: the same shape for every command.

``apply``, ``cleanup`` and ``status`` print one document on stdout, for one target
or many, on success and on every failure (bad input included)::

    {"schema_version": 1, "command": "apply", "setup": "default",
     "targets": [{"target": ..., "account": ..., "region": ..., "exit_code": 0,
                  "error": null, ...what the command found or did there...}],
     "summary": {"targets": 1, "succeeded": 1, "failed": 0, "resources": {...}},
     "warnings": [...], "skipped": [...], "error": null}

``error`` is null on success, else ``{"message", "exit_code"}``: the message is the
one ``error:`` line on stderr. Targets are in order of account (the caller's own
first) then region; resources by kind then name; windows, baselines and roles by
name. The JSON Schema is ``schemas/report.schema.json`` (``SCHEMA``), shipped in the
package. ``skipped`` lists the accounts ``--org`` left out as not active
(``{"account", "name", "state"}``); empty otherwise.

The command records what it found (``record_run``, ``record_status``) and the
entry point, which alone knows the final exit code and message, renders it
(``begin``, ``finish``). Pure: no boto3 or botocore is loaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from patchsetup.errors import EXIT_CHANGES
from patchsetup.report import Report, summary

if TYPE_CHECKING:  # the executor loads botocore, status a fleet's reader: only named here
    from patchsetup.deploy.executor import Outcome
    from patchsetup.status import View

SCHEMA_VERSION = 1
#: The JSON Schema (draft 2020-12) of the document.
SCHEMA = Path(__file__).parent / "schemas" / "report.schema.json"
#: The commands that print the document, and the keys of their ``summary.resources``.
RESOURCE_COUNTS = {
    "apply": ("create", "update", "delete", "adopt", "unchanged", "failed", "not_run"),
    "cleanup": ("create", "update", "delete", "adopt", "unchanged", "failed", "not_run"),
    "status": ("windows", "baselines", "roles"),
    "assign": ("create", "update", "delete", "adopt", "unchanged", "failed", "not_run"),
}


@dataclass
class _Pending:
    """What one command run will show: filled by the command, rendered at its exit."""

    command: str
    setup: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: Each target's report and exit code (None: the command's own, one target alone).
    runs: list[tuple[Report, int | None]] = field(default_factory=list)
    views: list[View] = field(default_factory=list)
    #: --org: the accounts left out as not active, and the listing's warnings.
    skipped: list[dict[str, str]] = field(default_factory=list)
    account_warnings: list[str] = field(default_factory=list)
    #: Whether anything was recorded: a run that shows only --help prints no document.
    recorded: bool = False


_pending: list[_Pending] = []


def begin(command: str) -> None:
    """JSON was asked for on the command line of ``command``: a document will be printed."""
    _pending[:] = [_Pending(command)]


def wanted() -> bool:
    """Whether this run prints the JSON document."""
    return bool(_pending)


def record_run(
    setup: str, warnings: Sequence[str], runs: Iterable[tuple[Report, int | None]]
) -> None:
    """apply and cleanup: the targets' reports (mutated until the end, shown as they are then)."""
    if not _pending:
        return
    pending = _pending[0]
    pending.setup, pending.warnings, pending.recorded = setup, list(warnings), True
    pending.runs = list(runs)


def record_status(setup: str, views: Sequence[View]) -> None:
    """status: what is deployed in each target."""
    if not _pending:
        return
    pending = _pending[0]
    pending.setup, pending.views, pending.recorded = setup, list(views), True


def record_accounts(skipped: Sequence[dict[str, str]], warnings: Sequence[str]) -> None:
    """--org: the accounts skipped (not active) and the warnings of the listing."""
    if not _pending:
        return
    pending = _pending[0]
    pending.skipped, pending.account_warnings = list(skipped), list(warnings)


def finish(exit_code: int, message: str | None) -> str | None:
    """The document, once the command ended with ``exit_code`` (and, if it failed, the
    message of its ``error:`` line); None when none is due."""
    if not _pending:
        return None
    pending = _pending.pop()
    if exit_code == 0 and not pending.recorded:
        return None  # --help, or nothing ran
    return json.dumps(render(pending, exit_code, message), indent=2, default=str)


def render(pending: _Pending, exit_code: int, message: str | None) -> dict[str, Any]:
    # --detailed-exitcode's 5 is success with changes: no target failed, no error.
    failure = 0 if exit_code == EXIT_CHANGES else exit_code
    if pending.command == "status":
        targets = [_view(v) for v in pending.views]
    else:
        targets = [
            _run(report, failure if code is None else code, message)
            for report, code in pending.runs
        ]
    targets.sort(key=lambda t: (t["account"] or "", t["region"]))
    failed = sum(1 for t in targets if t["exit_code"])
    if failure and message is None:
        message = f"{failed} of {len(targets)} targets failed: each target's error says why"
    return {
        "schema_version": SCHEMA_VERSION,
        "command": pending.command,
        "setup": pending.setup,
        "targets": targets,
        "summary": {
            "targets": len(targets),
            "succeeded": len(targets) - failed,
            "failed": failed,
            **_totals(pending.command, targets),
        },
        "warnings": [*pending.account_warnings, *pending.warnings],
        "skipped": pending.skipped,
        "error": {"message": message, "exit_code": exit_code} if failure else None,
    }


def _totals(command: str, targets: list[dict[str, Any]]) -> dict[str, Any]:
    keys = RESOURCE_COUNTS[command]
    if command != "status":
        return {"resources": {k: sum(t["summary"][k] for t in targets) for k in keys}}
    drifts = [t["drift"] for t in targets if t["drift"] is not None]
    return {
        "resources": {k: sum(len(t[k]) for t in targets) for k in keys},
        "drift": sum(len(d) for d in drifts) if drifts else None,
    }


def _where(account: str | None, region: str) -> dict[str, Any]:
    return {
        "target": f"{account}/{region}" if account else region,
        "account": account,
        "region": region,
    }


def _run(report: Report, exit_code: int, message: str | None) -> dict[str, Any]:
    """One target of apply or cleanup."""
    counts = summary(report.outcomes)
    planned = None
    if report.refused:
        # What it would have done; nothing was done.
        planned, counts = counts, {k: (v if k == "unchanged" else 0) for k, v in counts.items()}
    resources = [_resource(o) for o in report.outcomes]
    return {
        **_where(report.account, report.region),
        "setup": report.setup,
        "exit_code": exit_code,
        "error": report.error or (message if exit_code else None),
        "dry_run": report.dry_run,
        "refused": report.refused,
        "summary": counts,
        "planned": planned,
        "resources": sorted(resources, key=lambda r: (r["kind"], r["name"], r["window"] or "")),
        "windows": sorted(
            (
                {
                    "name": w.name,
                    "schedule": w.schedule,
                    "timezone": w.timezone,
                    "description": w.description,
                    "next_runs": [r.isoformat() for r in w.next_runs],
                    "warnings": list(w.warnings),
                }
                for w in report.windows
            ),
            key=lambda w: w["name"],
        ),
        "other_setups": _by_name(report.other_setups),
    }


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


def _view(view: View) -> dict[str, Any]:
    """One target of status."""
    windows = [
        {**w, "targets": _by_name(w["targets"]), "tasks": _by_name(w["tasks"])}
        for w in view.windows
    ]
    drift = None
    if view.drift is not None:
        drift = sorted(view.drift, key=lambda d: (d["kind"], d["name"]))
    return {
        **_where(view.account, view.region),
        "setup": view.setup,
        "exit_code": 0,
        "error": None,
        "windows": _by_name(windows),
        "baselines": _by_name(view.baselines),
        "roles": _by_name(view.roles),
        "drift": drift,
        "other_setups": _by_name(view.other_setups),
        "fleet": view.fleet,
    }


def _by_name(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: str(item.get("name") or ""))
