"""Coverage and compliance of a setup's fleet, for ``status``: plain data, text, CSV rows.

Pure: turns what ``aws/read_fleet.py`` found (``RemoteFleet``) and the setup's
deployed state into the ``fleet`` of a status view (the JSON document's shape),
its lines of text and its CSV rows. No boto3.

A managed node is *in* a patch group of the setup when it carries the setup's
patch-group tag key with that value. The gaps, shown as warnings:
- nodes in no patch group of the setup: untagged ones get the region's default
  patch baseline; ones tagged for another setup's group, a hand-made group, or
  a group no baseline in the region has (the default baseline again); ones tagged
  with the other patch-group key only, which the windows do not select;
- patch groups of the setup that no baseline is registered for (the region's
  default baseline patches their nodes), or none for the platform of some of their
  nodes (Windows nodes in a group with only Linux baselines), or that no window of
  the setup targets (nothing patches them), and groups with no node;

A group's ``baselines`` are every registration of it in the region, the setup's or
not (the replaced tool's, say): what Patch Manager applies to its nodes, per OS.
- a window target's tag value, or instance ID, that no managed node carries
  and that is no registered patch group (usually a typo).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from patchsetup.deploy.remote import RemoteState
from patchsetup.deploy.remote_fleet import FleetQuery, ManagedNode, RemoteFleet
from patchsetup.fields import other_key

PLATFORMS = ("Linux", "Windows", "MacOS")
PINGS = ("Online", "ConnectionLost", "Inactive")
#: DescribePatchGroupState's counts (of instances) -> the document's names.
COMPLIANCE = {
    "Instances": "instances",
    "InstancesWithInstalledPatches": "installed",
    "InstancesWithInstalledOtherPatches": "installed_other",
    "InstancesWithInstalledPendingRebootPatches": "installed_pending_reboot",
    "InstancesWithInstalledRejectedPatches": "installed_rejected",
    "InstancesWithMissingPatches": "missing",
    "InstancesWithFailedPatches": "failed",
    "InstancesWithNotApplicablePatches": "not_applicable",
    "InstancesWithUnreportedNotApplicablePatches": "unreported_not_applicable",
    "InstancesWithCriticalNonCompliantPatches": "critical_non_compliant",
    "InstancesWithSecurityNonCompliantPatches": "security_non_compliant",
    "InstancesWithOtherNonCompliantPatches": "other_non_compliant",
    "InstancesWithAvailableSecurityUpdates": "available_security_updates",
}
#: Why a node is outside the setup's patch groups (the document's ``outside[].reason``).
REASONS = {
    "no-patch-group": "in no patch group: the region's default patch baseline applies",
    "other-setup": "in patch group '{group}' of setup '{owner}', not this one",
    "not-a-setup": "in patch group '{group}' of a baseline no setup owns",
    "unknown-group": "in a patch group no baseline in the region has: "
    "the region's default patch baseline applies",
    "other-key": "tagged '{other}', the patch-group key this setup's windows do not "
    "select on ('{key}'): they do not patch them",
}
#: How many node IDs a text warning names before "and N more".
SHOWN_IDS = 5


def fleet_view(state: RemoteState, query: FleetQuery, fleet: RemoteFleet) -> dict[str, Any]:
    """The ``fleet`` of a status view: counts, gaps and the windows' last executions."""
    by_id = {n.node_id: n for n in fleet.nodes}
    groups: list[dict[str, Any]] = []
    inside: set[str] = set()
    for group in query.groups:
        members = [by_id[i] for i in fleet.carrying.get((query.key, group), []) if i in by_id]
        inside.update(n.node_id for n in members)
        groups.append(
            {
                "name": group,
                "baselines": {
                    r.operating_system: r.baseline_name
                    for r in sorted(state.registrations, key=lambda r: r.operating_system)
                    if r.patch_group == group
                },
                "windows": sorted(
                    query.windows[w.window_id]
                    for w in state.windows
                    if any(
                        s.get("Key") == f"tag:{query.key}" and group in s.get("Values", [])
                        for t in w.targets
                        for s in t.fields.get("Targets") or []
                    )
                ),
                **_counts(members),
                "node_ids": sorted(n.node_id for n in members),
                "compliance": {
                    name: fleet.states.get(group, {}).get(key, 0)
                    for key, name in COMPLIANCE.items()
                },
            }
        )
    view = {
        "key": query.key,
        **_counts(fleet.nodes),
        "patch_groups": groups,
        "outside": _outside(state, query, fleet, inside),
        "unmatched_targets": _unmatched(state, query, fleet),
        "executions": [
            {
                "window": query.windows[window_id],
                "window_id": window_id,
                "last": [
                    {
                        "id": e.execution_id,
                        "status": e.status,
                        "status_details": e.status_details,
                        "start": e.start,
                        "end": e.end,
                    }
                    for e in executions
                ],
            }
            for window_id, executions in sorted(
                fleet.executions.items(), key=lambda item: query.windows[item[0]]
            )
        ],
    }
    view["warnings"] = warnings(view)
    return view


def _counts(nodes: Iterable[ManagedNode]) -> dict[str, Any]:
    listed = list(nodes)
    platforms = Counter(n.platform for n in listed)
    pings = Counter(n.ping for n in listed)
    return {
        "nodes": len(listed),
        "platforms": {p: platforms[p] for p in sorted(platforms, key=_order(PLATFORMS))},
        "ping": {p: pings[p] for p in sorted(pings, key=_order(PINGS))},
    }


def _order(known: tuple[str, ...]) -> Callable[[str], tuple[int, str]]:
    """Sorts the known values in their order, then the others by name."""
    return lambda v: (known.index(v) if v in known else len(known), v)


def _outside(
    state: RemoteState, query: FleetQuery, fleet: RemoteFleet, inside: set[str]
) -> list[dict[str, Any]]:
    """The nodes outside the setup's patch groups, by patch group and why."""
    keyed = set(fleet.keyed)
    owners = {r.patch_group: r.baseline_owner for r in state.registrations}
    named: set[str] = set()
    found: list[dict[str, Any]] = []
    for group in query.foreign:
        members = sorted(i for i in fleet.carrying.get((query.key, group), []) if i not in inside)
        if not members:
            continue
        named.update(members)
        owner = owners.get(group)
        reason = "other-setup" if owner else "not-a-setup"
        found.append({"patch_group": group, "owner": owner, "reason": reason, "nodes": members})
    everyone = {n.node_id for n in fleet.nodes}
    unknown = sorted((keyed & everyone) - inside - named)
    if unknown:
        found.append(
            {"patch_group": None, "owner": None, "reason": "unknown-group", "nodes": unknown}
        )
    # Tagged with the other key only: in a patch group to Patch Manager, not to the windows.
    other = sorted((set(fleet.other_keyed) & everyone) - keyed - inside)
    if other:
        found.append({"patch_group": None, "owner": None, "reason": "other-key", "nodes": other})
    untagged = sorted(everyone - keyed - set(other) - inside)
    if untagged:
        found.insert(
            0, {"patch_group": None, "owner": None, "reason": "no-patch-group", "nodes": untagged}
        )
    return found


def _unmatched(state: RemoteState, query: FleetQuery, fleet: RemoteFleet) -> list[dict[str, Any]]:
    """Window targets' tag values and instance IDs that no managed node carries (a
    registered patch group's value is an empty group instead)."""
    everyone = {n.node_id for n in fleet.nodes}
    # A registered patch group with no node is said as such (an empty group), not a typo.
    registered = {r.patch_group for r in state.registrations}
    found: list[dict[str, Any]] = []
    for window in sorted(state.windows, key=lambda w: w.name):
        for target in sorted(window.targets, key=lambda t: str(t.fields.get("Name") or "")):
            for selector in target.fields.get("Targets") or []:
                key = str(selector.get("Key", ""))
                for value in selector.get("Values", []):
                    if key.startswith("tag:"):
                        missing = not fleet.carrying.get((key[4:], value)) and not (
                            key[4:] == query.key and value in registered
                        )
                    elif key == "InstanceIds":
                        missing = value not in everyone
                    else:
                        continue
                    if missing:
                        found.append(
                            {
                                "window": window.name,
                                "target": target.fields.get("Name"),
                                "key": key,
                                "value": value,
                            }
                        )
    return found


def warnings(view: dict[str, Any]) -> list[str]:
    """The gaps of a fleet view, one sentence each."""
    lines = []
    for out in view["outside"]:
        reason = REASONS[out["reason"]].format(
            group=out["patch_group"],
            owner=out["owner"],
            key=view["key"],
            other=other_key(view["key"]),
        )
        lines.append(f"{_nodes(len(out['nodes']))} {reason}: {_ids(out['nodes'])}")
    typos = {t["value"] for t in view["unmatched_targets"]}
    for g in view["patch_groups"]:
        if g["nodes"] and not g["baselines"]:
            lines.append(
                f"patch group '{g['name']}': no baseline is registered for it, its "
                f"{_nodes(g['nodes'])} get the region's default patch baseline"
            )
        for platform, count in g["platforms"].items():
            if g["baselines"] and not _covers(platform, g["baselines"]):
                lines.append(
                    f"patch group '{g['name']}': {count} {platform} node"
                    + ("" if count == 1 else "s")
                    + f" but no {platform} baseline is registered for it: the region's "
                    f"default patch baseline for {platform} applies"
                )
        if g["nodes"] and not g["windows"]:
            lines.append(
                f"patch group '{g['name']}': no window of this setup targets it, its "
                f"{_nodes(g['nodes'])} are not patched by it"
            )
    # A typo is said once, below; with no node at all, once for the region.
    empty = [g["name"] for g in view["patch_groups"] if not g["nodes"] and g["name"] not in typos]
    if not view["nodes"]:
        lines.append("no managed node in this region: nothing is patched here yet")
    elif empty:
        listed = ", ".join(f"'{g}'" for g in empty)
        lines.append(f"patch group{'s' if len(empty) > 1 else ''} with no managed node: {listed}")
    for t in view["unmatched_targets"]:
        what = "instance" if t["key"] == "InstanceIds" else f"tag {t['key'][4:]}="
        lines.append(
            f"window {t['window']} target {t['target']}: no managed node is "
            f"{what}{t['value']!r} (a typo?)"
        )
    return lines


#: The operating systems of a baseline for the platforms that are not Linux.
_NOT_LINUX = {"Windows": "WINDOWS", "MacOS": "MACOS"}


def _covers(platform: str, baselines: dict[str, str]) -> bool:
    """Whether a group's baselines (by OS) have one for nodes of ``platform``: its OS, or
    for Linux any Linux OS (the node's distribution is not told apart here)."""
    if platform in _NOT_LINUX:
        return _NOT_LINUX[platform] in baselines
    if platform == "Linux":
        return any(os not in _NOT_LINUX.values() for os in baselines)
    return True


def _nodes(count: int) -> str:
    return f"{count} managed node" + ("" if count == 1 else "s")


def _ids(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN_IDS])
    return shown + (f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else "")


#: The columns of the text table: header, where the group's number is.
_TABLE: list[tuple[str, str, str | None]] = [
    ("NODES", "nodes", None),
    *((p.upper(), "platforms", p) for p in PLATFORMS),
    ("ONLINE", "ping", "Online"),
    ("LOST", "ping", "ConnectionLost"),
    ("INACTIVE", "ping", "Inactive"),
    ("REPORTED", "compliance", "instances"),
    ("MISSING", "compliance", "missing"),
    ("FAILED", "compliance", "failed"),
    ("REBOOT", "compliance", "installed_pending_reboot"),
]


def _cell(group: dict[str, Any], part: str, key: str | None) -> int:
    value = group[part] if key is None else group[part].get(key, 0)
    return int(value)


def text(view: dict[str, Any]) -> list[str]:
    """The fleet section of a status text: one line of totals, a table, the warnings."""
    total = view["nodes"]
    inside = len({i for g in view["patch_groups"] for i in g["node_ids"]})
    by = "; ".join(
        ", ".join(f"{k} {v}" for k, v in view[part].items())
        for part in ("platforms", "ping")
        if view[part]
    )
    lines = [
        f"fleet    {_nodes(total)}: {inside} in the {len(view['patch_groups'])} patch groups "
        f"of this setup (tag {view['key']!r})" + (f"; {by}" if by else "")
    ]
    if view["patch_groups"]:
        width = max(len("PATCH GROUP"), *(len(g["name"]) for g in view["patch_groups"]))
        header = f"  {'PATCH GROUP':<{width}}" + "".join(f"  {h}" for h, _, _ in _TABLE)
        lines.append(header + "  WINDOW / BASELINE OS")
        for g in view["patch_groups"]:
            row = f"  {g['name']:<{width}}" + "".join(
                f"  {_cell(g, part, key):>{len(h)}}" for h, part, key in _TABLE
            )
            where = ", ".join(g["windows"]) or "(no window)"
            oses = " ".join(g["baselines"]) or "(no baseline)"
            lines.append(f"{row}  {where} / {oses}")
    lines.extend(f"  warning: {w}" for w in view["warnings"])
    return lines


def last_runs(view: dict[str, Any] | None, window: str) -> str | None:
    """A window's ``last:`` line of text (None without a fleet view)."""
    if view is None:
        return None
    entry = next((e for e in view["executions"] if e["window"] == window), None)
    if entry is None:
        return None
    if not entry["last"]:
        return "last: no executions"
    return "last: " + ", ".join(
        f"{e['status']} {_when(e['start'])}"
        + (f" to {_when(e['end'])[11:]}" if e["end"] else "")
        + (f" ({e['status_details']})" if e["status_details"] and e["status"] != "SUCCESS" else "")
        for e in entry["last"]
    )


def _when(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else "(not started)"


def csv_rows(view: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The fleet's rows of status's one CSV table (``count`` holds the numbers)."""
    if view is None:
        return []
    rows: list[dict[str, Any]] = []

    def counts(kind: str, name: str, entry: dict[str, Any]) -> None:
        rows.append({"kind": kind, "name": name, "details": "nodes", "count": entry["nodes"]})
        for part, label in (("platforms", "platform"), ("ping", "ping")):
            rows.extend(
                {"kind": kind, "name": name, "details": f"{label}={k}", "count": v}
                for k, v in entry[part].items()
            )

    counts("fleet", view["key"], view)
    for g in view["patch_groups"]:
        counts("coverage", g["name"], g)
        rows.extend(
            {"kind": "compliance", "name": g["name"], "details": k, "count": v}
            for k, v in g["compliance"].items()
        )
    for out in view["outside"]:
        rows.extend(
            {
                "kind": "outside",
                "name": i,
                "details": f"{out['reason']}: {out['patch_group'] or ''}",
            }
            for i in out["nodes"]
        )
    for t in view["unmatched_targets"]:
        rows.append(
            {
                "kind": "unmatched-target",
                "name": t["target"],
                "window": t["window"],
                "details": f"{t['key']}={t['value']}",
            }
        )
    for e in view["executions"]:
        rows.extend(
            {
                "kind": "execution",
                "name": x["status"],
                "window": e["window"],
                "id": x["id"],
                "details": f"{x['start'] or ''} .. {x['end'] or ''}"
                + (f"; {x['status_details']}" if x["status_details"] else ""),
            }
            for x in e["last"]
        )
    return rows
