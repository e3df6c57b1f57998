"""What should exist: the desired Patch Manager setup, as plain frozen data.

No boto3 here. Each spec knows how to express itself as the request fields of
the API call that creates it (``*_fields``), and the planner compares those
fields with what the reader found. Ownership is a tag on every taggable
resource (baselines and windows); targets and tasks belong to their window.
The rule of each field (names, role names and ARNs, rates, patch groups, target
keys) is in ``fields.py``, shared with the flags and the config file; the default
service role and its policy are in ``roles.py``. :meth:`Setup.validate` applies
the rules and what only the whole setup can say (names used twice, references).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from patchsetup.fields import (
    CONCURRENCY_RE,
    CONCURRENCY_RULE,
    CUTOFF_MAX,
    CUTOFF_MIN,
    DURATION_MAX,
    DURATION_MIN,
    ERRORS_RE,
    ERRORS_RULE,
    NAME_RE,
    NAME_RULE,
    PRIORITY_MAX,
    ROLE_NAME_RE,
    ROLE_NAME_RULE,
    patch_group_problem,
    role_arn_problem,
    setup_name_problem,
    target_key_problem,
)

TOOL = "ssm-patching-setup"
#: The tag every taggable resource carries; its value is the setup name.
OWNER_TAG = f"{TOOL}:setup"

RUN_PATCH_BASELINE = "AWS-RunPatchBaseline"
#: Task documents that patch; ``cleanup --all-patching`` sweeps tasks running these.
PATCHING_DOCUMENTS = frozenset(
    {"AWS-RunPatchBaseline", "AWS-ApplyPatchBaseline", "AWS-RunPatchBaselineWithHooks"}
)


class ModelError(ValueError):
    """A desired state that AWS would refuse or that contradicts itself (one line)."""


@dataclass(frozen=True)
class TargetSpec:
    """A registered target of a maintenance window (RegisterTargetWithMaintenanceWindow)."""

    name: str
    targets: tuple[tuple[str, tuple[str, ...]], ...]
    resource_type: str = "INSTANCE"
    owner_information: str | None = None
    description: str | None = None

    def fields(self) -> dict[str, Any]:
        """The comparable request fields, as UpdateMaintenanceWindowTarget would set them."""
        return {
            "Name": self.name,
            "ResourceType": self.resource_type,
            "Targets": [{"Key": k, "Values": list(v)} for k, v in self.targets],
            "OwnerInformation": self.owner_information,
            "Description": self.description,
        }


#: Stands for the ARN of the service role this setup creates (``Setup.service_role``).
SERVICE_ROLE = "@service-role"


@dataclass(frozen=True)
class NotificationSpec:
    """SNS notifications of a Run Command task (NotificationConfig)."""

    topic_arn: str
    events: tuple[str, ...] = ("All",)
    #: "Command" (per command) or "Invocation" (per instance).
    type: str = "Command"
    #: The role SNS publishing assumes; SERVICE_ROLE for the created role.
    role_arn: str | None = None


@dataclass(frozen=True)
class TaskSpec:
    """A RUN_COMMAND task of a maintenance window running a patching document."""

    name: str
    target_names: tuple[str, ...]
    document: str = RUN_PATCH_BASELINE
    priority: int = 1
    max_concurrency: str = "2"
    max_errors: str = "1"
    parameters: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {"Operation": ("Install",)}
    )
    #: An IAM role ARN, SERVICE_ROLE for the created role, or None for the
    #: Systems Manager service-linked role.
    service_role_arn: str | None = None
    description: str | None = None
    #: CONTINUE_TASK (AWS's default, sent explicitly so a re-read compares equal) or CANCEL_TASK.
    cutoff_behavior: str = "CONTINUE_TASK"
    output_s3_bucket: str | None = None
    output_s3_prefix: str | None = None
    cloudwatch_output: bool = False
    cloudwatch_log_group: str | None = None
    notification: NotificationSpec | None = None
    timeout_seconds: int | None = None
    comment: str | None = None

    def run_command(self) -> dict[str, Any]:
        """TaskInvocationParameters.RunCommand, with unset members left out."""
        params: dict[str, Any] = {
            "Parameters": {k: list(v) for k, v in self.parameters.items()},
            "OutputS3BucketName": self.output_s3_bucket,
            "OutputS3KeyPrefix": self.output_s3_prefix,
            "TimeoutSeconds": self.timeout_seconds,
            "Comment": self.comment,
        }
        if self.cloudwatch_output or self.cloudwatch_log_group:
            params["CloudWatchOutputConfig"] = {
                "CloudWatchOutputEnabled": True,
                "CloudWatchLogGroupName": self.cloudwatch_log_group,
            }
        if self.notification is not None:
            params["NotificationConfig"] = {
                "NotificationArn": self.notification.topic_arn,
                "NotificationEvents": list(self.notification.events),
                "NotificationType": self.notification.type,
            }
            params["ServiceRoleArn"] = self.notification.role_arn
        return {k: v for k, v in params.items() if v is not None}

    def fields(self) -> dict[str, Any]:
        """Comparable fields; Targets name window targets, the planner maps names to IDs."""
        return {
            "Name": self.name,
            "TaskArn": self.document,
            "TaskType": "RUN_COMMAND",
            "Targets": [{"Key": "WindowTargetIds", "Values": list(self.target_names)}],
            "Priority": self.priority,
            "MaxConcurrency": self.max_concurrency,
            "MaxErrors": self.max_errors,
            "ServiceRoleArn": self.service_role_arn,
            "Description": self.description,
            "CutoffBehavior": self.cutoff_behavior,
            "TaskInvocationParameters": {"RunCommand": self.run_command()},
        }


@dataclass(frozen=True)
class WindowSpec:
    """A maintenance window with its targets and tasks."""

    name: str
    schedule: str
    duration: int = 1
    cutoff: int = 0
    timezone: str | None = None
    description: str | None = None
    allow_unassociated_targets: bool = False
    enabled: bool = True
    #: Days after the cron date (1-6), e.g. Patch Tuesday plus 2 days.
    schedule_offset: int | None = None
    #: ISO 8601 date-times bounding when the window is active.
    start_date: str | None = None
    end_date: str | None = None
    targets: tuple[TargetSpec, ...] = ()
    tasks: tuple[TaskSpec, ...] = ()

    def fields(self) -> dict[str, Any]:
        """The comparable fields, as GetMaintenanceWindow reports them."""
        return {
            "Name": self.name,
            "Schedule": self.schedule,
            "ScheduleTimezone": self.timezone,
            "Duration": self.duration,
            "Cutoff": self.cutoff,
            "AllowUnassociatedTargets": self.allow_unassociated_targets,
            "Description": self.description,
            "Enabled": self.enabled,
            "ScheduleOffset": self.schedule_offset,
            "StartDate": self.start_date,
            "EndDate": self.end_date,
        }


@dataclass(frozen=True)
class BaselineSpec:
    """A custom patch baseline and the patch groups registered to it."""

    name: str
    operating_system: str
    #: CreatePatchBaseline request fields other than Name, Tags and ClientToken.
    rules: Mapping[str, Any]
    patch_groups: tuple[str, ...] = ()
    #: Extra tags from a baseline file; the owner tag is always added.
    tags: Mapping[str, str] = field(default_factory=dict)
    #: The region's default baseline for its OS (RegisterDefaultPatchBaseline).
    default: bool = False


#: IAM path of the roles the tool creates: cleanup finds them by it, then checks the tag.
ROLE_PATH = "/ssm-patching-setup/"
#: The managed policy an administrator creates once per account from
#: iam/ssm-patching-setup-role-boundary.json; every role the tool creates gets it.
BOUNDARY_PATH = "/ssm-patching-setup/"
BOUNDARY_NAME = "ssm-patching-setup-role-boundary"
#: The role is global, windows are regional: each region whose setup uses the role tags it
#: ``<prefix><region>``, and the last region to let go of it deletes it.
ROLE_REGION_TAG = f"{TOOL}:region:"
ROLE_REGION_VALUE = "true"


def role_region_tag(region: str) -> str:
    """The tag key saying that ``region``'s windows use the role."""
    return f"{ROLE_REGION_TAG}{region}"


def role_regions(tags: Mapping[str, str]) -> set[str]:
    """The regions a role's tags say use it."""
    return {k.removeprefix(ROLE_REGION_TAG) for k in tags if k.startswith(ROLE_REGION_TAG)}


@dataclass(frozen=True)
class RoleSpec:
    """The maintenance-window service role (seed 002's trust and permissions)."""

    name: str
    trusted_services: tuple[str, ...] = ("ssm.amazonaws.com",)
    description: str = "Maintenance window service role made by ssm-patching-setup"
    #: Inline policy name -> policy document.
    policies: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def trust_policy(self) -> dict[str, Any]:
        """The assume-role policy: the trusted services may assume the role."""
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": sorted(self.trusted_services)},
                    "Action": "sts:AssumeRole",
                }
            ],
        }


@dataclass(frozen=True)
class Setup:
    """Everything one setup name owns in one region."""

    name: str
    baselines: tuple[BaselineSpec, ...] = ()
    windows: tuple[WindowSpec, ...] = ()
    #: The maintenance-window service role to create, if any.
    service_role: RoleSpec | None = None
    #: Consent to take over in place what this setup would otherwise duplicate
    #: (``--adopt`` or ``adopt = true``): unowned windows, patch groups held by
    #: untagged baselines. Never another setup's resources.
    adopt: bool = False

    def validate(self) -> None:
        """Raise ModelError for anything AWS would refuse or that is ambiguous."""
        name_problem = setup_name_problem(self.name)
        if name_problem is not None:
            raise ModelError(f"--name: {name_problem}")
        if self.service_role is not None and not ROLE_NAME_RE.match(self.service_role.name):
            raise ModelError(
                f"service role name {self.service_role.name!r} ({len(self.service_role.name)} "
                f"characters): IAM role names are {ROLE_NAME_RULE}; "
                "choose a shorter --name, or set [service_role] name in the config"
            )
        _unique("window", [w.name for w in self.windows])
        _unique("baseline", [b.name for b in self.baselines])
        seen: dict[tuple[str, str], str] = {}
        defaults: dict[str, str] = {}
        for baseline in self.baselines:
            _check_name("baseline", baseline.name)
            if baseline.default:
                other = defaults.setdefault(baseline.operating_system, baseline.name)
                if other != baseline.name:
                    raise ModelError(
                        f"baselines {other!r} and {baseline.name!r} are both the default for "
                        f"{baseline.operating_system}; a region has one default baseline per OS"
                    )
            for group in baseline.patch_groups:
                problem = patch_group_problem(group)
                if problem is not None:
                    raise ModelError(f"baseline {baseline.name}: patch group {group!r}: {problem}")
                key = (group, baseline.operating_system)
                if key in seen:
                    raise ModelError(
                        f"patch group {group!r} is registered to two {key[1]} baselines "
                        f"({seen[key]!r} and {baseline.name!r}); AWS allows one per OS"
                    )
                seen[key] = baseline.name
        for window in self.windows:
            _validate_window(window)
            for task in window.tasks:
                uses_role = SERVICE_ROLE in (
                    task.service_role_arn,
                    task.notification.role_arn if task.notification else None,
                )
                if uses_role and self.service_role is None:
                    raise ModelError(
                        f"task {task.name}: uses the created service role, but none is configured"
                    )
                _check_role_arns(task)


def _validate_window(window: WindowSpec) -> None:
    _check_name("window", window.name)
    if not DURATION_MIN <= window.duration <= DURATION_MAX:
        raise ModelError(
            f"window {window.name}: duration must be {DURATION_MIN}-{DURATION_MAX} hours, "
            f"got {window.duration}"
        )
    if not CUTOFF_MIN <= window.cutoff <= CUTOFF_MAX:
        raise ModelError(
            f"window {window.name}: cutoff must be {CUTOFF_MIN}-{CUTOFF_MAX} hours, "
            f"got {window.cutoff}"
        )
    if window.cutoff >= window.duration:
        raise ModelError(
            f"window {window.name}: cutoff ({window.cutoff} h) must be less than "
            f"duration ({window.duration} h)"
        )
    _unique(f"target in window {window.name}", [t.name for t in window.targets])
    _unique(f"task in window {window.name}", [t.name for t in window.tasks])
    target_names = {t.name for t in window.targets}
    for target in window.targets:
        _check_name("target", target.name)
        for key, _ in target.targets:
            problem = target_key_problem(key)
            if problem is not None:
                raise ModelError(f"target {target.name}: key {key!r}: {problem}")
    for task in window.tasks:
        _check_name("task", task.name)
        missing = [n for n in task.target_names if n not in target_names]
        if missing:
            raise ModelError(f"task {task.name}: names unknown target(s) {', '.join(missing)}")
        if not 0 <= task.priority <= PRIORITY_MAX:
            raise ModelError(
                f"task {task.name}: priority must be 0-{PRIORITY_MAX}, got {task.priority}"
            )
        if not CONCURRENCY_RE.match(task.max_concurrency):
            raise ModelError(
                f"task {task.name}: max concurrency must be {CONCURRENCY_RULE}, "
                f"got {task.max_concurrency!r}"
            )
        if not ERRORS_RE.match(task.max_errors):
            raise ModelError(
                f"task {task.name}: max errors must be {ERRORS_RULE}, got {task.max_errors!r}"
            )


def _check_role_arns(task: TaskSpec) -> None:
    """The task's own role and its notification role: the created one, or IAM role ARNs."""
    roles = {
        "service role": task.service_role_arn,
        "notification role": task.notification.role_arn if task.notification else None,
    }
    for what, arn in roles.items():
        problem = role_arn_problem(arn) if arn is not None and arn != SERVICE_ROLE else None
        if problem is not None:
            raise ModelError(f"task {task.name}: {what} {problem}")


def _check_name(kind: str, name: str) -> None:
    if not NAME_RE.match(name):
        raise ModelError(f"{kind} name {name!r}: {NAME_RULE}")


def _unique(kind: str, names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ModelError(f"{kind} name {name!r} appears twice")
        seen.add(name)
