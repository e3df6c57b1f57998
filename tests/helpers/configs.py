"""Config files for the config tests: write, load and expect an error from TOML text, a
full config (FULL, with its Windows baseline file), a small valid one (BASE) with
the edits that break it, and a valid one of one window, target and task (``one_window``)
for the CLI's checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from patchsetup.config import Overrides, load_config
from patchsetup.config.tables import ConfigError
from patchsetup.model import (
    Setup,
    WindowSpec,
)

# ---------------------------------------------------------------------------- helpers

NO_OVERRIDES = Overrides()


def write(directory: Path, text: str, name: str = "patching.toml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def load(directory: Path, text: str, overrides: Overrides = NO_OVERRIDES) -> Setup:
    return load_config(write(directory, text), overrides)


def error(directory: Path, text: str, overrides: Overrides = NO_OVERRIDES) -> str:
    """The ConfigError message for ``text``; fails the test if it loads."""
    path = write(directory, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, overrides)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: "), message
    return message.removeprefix(f"{path}: ")


def window(setup: Setup, name: str) -> WindowSpec:
    return next(w for w in setup.windows if w.name == name)


WINDOWS_BASELINE = {
    "OperatingSystem": "WINDOWS",
    "Name": "from-file",
    "Description": "from the file",
    "ApprovalRules": {
        "PatchRules": [
            {
                "PatchFilterGroup": {
                    "PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["SecurityUpdates"]}]
                },
                "ApproveAfterDays": 21,
            }
        ]
    },
    "Tags": [{"Key": "Source", "Value": "file"}, {"Key": "Team", "Value": "file-team"}],
}

FULL = """
name = "web"

[defaults]
timezone = "Europe/London"
duration = 3
cutoff = 1
max_concurrency = "10%"
max_errors = 2
reboot_option = "RebootIfNeeded"
patch_group_key = "PatchGroup"
cutoff_behavior = "CANCEL_TASK"
service_role = "create"

[defaults.output]
s3_bucket = "patch-logs"
s3_prefix = "web/"
cloudwatch = true
cloudwatch_log_group = "patching/web"

[defaults.notifications]
topic_arn = "arn:aws:sns:eu-west-1:123456789012:patching"
events = ["Failed", "TimedOut"]
type = "Invocation"

[service_role]
name = "web-mw-role"
trusted_services = ["ssm.amazonaws.com", "ec2.amazonaws.com"]

[baselines.rhel-test]
operating_system = "REDHAT_ENTERPRISE_LINUX"
approve_after_days = 0
compliance_level = "HIGH"
patch_groups = ["patch_test_0600_batch_1"]

[baselines.rhel-prod]
operating_system = "REDHAT_ENTERPRISE_LINUX"
name = "rhel-prod"
description = "RHEL production"
approved_patches = ["kernel-5.10.*"]
approved_patches_compliance_level = "HIGH"
approved_patches_enable_non_security = true
rejected_patches = ["system-release.*"]
rejected_patches_action = "BLOCK"
global_filters = { PRODUCT = ["RedhatEnterpriseLinux8*"] }
patch_groups = ["patch_prod_0600_batch_1"]
tags = { Team = "ops" }

[[baselines.rhel-prod.rules]]
classification = ["Security"]
severity = ["Critical", "Important"]
approve_after_days = 14
compliance_level = "CRITICAL"
enable_non_security = false

[[baselines.rhel-prod.rules]]
classification = "Bugfix"
approve_until_date = 2027-01-31

[[baselines.rhel-prod.sources]]
name = "My-RHEL"
products = ["RedhatEnterpriseLinux8.5"]
configuration = "[main]\\nname=My RHEL"

[baselines.windows-prod]
file = "windows.json"
operating_system = "WINDOWS"
description = "Windows production"
patch_groups = ["patch_prod_0600_batch_2"]
tags = { Team = "windows" }

[baselines.ubuntu]
operating_system = "UBUNTU"
approve_after_days = 0   # Ubuntu ignores any other delay, and the config refuses one
rules = [{ filters = { PRIORITY = ["Required", "Important"], SECTION = "*" } }]
patch_groups = ["patch_test_0600_batch_1"]

[windows.test]
name = "patch_test_0630"
description = "Test, first Saturday"
week = 1
day = "SAT"
time = "06:30"
schedule_offset = 2
start_date = 2026-12-01T00:00:00Z
end_date = "2027-12-31T00:00:00Z"
enabled = false
allow_unassociated_targets = true

[[windows.test.targets]]
name = "linux"
patch_group = "patch_test_0600_batch_1"
owner_information = "Team A"
description = "Linux"

[[windows.test.targets]]
name = "windows"
patch_group = "patch_test_0600_batch_2"
patch_group_key = "Patch Group"

[[windows.test.targets]]
name = "web-tagged"
tags = { Role = ["web", "api"], Env = "test" }

[[windows.test.targets]]
name = "grouped"
resource_group = "my-group"
resource_types = ["AWS::EC2::Instance"]

[[windows.test.tasks]]
name = "patch-linux"
targets = ["linux", "web-tagged", "grouped"]
priority = 1
document = "AWS-RunPatchBaselineWithHooks"
reboot_option = "NoReboot"
max_concurrency = "1"
description = "Linux first"
timeout_seconds = 600
comment = "monthly"

[windows.test.tasks.hooks]
pre_install = "Pre-patch-Doc"
post_install = "Post-install-Doc"
on_exit = "Post-reboot-Doc"

[[windows.test.tasks]]
name = "patch-windows"
targets = ["windows"]
priority = 2
service_role = "arn:aws:iam::123456789012:role/mw-role"
cutoff_behavior = "CONTINUE_TASK"
output = false

[windows.test.tasks.notifications]
topic_arn = "arn:aws:sns:eu-west-1:123456789012:windows"
role = "arn:aws:iam::123456789012:role/sns"

[windows.prod]
schedule = "cron(0 6 ? * SAT#3 *)"
timezone = "America/New_York"
duration = 4
cutoff = 2

[[windows.prod.targets]]
name = "all-prod"
patch_group = "patch_prod_0600_batch_1"

[[windows.prod.tasks]]
name = "scan-all"
operation = "Scan"
output = {}
notifications = false

[windows.last-tuesday]
week = "last"
day = 2
time = "3:30"

[scan]
time = "01:00"
duration = 2
cutoff = 1
"""


def full_dir(directory: Path) -> Path:
    (directory / "windows.json").write_text(json.dumps(WINDOWS_BASELINE), encoding="utf-8")
    return write(directory, FULL)


BASE = """
name = "web"

[service_role]
create = true

[baselines.linux]
operating_system = "AMAZON_LINUX_2"
patch_groups = ["g1"]

[windows.test]
week = 1
day = "SAT"
time = "06:00"
duration = 3

[[windows.test.targets]]
name = "linux"
patch_group = "g1"

[[windows.test.tasks]]
name = "patch-linux"
targets = ["linux"]
"""


def edit(old: str, new: str) -> Callable[[str], str]:
    def apply(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return apply


def add(after: str, lines: str) -> Callable[[str], str]:
    return edit(after, f"{after}\n{lines}")


TASK = '[[windows.test.tasks]]\nname = "patch-linux"'
TARGET = '[[windows.test.targets]]\nname = "linux"'
WINDOW = "[windows.test]"
BASELINE = "[baselines.linux]"
NO_WEEK_DAY_TIME = edit('week = 1\nday = "SAT"\ntime = "06:00"\n', "")


def uncomment(text: str, *prefixes: str) -> str:
    """Remove the leading "# " of every line that starts with one of ``prefixes``."""
    lines = []
    for line in text.splitlines():
        if any(line.startswith(prefix) for prefix in prefixes):
            line = line.removeprefix("# ")
        lines.append(line)
    return "\n".join(lines) + "\n"


def one_window(task_extra: str = "", top: str = "") -> str:
    """A valid config of one window, one target, one task; ``task_extra`` adds task keys."""
    return f"""\
name = "roles"
{top}
[baselines.al2]
operating_system = "AMAZON_LINUX_2"
patch_groups = ["web"]

[windows.www]
week = 1
day = "TUE"
time = "03:00"

[[windows.www.targets]]
name = "web"
patch_group = "web"

[[windows.www.tasks]]
name = "patch"
{task_extra}
"""


# -- a table of broken configs: (id, edit of BASE, key path, fragment of the message) ----

ErrorCase = tuple[str, Callable[[str], str], str, str]


def error_cases(cases: list[ErrorCase]) -> pytest.MarkDecorator:
    """Parametrize a test by (mutate, where, fragment), each case's id its name."""
    return pytest.mark.parametrize(
        ("mutate", "where", "fragment"),
        [pytest.param(m, w, f, id=name) for name, m, w, f in cases],
    )


def assert_error_at(directory: Path, text: str, where: str, fragment: str) -> None:
    """Loading ``text`` fails with a message about key path ``where`` that says ``fragment``."""
    message = error(directory, text)
    assert message.startswith(f"{where}: "), message
    assert fragment in message, message
