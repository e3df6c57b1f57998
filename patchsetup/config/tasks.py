"""The tasks of a window in the config file, and every task setting.

Task settings (rate control, operation, reboot, cutoff behaviour, service role,
output, SNS notifications) are read into :class:`TaskSettings`, which a task
inherits from ``[defaults]`` field by field; a task's own table adds its
targets, document, hooks and priority. :func:`task_spec` then applies the
command-line overrides and the service role and builds the TaskSpec (the scan
window's task too).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from patchsetup.config.settings import Reading, rate_problem
from patchsetup.config.tables import Table, check_name, fail, unique
from patchsetup.fields import (
    CONCURRENCY_RE,
    ERRORS_RE,
    OPERATIONS,
    PRIORITY_MAX,
    ROLE_ARN_RE,
    ROLE_ARN_RULE,
)
from patchsetup.model import RUN_PATCH_BASELINE, SERVICE_ROLE, NotificationSpec, TaskSpec

__all__ = [
    "CREATE",
    "CUTOFF_BEHAVIORS",
    "NOTIFICATION_EVENTS",
    "NOTIFICATION_TYPES",
    "REBOOT_OPTIONS",
    "TASK_SETTINGS",
    "Notify",
    "Output",
    "RoleRef",
    "TaskSettings",
    "read_task_settings",
    "read_tasks",
    "task_spec",
]

WITH_HOOKS = "AWS-RunPatchBaselineWithHooks"
DOCUMENTS = (RUN_PATCH_BASELINE, WITH_HOOKS)
HOOKS = {
    "pre_install": "PreInstallHookDocName",
    "post_install": "PostInstallHookDocName",
    "on_exit": "OnExitHookDocName",
}
REBOOT_OPTIONS = ("RebootIfNeeded", "NoReboot")
CUTOFF_BEHAVIORS = ("CONTINUE_TASK", "CANCEL_TASK")
NOTIFICATION_EVENTS = ("All", "InProgress", "Success", "TimedOut", "Cancelled", "Failed")
NOTIFICATION_TYPES = ("Command", "Invocation")
#: The value of service_role/role that means "the role of [service_role]".
CREATE = "create"

#: The keys of task settings, in [defaults] and in each task.
TASK_SETTINGS = frozenset(
    {
        "max_concurrency",
        "max_errors",
        "operation",
        "reboot_option",
        "cutoff_behavior",
        "service_role",
        "output",
        "notifications",
    }
)
TASK_KEYS = TASK_SETTINGS | {
    "name",
    "targets",
    "priority",
    "document",
    "hooks",
    "description",
    "timeout_seconds",
    "comment",
}
OUTPUT_KEYS = frozenset({"s3_bucket", "s3_prefix", "cloudwatch", "cloudwatch_log_group"})
NOTIFY_KEYS = frozenset({"topic_arn", "events", "type", "role"})

# Shapes AWS documents for these values; checked here so a typo fails before any call.
TOPIC_ARN_RE = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[\w.-]{1,256}")
BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
DOCUMENT_RE = re.compile(r"[a-zA-Z0-9_\-.:/]{3,128}")


@dataclass(frozen=True)
class RoleRef:
    """A role as written: SERVICE_ROLE for "create", else an ARN; and the key it is at."""

    arn: str
    where: str


@dataclass(frozen=True)
class Output:
    """Where a task's command output goes."""

    s3_bucket: str | None = None
    s3_prefix: str | None = None
    cloudwatch: bool = False
    log_group: str | None = None


@dataclass(frozen=True)
class Notify:
    """SNS notification settings as written, and the table they are in."""

    topic_arn: str
    events: tuple[str, ...]
    type: str
    role: RoleRef | None
    where: str


@dataclass(frozen=True)
class TaskSettings:
    """Task settings a task inherits from [defaults] unless it sets its own."""

    max_concurrency: str = "2"
    max_errors: str = "1"
    operation: str = "Install"
    reboot_option: str | None = None
    #: AWS's default, which the model sends explicitly so a re-read compares equal.
    cutoff_behavior: str = "CONTINUE_TASK"
    service_role: RoleRef | None = None
    output: Output | None = None
    notifications: Notify | None = None


def _role(table: Table, key: str) -> RoleRef | None:
    value = table.string(key)
    if value is None:
        return None
    if value == CREATE:
        return RoleRef(SERVICE_ROLE, table.key(key))
    if not ROLE_ARN_RE.match(value):
        table.fail(
            key,
            f'must be "{CREATE}" (the role of [service_role]) or an IAM role ARN '
            f"({ROLE_ARN_RULE}), got {value!r}",
        )
    return RoleRef(value, table.key(key))


def _rate(table: Table, key: str, pattern: re.Pattern[str]) -> str | None:
    """max_concurrency/max_errors: "10", "10%", or a plain integer as people write it."""
    value = table.data.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not pattern.match(value):
        table.fail(key, rate_problem(key, value))
    return value


def read_task_settings(table: Table, base: TaskSettings) -> TaskSettings:
    """Settings of [defaults] or of one task, each falling back to ``base``."""
    return TaskSettings(
        max_concurrency=_rate(table, "max_concurrency", CONCURRENCY_RE) or base.max_concurrency,
        max_errors=_rate(table, "max_errors", ERRORS_RE) or base.max_errors,
        operation=table.choice("operation", OPERATIONS) or base.operation,
        reboot_option=table.choice("reboot_option", REBOOT_OPTIONS) or base.reboot_option,
        cutoff_behavior=table.choice("cutoff_behavior", CUTOFF_BEHAVIORS) or base.cutoff_behavior,
        service_role=_role(table, "service_role") or base.service_role,
        output=_output(table, base.output),
        notifications=_notify(table, base.notifications),
    )


def _output(table: Table, inherited: Output | None) -> Output | None:
    """A task's output; ``false`` or ``{}`` turns off an inherited one."""
    if table.data.get("output") is False:
        return None
    out = table.table("output", OUTPUT_KEYS)
    if out is None:
        return inherited
    bucket = out.string("s3_bucket")
    if bucket is not None and not BUCKET_RE.fullmatch(bucket):
        out.fail("s3_bucket", f"{bucket!r} is not an S3 bucket name (3-63 of a-z 0-9 . -)")
    prefix = out.string("s3_prefix", max_len=500)
    if prefix is not None and bucket is None:
        out.fail("s3_prefix", "needs s3_bucket")
    cloudwatch = out.boolean("cloudwatch")
    group = out.string("cloudwatch_log_group", max_len=512)
    if group is not None and cloudwatch is False:
        out.fail("cloudwatch_log_group", "is set, but cloudwatch = false")
    return Output(bucket, prefix, bool(cloudwatch) or group is not None, group)


def _notify(table: Table, inherited: Notify | None) -> Notify | None:
    """A task's SNS notifications; ``false`` turns off inherited ones."""
    if table.data.get("notifications") is False:
        return None
    sns = table.table("notifications", NOTIFY_KEYS)
    if sns is None:
        return inherited
    topic = sns.required_string("topic_arn")
    if not TOPIC_ARN_RE.fullmatch(topic):
        sns.fail(
            "topic_arn",
            "must be an SNS topic ARN like arn:aws:sns:eu-west-1:123456789012:patching, "
            f"got {topic!r}",
        )
    events = sns.strings("events") or ("All",)
    for index, event in enumerate(events):
        if event not in NOTIFICATION_EVENTS:
            fail(
                sns.source,
                f"{sns.key('events')}[{index}]",
                f"must be one of {', '.join(NOTIFICATION_EVENTS)}, got {event!r}",
            )
    kind = sns.choice("type", NOTIFICATION_TYPES) or "Command"
    return Notify(topic, events, kind, _role(sns, "role"), sns.path)


def read_tasks(
    reading: Reading, window: Table, target_names: Sequence[str], defaults: TaskSettings
) -> list[TaskSpec]:
    """A window's ``tasks`` tables, each name used once."""
    tasks: list[TaskSpec] = []
    task_paths: dict[str, str] = {}
    for task_table in window.tables("tasks", TASK_KEYS):
        task = _task(reading, task_table, target_names, defaults)
        unique(task_paths, task.name, task_table, "task")
        tasks.append(task)
    return tasks


def _task(
    reading: Reading, table: Table, window_targets: Sequence[str], defaults: TaskSettings
) -> TaskSpec:
    name = table.required_string("name")
    check_name(table, "task", name)
    named = table.strings("targets")
    if named is None:
        named = tuple(window_targets)
        if not named:
            table.fail("", "a Run Command task needs a target, and the window has none")
    elif not named:
        table.fail("targets", "needs at least one target name")
    unknown = [target for target in named if target not in window_targets]
    if unknown:
        known = ", ".join(window_targets) or "none"
        table.fail(
            "targets",
            f"names unknown target {', '.join(map(repr, unknown))} (known: {known})",
        )
    if len(set(named)) != len(named):
        table.fail("targets", "names a target twice")
    document = table.choice("document", DOCUMENTS) or RUN_PATCH_BASELINE
    hooks = table.table("hooks", HOOKS)
    if hooks is not None and document != WITH_HOOKS:
        table.fail("hooks", f'need document = "{WITH_HOOKS}" (this task runs {document})')
    settings = read_task_settings(table, defaults)
    operation = reading.overrides.operation or settings.operation
    parameters: dict[str, tuple[str, ...]] = {"Operation": (operation,)}
    if settings.reboot_option is not None:
        parameters["RebootOption"] = (settings.reboot_option,)
    parameters.update(_hook_parameters(hooks))
    return task_spec(
        reading,
        name,
        named,
        settings,
        parameters,
        document=document,
        priority=table.integer("priority", 0, PRIORITY_MAX),
        description=table.string("description", max_len=128),
        timeout_seconds=table.integer("timeout_seconds", 30, 2592000),
        comment=table.string("comment", max_len=100),
    )


def task_spec(
    reading: Reading,
    name: str,
    targets: Sequence[str],
    settings: TaskSettings,
    parameters: dict[str, tuple[str, ...]],
    *,
    document: str = RUN_PATCH_BASELINE,
    priority: int | None = 1,
    description: str | None = None,
    timeout_seconds: int | None = None,
    comment: str | None = None,
) -> TaskSpec:
    """The TaskSpec, with the overrides and the service role applied."""
    role = settings.service_role
    if role is None and reading.overrides.create_service_role:
        role = RoleRef(SERVICE_ROLE, "--create-service-role")
    notification = None
    sns = settings.notifications
    if sns is not None:
        # Run Command publishes to SNS with a role; the task's own is the natural one.
        sns_role = sns.role or role
        if sns_role is None:
            fail(
                reading.source,
                sns.where,
                "SNS notifications need a role to publish with: set role "
                f'("{CREATE}" or an ARN) here or a service_role for the task',
            )
        notification = NotificationSpec(sns.topic_arn, sns.events, sns.type, sns_role.arn)
        if sns_role.arn == SERVICE_ROLE:
            reading.role_uses.append(sns_role.where)
    if role is not None and role.arn == SERVICE_ROLE:
        reading.role_uses.append(role.where)
    output = settings.output or Output()
    return TaskSpec(
        name=name,
        target_names=tuple(targets),
        document=document,
        priority=1 if priority is None else priority,
        max_concurrency=reading.overrides.max_concurrency or settings.max_concurrency,
        max_errors=reading.overrides.max_errors or settings.max_errors,
        parameters=parameters,
        service_role_arn=role.arn if role is not None else None,
        description=description,
        cutoff_behavior=settings.cutoff_behavior,
        output_s3_bucket=output.s3_bucket,
        output_s3_prefix=output.s3_prefix,
        cloudwatch_output=output.cloudwatch,
        cloudwatch_log_group=output.log_group,
        notification=notification,
        timeout_seconds=timeout_seconds,
        comment=comment,
    )


def _hook_parameters(hooks: Table | None) -> dict[str, tuple[str, ...]]:
    """The ...WithHooks document's hook parameters for the hooks that are set."""
    parameters: dict[str, tuple[str, ...]] = {}
    for key, parameter in HOOKS.items():
        document_name = hooks.string(key) if hooks is not None else None
        if hooks is None or document_name is None:
            continue
        if not DOCUMENT_RE.fullmatch(document_name):
            hooks.fail(
                key,
                "must be an SSM document name (3-128 of a-z A-Z 0-9 _ - . : /), "
                f"got {document_name!r}",
            )
        parameters[parameter] = (document_name,)
    return parameters
