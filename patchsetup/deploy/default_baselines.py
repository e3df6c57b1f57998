"""The region's default baseline per OS: a baseline with ``default = true``.

Pure: no boto3. One change of kind ``default-baseline`` per OS, named by the OS:

- Set: the wanted baseline is registered as the default after it exists
  (RegisterDefaultPatchBaseline, its ID known after apply). Already the default:
  unchanged, no write. The current default is AWS's predefined one or one of this
  setup's: an update. Anything else (made by hand, by another setup, by the replaced
  tool, or another of AWS's baselines chosen by hand) is taken over only with
  consent (``Change.takeover``, asked for like a delete).
- Restore: one of this setup's baselines is the default and is no longer wanted as
  it (the key dropped, the baseline removed, cleanup): AWS's predefined default for
  the OS (``AWS-...DefaultPatchBaseline``) is registered again, before the baseline
  is deleted (AWS refuses to delete the default). Always AWS's, never the default
  that was there before a takeover: the tool keeps no record of it. A default that
  is not this setup's is never touched by a restore.
"""

from __future__ import annotations

from collections.abc import Mapping

from patchsetup.deploy.calls import register_default_patch_baseline
from patchsetup.deploy.diff import FieldDiff
from patchsetup.deploy.draft import PlanDraft
from patchsetup.deploy.plan import Change, Kind, Ref
from patchsetup.deploy.remote import RemoteBaseline, RemoteState
from patchsetup.model import OWNER_TAG

KIND: Kind = "default-baseline"


def plan_defaults(draft: PlanDraft, baseline_ids: Mapping[str, str | Ref]) -> None:
    """Restores (phase 1, before deletes) and sets (after the baselines exist)."""
    remote = draft.remote
    deleted = {c.resource_id for c in draft.baseline_deletes if c.action == "delete"}
    wanted = {s.operating_system: s for s in draft.desired.baselines if s.default}
    restored: set[str] = set()
    for baseline in remote.baselines:
        if baseline.baseline_id not in remote.default_baselines:
            continue
        spec = wanted.get(baseline.operating_system)
        if spec is not None and baseline.baseline_id not in deleted:
            continue  # stays the default, or the set below moves it straight on
        draft.default_restores.append(restore_default(baseline, remote))
        restored.add(baseline.baseline_id)
    for os_name, spec in sorted(wanted.items()):
        target = baseline_ids[spec.name]
        current = remote.current_defaults.get(os_name)
        if current is not None and current in restored:
            current = remote.aws_defaults.get(os_name, current)
        draft.default_writes.append(_set_default(remote, os_name, spec.name, target, current))


def _set_default(
    remote: RemoteState, os_name: str, name: str, target: str | Ref, current: str | None
) -> Change:
    if current is not None and current == target:
        return Change("unchanged", KIND, os_name, resource_id=os_name, note=None)
    old = remote.baseline_names.get(current, current) if current is not None else None
    ours = {b.baseline_id for b in remote.baselines}
    aws = remote.aws_defaults.get(os_name)
    takeover = current is not None and current not in ours and current != aws
    note = None
    if takeover and current is not None:
        owner = remote.baseline_owners.get(current)
        whose = (
            f"setup {owner!r}'s"
            if owner
            else "one of AWS's, chosen by hand"
            if current.startswith("arn:")
            else "untagged: made by hand or by another tool"
        )
        note = (
            f"takes over the default from {old!r} ({whose}); removing it later restores "
            "AWS's predefined default, not that one"
        )
    return Change(
        "update",
        KIND,
        os_name,
        resource_id=os_name,
        diffs=(FieldDiff("Baseline", old, name),),
        calls=(register_default_patch_baseline(target),),
        note=note,
        takeover=takeover,
    )


def restore_default(baseline: RemoteBaseline, remote: RemoteState) -> Change:
    """Make AWS's predefined baseline the default again for ``baseline``'s OS."""
    os_name = baseline.operating_system
    aws = remote.aws_defaults.get(os_name)
    if aws is None:
        return Change(
            "unchanged",
            KIND,
            os_name,
            resource_id=os_name,
            note=f"{baseline.name!r} stays the default: AWS's predefined {os_name} baseline "
            "was not found in the region",
        )
    return Change(
        "update",
        KIND,
        os_name,
        resource_id=os_name,
        diffs=(FieldDiff("Baseline", baseline.name, remote.baseline_names.get(aws, aws)),),
        calls=(register_default_patch_baseline(aws),),
        note="AWS's predefined default again",
    )


def restores_for(remote: RemoteState) -> list[Change]:
    """Cleanup: every baseline handed over that is the default and this setup's."""
    return [
        restore_default(b, remote)
        for b in remote.baselines
        if b.baseline_id in remote.default_baselines and OWNER_TAG in b.tags
    ]
