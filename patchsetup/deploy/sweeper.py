"""Cleanup as a plan: what the reader found becomes delete calls.

Pure: no boto3. The same rules hold for both modes, and they are setup's rules
too (patchsetup/deploy/ownership.py); what differs is what the reader hands over
(``read_setup`` or ``read_sweep``):

- A window is deleted (with its targets and tasks) unless it holds a task that
  is not the setup's; then only the setup's tasks and the targets no other task
  uses are deregistered, and the window is kept and reported.
- Every baseline handed over is deleted, its patch groups deregistered first;
  one that is the region's default is handled as ``delete_baseline`` says
  (this setup's: AWS's predefined default is registered again first).
  The reader never hands over an AWS-owned baseline or another setup's.
- This setup's service role is deleted after everything that used it, unless
  another region's windows still use it (its region tags, ``release_role``):
  then only this region's tag is removed.
- With ``all_patching`` every other registration handed over is removed too
  (the seed tool's sweep); without it, only those of this setup's baselines.
"""

from __future__ import annotations

from patchsetup.deploy.default_baselines import restores_for
from patchsetup.deploy.maintenance_windows import retire_window
from patchsetup.deploy.patch_baselines import delete_baseline, delete_registration
from patchsetup.deploy.plan import Change, Plan, in_phase
from patchsetup.deploy.remote import RemoteState
from patchsetup.deploy.service_role import release_role


def cleanup_plan(
    state: RemoteState, *, all_patching: bool = False, region: str | None = None
) -> Plan:
    """The deletes for ``state`` in ``region``, in dependency order."""
    tasks: list[Change] = []
    windows: list[Change] = []
    kept: list[Change] = []
    for window in state.windows:
        gone, rest, note = retire_window(window)
        tasks.extend(gone)
        windows.extend(rest)
        if note is not None:
            kept.append(note)
    baselines = [delete_baseline(b, state) for b in state.baselines]
    deleted = {c.resource_id for c in baselines}
    groups = [
        delete_registration(r)
        for r in state.registrations
        if all_patching and r.baseline_id not in deleted
    ]
    roles = [release_role(r, region) for r in state.roles]
    return Plan(
        tuple(
            in_phase(1, tasks + groups + restores_for(state))
            + in_phase(2, windows + baselines)
            + in_phase(6, roles)
            + in_phase(7, kept)
        )
    )
