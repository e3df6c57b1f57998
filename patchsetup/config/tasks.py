"""Window targets and the task settings of the config file (``config.py``).

Targets become TargetSpecs directly. Task settings (rate control, operation,
reboot, cutoff behaviour, service role, output, SNS notifications) are read
into :class:`TaskSettings`, which a task inherits from ``[defaults]`` field by
field; ``config.py`` then applies the command-line overrides and builds the
TaskSpec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from patchsetup.config.tables import Table, fail
from patchsetup.model import (
    CONCURRENCY_RE,
    ERRORS_RE,
    NAME_RE,
    ROLE_ARN_RE,
    SERVICE_ROLE,
    TargetSpec,
    target_key_problem,
)

__all__ = [
    "CREATE",
    "OPERATIONS",
    "PATCH_GROUP_KEYS",
    "TARGET_KEYS",
    "TARGET_VALUES_MAX",
    "TASK_SETTINGS",
    "Notify",
    "Output",
    "RoleRef",
    "TaskSettings",
    "check_name",
    "rate_problem",
    "read_target",
    "read_task_settings",
]

OPERATIONS = ("Install", "Scan")
REBOOT_OPTIONS = ("RebootIfNeeded", "NoReboot")
#: "PatchGroup" is the key to use where tags in instance metadata are turned on,
#: because that feature does not allow spaces in tag keys.
PATCH_GROUP_KEYS = ("Patch Group", "PatchGroup")
CUTOFF_BEHAVIORS = ("CONTINUE_TASK", "CANCEL_TASK")
NOTIFICATION_EVENTS = ("All", "InProgress", "Success", "TimedOut", "Cancelled", "Failed")
NOTIFICATION_TYPES = ("Command", "Invocation")
#: The value of service_role/role that means "the role of [service_role]".
CREATE = "create"

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
TARGET_KEYS = frozenset(
    {
        "name",
        "patch_group",
        "patch_group_key",
        "tags",
        "resource_group",
        "resource_types",
        "owner_information",
        "description",
    }
)
_SELECTORS = ("patch_group", "tags", "resource_group")
_OUTPUT_KEYS = frozenset({"s3_bucket", "s3_prefix", "cloudwatch", "cloudwatch_log_group"})
_NOTIFY_KEYS = frozenset({"topic_arn", "events", "type", "role"})

# Shapes AWS documents for these values; checked here so a typo fails before any call.
_TOPIC_ARN_RE = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[\w.-]{1,256}")
_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_RESOURCE_TYPE_RE = re.compile(r"AWS::\w+::\w+")
#: Target.Values holds at most 50 values (SSM API reference, Target).
TARGET_VALUES_MAX = 50
#: A window target's Targets holds at most 5 key/value entries (same reference).
_TARGET_ENTRIES_MAX = 5


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


def check_name(table: Table, kind: str, name: str) -> None:
    """Check a resource name against the SSM API's pattern, at the key that set it."""
    if not NAME_RE.match(name):
        table.fail(
            "name" if table.has("name") else "",
            f"{kind} name {name!r} must be 3-128 letters, digits, '_', '-' or '.'",
        )


def rate_problem(key: str, value: object) -> str:
    """The message for a bad max_concurrency/max_errors value."""
    if key == "max_concurrency":
        return f'must be a number 1-9999 or a percentage 1%-100% like "10%", got {value!r}'
    return f'must be a number 0-9999 or a percentage 0%-100% like "10%", got {value!r}'


def _role(table: Table, key: str) -> RoleRef | None:
    value = table.string(key)
    if value is None:
        return None
    if value == CREATE:
        return RoleRef(SERVICE_ROLE, table.key(key))
    if not ROLE_ARN_RE.match(value):
        table.fail(
            key,
            f'must be "{CREATE}" (the role of [service_role]) or an IAM role ARN like '
            f"arn:aws:iam::123456789012:role/name, got {value!r}",
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
    out = table.table("output", _OUTPUT_KEYS)
    if out is None:
        return inherited
    bucket = out.string("s3_bucket")
    if bucket is not None and not _BUCKET_RE.fullmatch(bucket):
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
    sns = table.table("notifications", _NOTIFY_KEYS)
    if sns is None:
        return inherited
    topic = sns.required_string("topic_arn")
    if not _TOPIC_ARN_RE.fullmatch(topic):
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


def read_target(table: Table, default_key: str) -> TargetSpec:
    """One ``[[windows.<key>.targets]]``: exactly one of patch_group, tags, resource_group."""
    name = table.required_string("name")
    check_name(table, "target", name)
    chosen = [key for key in _SELECTORS if table.has(key)]
    if len(chosen) != 1:
        got = f"; got {' and '.join(chosen)}" if chosen else ""
        table.fail("", f"needs exactly one of patch_group, tags or resource_group{got}")
    selector = chosen[0]
    for key, needs in (("patch_group_key", "patch_group"), ("resource_types", "resource_group")):
        if table.has(key) and selector != needs:
            table.fail(key, f"applies with {needs} only, not {selector}")
    resource_type = "INSTANCE"
    entries: list[tuple[str, tuple[str, ...]]] = []
    if selector == "patch_group":
        group = table.required_string("patch_group", max_len=256)
        key = table.choice("patch_group_key", PATCH_GROUP_KEYS) or default_key
        entries.append((f"tag:{key}", (group,)))
    elif selector == "tags":
        tags = table.free_table("tags")
        assert tags is not None  # chosen above because the key is set
        if not 1 <= len(tags.data) <= _TARGET_ENTRIES_MAX:
            table.fail("tags", f"needs 1-{_TARGET_ENTRIES_MAX} tags, got {len(tags.data)}")
        for tag, values in tags.data.items():
            if not tag or len(tag) > 128:
                tags.fail(tag, "tag keys are 1-128 characters")
            problem = target_key_problem(f"tag:{tag}")
            if problem is not None:
                tags.fail(tag, f"as a target key: {problem}")
            found = tags.string_list(tag, values, max_items=TARGET_VALUES_MAX, single=True)
            if not found:
                tags.fail(tag, "needs at least one value")
            entries.append((f"tag:{tag}", found))
    else:
        resource_type = "RESOURCE_GROUP"
        entries.append(("resource-groups:Name", (table.required_string("resource_group"),)))
        types = table.strings("resource_types")
        for index, kind in enumerate(types or ()):
            if not _RESOURCE_TYPE_RE.fullmatch(kind):
                fail(
                    table.source,
                    f"{table.key('resource_types')}[{index}]",
                    f"must be a type like AWS::EC2::Instance, got {kind!r}",
                )
        if types:
            entries.append(("resource-groups:ResourceTypeFilters", types))
    return TargetSpec(
        name=name,
        targets=tuple(entries),
        resource_type=resource_type,
        owner_information=table.string("owner_information", max_len=128),
        description=table.string("description", max_len=128),
    )
