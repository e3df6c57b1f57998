"""The diff: desired Setup against RemoteState, as a Plan of API calls.

Pure: no boto3. ``plan`` composes one module per resource kind, each with its
whole story: ``service_role``, ``patch_baselines`` (baselines, patch-group
registrations), ``default_baselines`` (the region's default per OS),
``maintenance_windows`` and
``window_targets``, ``window_tasks``. Every request is built in ``calls``,
fields are compared in ``diff``. Cleanup is planned by ``sweeper``.

The order of the plan is the order of execution, chosen so that every call's
dependencies exist and nothing is left orphaned if a run stops half way: tasks
and windows are removed first, patch-group registrations leave a baseline before
it is deleted, a window is created before its targets and its targets before its
tasks, and targets are removed only after the tasks that used them were
re-pointed (the phases of ``PlanDraft.plan``).
"""

from __future__ import annotations

import uuid

from patchsetup.deploy.default_baselines import plan_defaults
from patchsetup.deploy.draft import PlanDraft, TokenFactory
from patchsetup.deploy.maintenance_windows import plan_windows
from patchsetup.deploy.patch_baselines import plan_baselines, plan_patch_groups
from patchsetup.deploy.plan import Plan
from patchsetup.deploy.remote import RemoteState
from patchsetup.deploy.service_role import plan_role
from patchsetup.model import Setup


def _uuid_token() -> str:
    return str(uuid.uuid4())


def plan(
    desired: Setup,
    remote: RemoteState,
    token: TokenFactory = _uuid_token,
    *,
    region: str | None = None,
    boundary: str | None = None,
) -> Plan:
    """The calls that turn ``remote`` into ``desired``; ``token`` makes ClientTokens.

    ``boundary`` is the ARN of the permissions boundary the service role must have
    (policy.boundary_arn_of): a created role gets it, an existing one without it gets
    it put. None: the role's boundary is left as it is (plans made without AWS).

    ``region`` is the region planned for. The service role is global: it carries a
    tag per region that uses it, and a region that lets go of it deletes it only
    when no other region's tag is left (``release_role``). None: no region tags.

    Raises PlanConflict, before anything is written, for a patch group another
    setup's baseline already holds for the same OS.
    """
    draft = PlanDraft(desired, remote, token, region, boundary)
    draft.role_arn = plan_role(draft)
    baseline_ids = plan_baselines(draft)
    plan_patch_groups(draft, baseline_ids)
    plan_defaults(draft, baseline_ids)
    plan_windows(draft)
    return draft.plan()
