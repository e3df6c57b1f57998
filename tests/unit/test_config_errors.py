"""Tests for patchsetup.config: every way a config file can be wrong names its file, key and
problem: unknown keys, types, schedules, tasks, roles, windows and targets, the setup name,
the scan, task output and notifications.

Baselines are in test_config_errors_baselines.py. Pure and fast: no endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.helpers.configs import (
    BASE,
    NO_WEEK_DAY_TIME,
    TARGET,
    TASK,
    WINDOW,
    ErrorCase,
    add,
    assert_error_at,
    edit,
    error_cases,
    load,
)

# ---------------------------------------------------------------------------- errors


def test_base_is_valid(tmp_path: Path) -> None:
    setup = load(tmp_path, BASE)
    assert setup.windows[0].schedule == "cron(00 06 ? * SAT#1 *)"
    assert setup.windows[0].tasks[0].service_role_arn is None


ERRORS: list[ErrorCase] = [
    (
        "unknown key, did you mean",
        add(WINDOW, 'shedule = "rate(1 day)"'),
        "windows.test.shedule",
        "unknown key (did you mean 'schedule'?)",
    ),
    (
        "unknown top-level key lists the valid ones",
        edit('name = "web"', 'name = "web"\nzzz = 1'),
        "zzz",
        "unknown key (valid keys: adopt, baselines, defaults, name, scan, service_role, windows)",
    ),
    (
        "unknown key in a task",
        add(TASK, "prority = 2"),
        "windows.test.tasks[0].prority",
        "did you mean 'priority'?",
    ),
    (
        "wrong type",
        edit("duration = 3", 'duration = "3"'),
        "windows.test.duration",
        "must be an integer, got string '3'",
    ),
    (
        "wrong type: a table where a string goes",
        edit('patch_group = "g1"', "patch_group = { a = 1 }"),
        "windows.test.targets[0].patch_group",
        "must be a string, got table",
    ),
    (
        "bad enum",
        add(TASK, 'reboot_option = "Never"'),
        "windows.test.tasks[0].reboot_option",
        "must be one of RebootIfNeeded, NoReboot; got 'Never'",
    ),
    (
        "bad enum with a close match",
        add(TASK, 'document = "AWS-RunPatchBaselineWithHook"'),
        "windows.test.tasks[0].document",
        "(did you mean 'AWS-RunPatchBaselineWithHooks'?)",
    ),
    (
        "bad cron",
        lambda text: add(WINDOW, 'schedule = "cron(0 25 ? * SAT#1 *)"')(NO_WEEK_DAY_TIME(text)),
        "windows.test.schedule",
        "hours field '25': value 25 is out of range 0-23",
    ),
    (
        "bad timezone",
        add(WINDOW, 'timezone = "Europe/Lundon"'),
        "windows.test.timezone",
        "did you mean Europe/London,",
    ),
    (
        "both schedule forms",
        add(WINDOW, 'schedule = "rate(1 day)"'),
        "windows.test.week",
        "set either schedule or week/day/time, not both",
    ),
    ("neither schedule form", NO_WEEK_DAY_TIME, "windows.test", "needs a schedule"),
    (
        "week/day/time incomplete",
        edit('day = "SAT"\n', ""),
        "windows.test.day",
        "required key is missing",
    ),
    ("week out of range", edit("week = 1", "week = 6"), "windows.test.week", "must be 1-5"),
    ("week zero", edit("week = 1", "week = 0"), "windows.test.week", "must be 1-5"),
    ("bad day", edit('day = "SAT"', 'day = "SATURDAYY"'), "windows.test.day", "day name"),
    ("bad time", edit('time = "06:00"', 'time = "6am"'), "windows.test.time", "HH:MM"),
    ("time past midnight", edit('time = "06:00"', 'time = "24:00"'), "windows.test.time", "0-23"),
    (
        "task naming a missing target",
        edit('targets = ["linux"]', 'targets = ["linux", "winz"]'),
        "windows.test.tasks[0].targets",
        "names unknown target 'winz' (known: linux)",
    ),
    (
        "hooks without WithHooks",
        add(TASK, 'hooks = { pre_install = "Pre-doc" }'),
        "windows.test.tasks[0].hooks",
        'need document = "AWS-RunPatchBaselineWithHooks" (this task runs AWS-RunPatchBaseline)',
    ),
    (
        "service_role create without [service_role]",
        lambda text: add(TASK, 'service_role = "create"')(
            edit("[service_role]\ncreate = true\n", "")(text)
        ),
        "windows.test.tasks[0].service_role",
        'is "create", but no service role is configured',
    ),
    (
        "notification role create with [service_role] switched off",
        lambda text: add(
            TASK,
            "notifications = { topic_arn = 'arn:aws:sns:us-east-1:123456789012:t', "
            "role = 'create' }",
        )(edit("create = true", "create = false")(text)),
        "windows.test.tasks[0].notifications.role",
        "no service role is configured",
    ),
    (
        "notifications without any role",
        add(TASK, 'notifications = { topic_arn = "arn:aws:sns:eu-west-1:123456789012:t" }'),
        "windows.test.tasks[0].notifications",
        "SNS notifications need a role",
    ),
    (
        "bad role ARN",
        add(TASK, 'service_role = "mw-role"'),
        "windows.test.tasks[0].service_role",
        'must be "create" (the role of [service_role]) or an IAM role ARN',
    ),
    (
        "two same-OS baselines sharing a patch group",
        lambda text: (
            text
            + '[baselines.linux2]\noperating_system = "AMAZON_LINUX_2"\npatch_groups = ["g1"]\n'
        ),
        "baselines.linux2.patch_groups",
        "patch group 'g1' is also registered to AMAZON_LINUX_2 baseline 'web-linux' "
        "(baselines.linux); AWS allows one baseline per patch group per operating system",
    ),
    (
        "cutoff >= duration",
        add("duration = 3", "cutoff = 3"),
        "windows.test.cutoff",
        "cutoff (3 h, from windows.test.cutoff) must be less than the duration "
        "(3 h, from windows.test.duration)",
    ),
    (
        "cutoff >= inherited duration",
        lambda text: edit("duration = 3\n", "cutoff = 1\n")(text) + "[defaults]\nduration = 1\n",
        "windows.test.cutoff",
        "from defaults.duration",
    ),
    (
        "offset with rate",
        lambda text: add(WINDOW, 'schedule = "rate(1 day)"\nschedule_offset = 2')(
            NO_WEEK_DAY_TIME(text)
        ),
        "windows.test.schedule_offset",
        "applies to cron schedules only, not rate(1 day)",
    ),
    (
        "offset out of range",
        add(WINDOW, "schedule_offset = 7"),
        "windows.test.schedule_offset",
        "must be 1-6",
    ),
    (
        "end before start",
        add(WINDOW, 'start_date = "2027-01-01T00:00:00Z"\nend_date = 2026-12-31T00:00:00Z'),
        "windows.test.end_date",
        "must be after start_date (2027-01-01T00:00:00Z), got 2026-12-31T00:00:00Z",
    ),
    (
        "not a date",
        add(WINDOW, 'start_date = "next tuesday"'),
        "windows.test.start_date",
        "ISO 8601",
    ),
    (
        "target with two selectors",
        add(TARGET, 'tags = { Role = "web" }'),
        "windows.test.targets[0]",
        "needs exactly one of patch_group, tags or resource_group; got patch_group and tags",
    ),
    (
        "target with no selector",
        edit('patch_group = "g1"\n', ""),
        "windows.test.targets[0]",
        "needs exactly one of patch_group, tags or resource_group",
    ),
    (
        "resource_types without resource_group",
        add(TARGET, 'resource_types = ["AWS::EC2::Instance"]'),
        "windows.test.targets[0].resource_types",
        "applies with resource_group only",
    ),
    (
        "more tags than AWS allows",
        lambda text: edit(
            'patch_group = "g1"', "tags = { A = 'a', B = 'b', C = 'c', D = 'd', E = 'e', F = 'f' }"
        )(text),
        "windows.test.targets[0].tags",
        "needs 1-5 tags, got 6",
    ),
    (
        "duplicate target names",
        edit(TASK, f'{TARGET}\npatch_group = "g2"\n\n{TASK}'),
        "windows.test.targets[1].name",
        "target name 'linux' is also used by windows.test.targets[0]",
    ),
    (
        "window name clash",
        lambda text: (
            text.replace(WINDOW, f'{WINDOW}\nname = "dup"')
            + '[windows.other]\nname = "dup"\nschedule = "rate(1 day)"\n'
        ),
        "windows.other.name",
        "window name 'dup' is also used by windows.test",
    ),
    (
        "window name too short",
        add(WINDOW, 'name = "ab"'),
        "windows.test.name",
        "window name 'ab' must be 3-128",
    ),
    (
        "setup name",
        edit('name = "web"', 'name = "web site"'),
        "name",
        "must be 1-64 letters",
    ),
    (
        "scan without patch groups",
        lambda text: edit('patch_groups = ["g1"]\n', "")(text) + '[scan]\ntime = "01:00"\n',
        "scan",
        "no baseline names a patch group",
    ),
    (
        "bad S3 bucket",
        add(TASK, 'output = { s3_bucket = "s3://logs" }'),
        "windows.test.tasks[0].output.s3_bucket",
        "is not an S3 bucket name",
    ),
    (
        "log group with CloudWatch off",
        add(TASK, 'output = { cloudwatch = false, cloudwatch_log_group = "lg" }'),
        "windows.test.tasks[0].output.cloudwatch_log_group",
        "is set, but cloudwatch = false",
    ),
    (
        "S3 prefix without bucket",
        add(TASK, 'output = { s3_prefix = "p/" }'),
        "windows.test.tasks[0].output.s3_prefix",
        "needs s3_bucket",
    ),
    (
        "bad notification event",
        add(
            TASK,
            'service_role = "create"\nnotifications = { topic_arn = '
            '"arn:aws:sns:eu-west-1:123456789012:t", events = ["Done"] }',
        ),
        "windows.test.tasks[0].notifications.events[0]",
        "must be one of All, InProgress, Success, TimedOut, Cancelled, Failed, got 'Done'",
    ),
    (
        "task in a window without targets",
        lambda text: edit(f'{TARGET}\npatch_group = "g1"\n', "")(
            edit('targets = ["linux"]\n', "")(text)
        ),
        "windows.test.tasks[0]",
        "a Run Command task needs a target, and the window has none",
    ),
]


@error_cases(ERRORS)
def test_invalid_config_names_file_key_and_problem(
    tmp_path: Path, mutate: Callable[[str], str], where: str, fragment: str
) -> None:
    assert_error_at(tmp_path, mutate(BASE), where, fragment)
