"""The desired setup from a TOML config file: :func:`load_config` and :func:`sample_config`.

The file describes what the command-line flags cannot: test and prod baselines
per OS with their own approval delays, Linux before Windows as task priorities,
AWS-RunPatchBaselineWithHooks with hook documents, output to S3 and CloudWatch,
SNS notifications and the maintenance-window service role. :func:`load_config`
reads it, checks everything it can without AWS, and returns the same
:class:`~patchsetup.model.Setup` the planner already diffs against AWS.

Every problem is one :class:`~patchsetup.config.tables.ConfigError` line,
``FILE: key.path: problem``, never a traceback. The schema is shown by
``config/sample.toml`` (``ssm-patching-setup init`` writes it). One module per
part of the file, each holding the allowed keys of the tables it reads:
``tables.py`` typed reading of a table; ``settings.py`` the command-line
:class:`~patchsetup.config.settings.Overrides`, the setup name and
``[service_role]``; ``baselines.py`` ``[baselines.<key>]``; ``windows.py``
``[windows.<key>]`` and ``[scan]``; ``targets.py`` window targets; ``tasks.py``
tasks and every task setting. This module reads the top-level table and puts
the parts together.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from patchsetup import quotas
from patchsetup.config.baselines import read_baselines
from patchsetup.config.settings import (
    Overrides,
    Reading,
    check_overrides,
    read_service_role,
    read_setup_name,
)
from patchsetup.config.tables import Table, fail, read_toml
from patchsetup.config.tasks import CREATE, TASK_SETTINGS, TaskSettings, read_task_settings
from patchsetup.config.windows import WINDOW_DEFAULTS, read_window_defaults, read_windows
from patchsetup.model import ModelError, Setup
from patchsetup.roles import maintenance_window_policy, notification_roles
from patchsetup.samples import SCHEMA_DIRECTIVE, sample_config, sample_for_init

__all__ = ["SCHEMA_DIRECTIVE", "load_config", "sample_config", "sample_for_init"]

TOP_KEYS = frozenset({"name", "adopt", "defaults", "service_role", "baselines", "windows", "scan"})
DEFAULTS_KEYS = TASK_SETTINGS | WINDOW_DEFAULTS
_NO_OVERRIDES = Overrides()


def load_config(
    path: str | os.PathLike[str],
    overrides: Overrides = _NO_OVERRIDES,
    *,
    windows_required: bool = True,
    warnings: list[str] | None = None,
) -> Setup:
    """Read a TOML config file and return the validated Setup it describes.

    Relative ``file`` paths of baselines are relative to the config file. After
    building, the Setup passes AWS's default quotas (:mod:`patchsetup.quotas`)
    and :meth:`Setup.validate`.

    An empty (or comment-only) file is always an error, and so, unless
    ``windows_required`` is false, is a file that defines no window: applied,
    either would be "this setup owns nothing" and delete everything it made
    (a truncated file from CI, or /dev/null). Cleanup needs only the name.
    What is legal but likely not meant (a baseline file without OperatingSystem)
    is appended to ``warnings``.

    Raises:
        ConfigError: anything wrong, as one line ``FILE: key.path: problem``: a
            missing or unreadable file, TOML syntax (with its line), an unknown
            key (with a close match), a wrong type, a value out of its range or
            set, a reference to something undefined, a contradiction, a quota.
    """
    source = os.fsdecode(path)
    data = read_toml(path, source)
    if not data:
        fail(
            source,
            "",
            "the file is empty (or only comments): it describes no setup; "
            "`ssm-patching-setup init` writes a sample",
        )
    setup = _build(Reading(source, Path(path).parent, overrides, warnings), data)
    for problem in quotas.check_counts(setup):
        fail(source, "", problem)
    try:
        setup.validate()
    except ModelError as error:
        fail(source, "", str(error))
    if windows_required and not setup.windows:
        fail(
            source,
            "",
            "defines no windows: add a [windows.<key>] table (or [scan]); to remove "
            "the setup instead, run ssm-patching-cleanup with this file",
        )
    return setup


def _build(reading: Reading, data: dict[str, object]) -> Setup:
    """Turn the parsed TOML of one file into a Setup, failing at the first problem."""
    root = Table.of(reading.source, "", data, TOP_KEYS)
    check_overrides(reading)
    name = read_setup_name(reading, root)
    defaults = root.table("defaults", DEFAULTS_KEYS)
    window_settings = read_window_defaults(reading, defaults)
    task_settings = TaskSettings()
    if defaults is not None:
        task_settings = read_task_settings(defaults, task_settings)
    role = read_service_role(reading, root, name)
    baselines = read_baselines(
        root.free_table("baselines"), name, reading.base_dir, reading.warnings
    )
    windows = read_windows(reading, root, name, baselines, window_settings, task_settings)
    if role is None and reading.role_uses:
        fail(
            reading.source,
            reading.role_uses[0],
            f'is "{CREATE}", but no service role is configured: add [service_role] '
            "with create = true (or use --create-service-role)",
        )
    if role is not None:
        # The role may pass only the notification roles the tasks name (and itself).
        policy = maintenance_window_policy(notification_roles(windows))
        role = replace(role, policies={**role.policies, "maintenance-window": policy})
    return Setup(
        name=name,
        baselines=tuple(baselines),
        windows=tuple(windows),
        service_role=role,
        adopt=bool(root.boolean("adopt")),
    )
