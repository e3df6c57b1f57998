"""Tests for patchsetup.config: every way a config file can be wrong names its file, key and
problem.

Pure and fast: no endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.configs import (
    BASE,
    BASELINE,
    NO_WEEK_DAY_TIME,
    TARGET,
    TASK,
    WINDOW,
    add,
    edit,
    error,
    load,
)

# ---------------------------------------------------------------------------- errors


def test_base_is_valid(tmp_path: Path) -> None:
    setup = load(tmp_path, BASE)
    assert setup.windows[0].schedule == "cron(00 06 ? * SAT#1 *)"
    assert setup.windows[0].tasks[0].service_role_arn is None


ERRORS: list[tuple[str, Callable[[str], str], str, str]] = [
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
        "unknown operating system",
        edit('"AMAZON_LINUX_2"', '"AMAZON_LINUX3"'),
        "baselines.linux.operating_system",
        "unknown operating system 'AMAZON_LINUX3' (did you mean",
    ),
    (
        "baseline without OS or file",
        edit('operating_system = "AMAZON_LINUX_2"\n', ""),
        "baselines.linux.operating_system",
        "required key is missing (or set file)",
    ),
    (
        "approval delay out of range",
        add(BASELINE, "approve_after_days = 400"),
        "baselines.linux.approve_after_days",
        "must be 0-360, got 400",
    ),
    (
        "both approval shorthands",
        add(BASELINE, 'approve_after_days = 4\napprove_until_date = "2027-01-01"'),
        "baselines.linux.approve_until_date",
        "cannot be combined with approve_after_days",
    ),
    (
        "bad approval date, found by the baseline validator",
        add(BASELINE, 'approve_until_date = "2027-13-01"'),
        "baselines.linux.approve_until_date",
        "must be a date in YYYY-MM-DD format, got '2027-13-01'",
    ),
    (
        "bad compliance level, found by the baseline validator",
        add(BASELINE, 'compliance_level = "HIH"'),
        "baselines.linux.compliance_level",
        "got 'HIH' (did you mean 'HIGH'?)",
    ),
    (
        "filter key not for this OS",
        add(BASELINE, 'rules = [{ msrc_severity = ["Critical"], approve_after_days = 7 }]'),
        "baselines.linux.rules[0].msrc_severity",
        "MSRC_SEVERITY is not a patch filter key for AMAZON_LINUX_2",
    ),
    (
        "filter value, by its index",
        lambda text: add(
            BASELINE, "rules = [{ filters = { PRIORITY = ['Required', 'Importnt'] } }]"
        )(edit('"AMAZON_LINUX_2"', '"UBUNTU"')(add(BASELINE, "approve_after_days = 0")(text))),
        "baselines.linux.rules[0].filters.PRIORITY[1]",
        "'Importnt' is not a PRIORITY value for UBUNTU (did you mean 'Important'?)",
    ),
    (
        "rule without approval",
        add(BASELINE, 'rules = [{ classification = ["Security"] }]'),
        "baselines.linux.rules[0]",
        "needs approve_after_days or approve_until_date",
    ),
    (
        "filter given twice in a rule",
        add(
            BASELINE,
            'rules = [{ severity = ["Critical"], filters = { SEVERITY = ["Low"] }, '
            "approve_after_days = 1 }]",
        ),
        "baselines.linux.rules[0].filters.SEVERITY",
        "is already set by severity in this rule",
    ),
    (
        "bad patch list type, found by the baseline validator",
        add(BASELINE, 'rejected_patches_action = "DENY"'),
        "baselines.linux.rejected_patches_action",
        "must be one of ALLOW_AS_DEPENDENCY, BLOCK",
    ),
    (
        "sources on Windows",
        lambda text: add(
            BASELINE,
            "sources = [{ name = 'repo', products = ['p'], configuration = 'c' }]",
        )(edit('"AMAZON_LINUX_2"', '"WINDOWS"')(text)),
        "baselines.linux.sources",
        "patch source repositories apply to Linux only, not WINDOWS",
    ),
    (
        "reserved tag",
        add(BASELINE, 'tags = { "ssm-patching-setup:setup" = "x" }'),
        'baselines.linux.tags."ssm-patching-setup:setup"',
        "reserved tag key",
    ),
    (
        "baseline file missing",
        edit('operating_system = "AMAZON_LINUX_2"', 'file = "nope.json"'),
        "baselines.linux.file",
        "nope.json: cannot read file",
    ),
    (
        "file combined with rule keys",
        lambda text: edit(
            'operating_system = "AMAZON_LINUX_2"', 'file = "x.json"\napprove_after_days = 3'
        )(text),
        "baselines.linux.approve_after_days",
        "cannot be combined with file",
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


@pytest.mark.parametrize(
    ("mutate", "where", "fragment"),
    [pytest.param(m, w, f, id=name) for name, m, w, f in ERRORS],
)
def test_invalid_config_names_file_key_and_problem(
    tmp_path: Path, mutate: Callable[[str], str], where: str, fragment: str
) -> None:
    message = error(tmp_path, mutate(BASE))
    assert message.startswith(f"{where}: "), message
    assert fragment in message, message
