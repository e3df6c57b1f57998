"""The JSON Schema (draft 2020-12) of the config file, made from the readers' own key tables.

:func:`config_schema` builds ``patchsetup/schemas/config.schema.json`` (shipped in the
package; ``python -m patchsetup.config.schema`` writes it, a test checks the file is
its output). Each table's properties are described here, and
:func:`patchsetup.config.schema_rules.properties` refuses a table
whose described keys differ from the allowed keys its reader holds (``WINDOW_KEYS``
and the like), so a key added to a reader without a line here fails the build of the
schema, and the test with it. Ranges, patterns and choices come from
:mod:`patchsetup.fields` and the readers' constants; the operating systems, compliance
levels and rejected-patches actions from botocore's SSM model (imported only when
:func:`config_schema` is called). TOML dates and times are strings to the schema, as
taplo (Even Better TOML) reads them. Only keywords that draft 4 (taplo's) shares with
2020-12 are used, and no ``$ref``, so every editor reads the same rules.

The schema checks shapes; the config reader checks more (references between tables,
cutoff < duration, quotas), so a file the schema accepts may still be refused. A file the
reader takes is meant to pass the schema: the suite checks every example config.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from patchsetup.config import baseline_rules, baselines, settings, targets, tasks, windows
from patchsetup.config.schema_rules import (
    Schema,
    boolean,
    choice,
    ecma,
    free,
    integer,
    off_or,
    one_or_many,
    properties,
    ssm_enum,
    string,
    strings,
)
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
    OPERATIONS,
    PATCH_GROUP_KEYS,
    PATCH_GROUP_MAX,
    PRIORITY_MAX,
    ROLE_ARN_RE,
    ROLE_ARN_RULE,
    ROLE_NAME_RE,
    ROLE_NAME_RULE,
    SETUP_NAME_RE,
)

__all__ = ["SCHEMA_ID", "SCHEMA_PATH", "config_schema", "schema_text"]

#: The schema's $id: its path in the package (no host: the file is local to each install).
SCHEMA_ID = "patchsetup/schemas/config.schema.json"


def _task_settings() -> dict[str, Schema]:
    output = properties(
        "Where command output goes: S3 and/or CloudWatch Logs (false: none).",
        tasks.OUTPUT_KEYS,
        {
            "s3_bucket": string(
                "S3 bucket name, 3-63 of a-z 0-9 . -", pattern=ecma(tasks.BUCKET_RE)
            ),
            "s3_prefix": string("Key prefix in the bucket (needs s3_bucket).", maxLength=500),
            "cloudwatch": boolean("Send output to CloudWatch Logs."),
            "cloudwatch_log_group": string(
                "CloudWatch Logs group (implies cloudwatch).", maxLength=512
            ),
        },
    )
    notifications = properties(
        "SNS notifications of the Run Command (false: none).",
        tasks.NOTIFY_KEYS,
        {
            "topic_arn": string("SNS topic ARN.", pattern=ecma(tasks.TOPIC_ARN_RE)),
            "events": strings(
                "Events to notify on (default All).", choice("", tasks.NOTIFICATION_EVENTS)
            ),
            "type": choice(
                "Per command or per instance (default Command).", tasks.NOTIFICATION_TYPES
            ),
            "role": _role("Role SNS publishes with (default: the task's service role)."),
        },
        required=["topic_arn"],
    )
    return {
        "max_concurrency": _rate(
            f"Instances patched at once: {CONCURRENCY_RULE}.", CONCURRENCY_RE, 1
        ),
        "max_errors": _rate(f"Errors before the task stops: {ERRORS_RULE}.", ERRORS_RE, 0),
        "operation": choice(
            "AWS-RunPatchBaseline Operation: Install, or Scan to report only.", OPERATIONS
        ),
        "reboot_option": choice("Reboot after installing.", tasks.REBOOT_OPTIONS),
        "cutoff_behavior": choice(
            "What a running task does at the cutoff.", tasks.CUTOFF_BEHAVIORS
        ),
        "service_role": _role("Role the task runs with."),
        "output": off_or(output),
        "notifications": off_or(notifications),
    }


def _rate(description: str, pattern: re.Pattern[str], low: int) -> Schema:
    # A plain integer is read as its string; the pattern applies to strings only.
    return {
        "type": ["string", "integer"],
        "description": description,
        "pattern": ecma(pattern),
        "minimum": low,
        "maximum": 9999,
    }


def _role(description: str) -> Schema:
    arn = ecma(ROLE_ARN_RE).removeprefix("^").removesuffix("$")
    return string(
        f'{description} "{tasks.CREATE}" (the role of [service_role]) or an IAM role ARN '
        f"({ROLE_ARN_RULE}).",
        pattern=f"^(?:{tasks.CREATE}|{arn})$",
    )


def _window_settings() -> dict[str, Schema]:
    return {
        "timezone": string("IANA time zone of the schedule, e.g. Europe/London (default UTC)."),
        "duration": integer("Window length in hours.", DURATION_MIN, DURATION_MAX),
        "cutoff": integer(
            "Hours before the end when no new task starts (< duration).", CUTOFF_MIN, CUTOFF_MAX
        ),
        "patch_group_key": choice(
            "Tag key a patch group is matched on (PatchGroup where instance-metadata tags are on).",
            PATCH_GROUP_KEYS,
        ),
    }


def _target() -> Schema:
    return properties(
        "A window target: exactly one of patch_group, tags or resource_group.",
        targets.TARGET_KEYS,
        {
            "name": string(f"Target name: {NAME_RULE}.", pattern=ecma(NAME_RE)),
            "patch_group": string(
                "Instances whose patch-group tag has this value.",
                minLength=1,
                maxLength=PATCH_GROUP_MAX,
            ),
            "patch_group_key": _window_settings()["patch_group_key"],
            "tags": free(
                "Instances with these tags (1-5 keys; a value or a list).",
                one_or_many("Tag value(s)."),
            ),
            "resource_group": string("A resource group's name."),
            "resource_types": strings(
                "Resource types of the group, like AWS::EC2::Instance.",
                string("", pattern=ecma(targets.RESOURCE_TYPE_RE)),
            ),
            "owner_information": string("Owner information of the target.", maxLength=128),
            "description": string("Description.", maxLength=128),
        },
        required=["name"],
        oneOf=[{"required": [key]} for key in targets.SELECTORS],
    )


def _task() -> Schema:
    hooks = properties(
        "Hook documents of AWS-RunPatchBaselineWithHooks.",
        tasks.HOOKS,
        {key: string("SSM document name.", pattern=ecma(tasks.DOCUMENT_RE)) for key in tasks.HOOKS},
    )
    own = {
        "name": string(f"Task name: {NAME_RULE}.", pattern=ecma(NAME_RE)),
        "targets": strings("Names of the window's targets (default: all of them).", minItems=1),
        "priority": integer("Batch order: lower runs first.", 0, PRIORITY_MAX),
        "document": choice("The patching document.", tasks.DOCUMENTS),
        "hooks": hooks,
        "description": string("Description.", maxLength=128),
        "timeout_seconds": integer("Run Command timeout in seconds.", 30, 2592000),
        "comment": string("Run Command comment.", maxLength=100),
    }
    return properties(
        "A patching task; a lower priority runs first.",
        tasks.TASK_KEYS,
        {**_task_settings(), **own},
        required=["name"],
    )


def _window() -> Schema:
    described = {
        "name": string(
            f"Window name (default: the table's key): {NAME_RULE}.", pattern=ecma(NAME_RE)
        ),
        "description": string("Description.", maxLength=128),
        "schedule": string("A cron(...) or rate(...) expression (instead of week/day/time)."),
        "week": {
            "description": 'The n-th such weekday of the month, 1-5, or "last".',
            "anyOf": [{"type": "integer", "minimum": 1, "maximum": 5}, {"enum": ["last"]}],
        },
        "day": {
            "description": "Day of the week: SAT, saturday, or 0-7 (0 and 7 = Sunday).",
            "anyOf": [{"type": "integer", "minimum": 0, "maximum": 7}, {"type": "string"}],
        },
        "time": string(
            'Start time, HH:MM on a 24-hour clock, like "06:00".', pattern="^[0-9]{1,2}:[0-9]{2}$"
        ),
        **{k: v for k, v in _window_settings().items() if k != "patch_group_key"},
        "schedule_offset": integer("Days after the cron date (cron schedules only).", 1, 6),
        "start_date": string("ISO 8601 date-time the window starts being active."),
        "end_date": string("ISO 8601 date-time the window stops being active."),
        "enabled": boolean("false: the window exists but does not run."),
        "allow_unassociated_targets": boolean("Allow tasks without registered targets."),
        "targets": {"type": "array", "description": "The window's targets.", "items": _target()},
        "tasks": {"type": "array", "description": "The window's tasks.", "items": _task()},
    }
    return properties("A maintenance window.", windows.WINDOW_KEYS, described)


def _scan() -> Schema:
    described = {
        "name": string(
            f"Window name (default <name>-daily-scan): {NAME_RULE}.", pattern=ecma(NAME_RE)
        ),
        "time": _window()["properties"]["time"],
        **_window_settings(),
    }
    return properties(
        "A daily Scan window over every patch group the baselines name.",
        windows.SCAN_KEYS,
        described,
        required=["time"],
    )


def _baseline() -> Schema:
    levels = ssm_enum("ApprovedPatchesComplianceLevel")
    days = integer("Days after release a patch is approved.", 0, baseline_rules.MAX_DAYS)
    until = string("Approve patches released up to this date (YYYY-MM-DD).")
    level = choice("Compliance level of the approved patches.", levels)
    rule_keys: dict[str, Schema] = {
        key: one_or_many(f"{filter_key} patch filter value(s).")
        for key, filter_key in baseline_rules.RULE_FILTERS.items()
    }
    rule = properties(
        "An approval rule.",
        baseline_rules.RULE_KEYS,
        {
            **rule_keys,
            "filters": free(
                "Other patch filters, PatchFilterKey = value(s).", one_or_many("Value(s).")
            ),
            "approve_after_days": days,
            "approve_until_date": until,
            "compliance_level": level,
            "enable_non_security": boolean("Also install non-security updates (Linux)."),
        },
    )
    source = properties(
        "An alternative patch source (Linux).",
        baseline_rules.SOURCE_KEYS,
        {
            "name": string("Source name."),
            "products": strings("Products the repository serves.", minItems=1),
            "configuration": string("The yum/apt repository configuration."),
        },
        required=["name", "products", "configuration"],
    )
    described = {
        "operating_system": choice(
            "OS; starts from the rules of AWS's predefined baseline for it.",
            ssm_enum("OperatingSystem"),
        ),
        "name": string(
            f"Baseline name (default <name>-<key>): {NAME_RULE}.", pattern=ecma(NAME_RE)
        ),
        "description": string("Description."),
        "file": string(
            "JSON baseline in create_patch_baseline's request shape, relative to this file."
        ),
        "approve_after_days": days,
        "approve_until_date": until,
        "compliance_level": level,
        "rules": {
            "type": "array",
            "description": "Approval rules instead of the preset's.",
            "items": rule,
        },
        "approved_patches": strings("Patches always approved."),
        "approved_patches_compliance_level": level,
        "approved_patches_enable_non_security": boolean(
            "Approved patches include non-security ones."
        ),
        "rejected_patches": strings("Patches never approved."),
        "rejected_patches_action": choice(
            "What a rejected patch does.", ssm_enum("RejectedPatchesAction")
        ),
        "global_filters": free(
            "Global patch filters, PatchFilterKey = value(s).", one_or_many("Value(s).")
        ),
        "sources": {"type": "array", "description": "Alternative patch sources.", "items": source},
        "patch_groups": strings(
            "Patch groups registered to this baseline.",
            string("", minLength=1, maxLength=PATCH_GROUP_MAX),
        ),
        "tags": free("Tags of the baseline.", {"type": "string"}),
        "default": boolean(
            "The region's default baseline for its OS (one per OS); removing it restores "
            "AWS's predefined default."
        ),
    }
    return properties("A patch baseline.", baselines.BASELINE_KEYS, described)


def config_schema() -> Schema:
    """The JSON Schema of the config file (``ssm-patching-setup init`` writes a sample)."""
    import patchsetup.config as config

    role = properties(
        "The maintenance-window service role.",
        settings.ROLE_KEYS,
        {
            "create": boolean('Create the role (tasks use it with service_role = "create").'),
            "name": string(f"Role name: {ROLE_NAME_RULE}.", pattern=ecma(ROLE_NAME_RE)),
            "trusted_services": strings(
                "Service principals the role trusts (default ssm.amazonaws.com).",
                string("", pattern=ecma(settings.SERVICE_RE)),
                minItems=1,
            ),
        },
    )
    defaults = properties(
        "What every window and task inherits unless it sets its own.",
        config.DEFAULTS_KEYS,
        {**_task_settings(), **_window_settings()},
    )
    top = {
        "name": string(
            "Setup name: every resource is tagged with it (--name wins).",
            pattern=ecma(SETUP_NAME_RE),
        ),
        "adopt": boolean("Take over in place what would otherwise be duplicated (like --adopt)."),
        "defaults": defaults,
        "service_role": role,
        "baselines": free("Patch baselines, by key.", _baseline()),
        "windows": free("Maintenance windows, by key.", _window()),
        "scan": _scan(),
    }
    body = properties("An ssm-patching-setup config file (TOML).", config.TOP_KEYS, top)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "ssm-patching-setup config",
        **body,
    }


#: The shipped file (package data), next to the package's other data.
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "config.schema.json"


def schema_text() -> str:
    """The shipped file's exact text: :func:`config_schema` as indented JSON."""
    return json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # python -m patchsetup.config.schema: rewrite the shipped file
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
