"""Cleanup as a plan: what the reader found becomes delete calls.

Pure: no boto3. The same rules hold for both modes; what differs is what the
reader hands over (``read_setup`` or ``read_sweep``):

- A window is deleted (with its targets and tasks) unless it holds a task that
  does not patch; then only its patching tasks are deregistered.
- Every baseline handed over is deleted, its patch groups deregistered first.
  The reader never hands over an AWS-owned baseline or another setup's.
- This setup's service role is deleted after everything that used it, unless
  another region's windows still use it (its region tags, ``release_role``):
  then only this region's tag is removed.
- With ``all_patching`` every other registration handed over is removed too
  (the seed tool's sweep); without it, only those of this setup's baselines.
"""

from __future__ import annotations

from patchsetup.model import PATCHING_DOCUMENTS
from patchsetup.plan import Change, Plan
from patchsetup.planner import (
    delete_baseline,
    delete_registration,
    delete_task,
    delete_window,
    in_phase,
    release_role,
)
from patchsetup.state import RemoteState


def cleanup_plan(
    state: RemoteState, *, all_patching: bool = False, region: str | None = None
) -> Plan:
    """The deletes for ``state`` in ``region``, in dependency order."""
    tasks: list[Change] = []
    windows: list[Change] = []
    kept: list[Change] = []
    for window in state.windows:
        foreign = [t for t in window.tasks if t.fields.get("TaskArn") not in PATCHING_DOCUMENTS]
        if not foreign:
            windows.extend(delete_window(window))
            continue
        tasks.extend(delete_task(window, t) for t in window.tasks if t not in foreign)
        names = ", ".join(str(t.fields.get("Name") or t.window_task_id) for t in foreign)
        kept.append(
            Change(
                "unchanged",
                "window",
                window.name,
                resource_id=window.window_id,
                note=f"kept: it holds tasks that do not patch ({names})",
            )
        )
    deleted = {b.baseline_id for b in state.baselines}
    groups = [
        delete_registration(r)
        for r in state.registrations
        if all_patching and r.baseline_id not in deleted
    ]
    baselines = [delete_baseline(b, state.registrations) for b in state.baselines]
    roles = [release_role(r, region) for r in state.roles]
    return Plan(
        tuple(
            in_phase(1, tasks + groups)
            + in_phase(2, windows + baselines)
            + in_phase(6, roles)
            + in_phase(7, kept)
        )
    )
