"""The desired setup from a TOML config file: baselines, windows, targets, tasks, scan, role.

The file describes what the command-line flags cannot: test and prod baselines
per OS with their own approval delays, Linux before Windows as task priorities,
AWS-RunPatchBaselineWithHooks with hook documents, output to S3 and CloudWatch,
SNS notifications and the maintenance-window service role. :func:`load_config`
reads it, checks everything it can without AWS, and returns the same
:class:`~patchsetup.model.Setup` the planner already diffs against AWS.

Every problem is one :class:`ConfigError` line, ``FILE: key.path: problem``,
never a traceback. The schema is shown by ``config/sample.toml``
(``ssm-patching-setup init`` writes it). Reading and type checks are in
``config_schema.py``, baselines in ``config_baselines.py``, targets and task
settings in ``config_tasks.py``; this module puts windows, tasks, the scan
window and the service role together and applies the command-line overrides.
"""

from __future__ import annotations

import importlib.resources
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from patchsetup import quotas
from patchsetup.config import baselines as config_baselines
from patchsetup.config.tables import ConfigError, Table, fail, read_toml
from patchsetup.config.tasks import (
    CREATE,
    OPERATIONS,
    PATCH_GROUP_KEYS,
    TARGET_KEYS,
    TARGET_VALUES_MAX,
    TASK_SETTINGS,
    Output,
    RoleRef,
    TaskSettings,
    check_name,
    rate_problem,
    read_target,
    read_task_settings,
)
from patchsetup.model import (
    CONCURRENCY_RE,
    ERRORS_RE,
    PRIORITY_MAX,
    ROLE_NAME_RE,
    RUN_PATCH_BASELINE,
    SERVICE_ROLE,
    SETUP_NAME_RE,
    BaselineSpec,
    ModelError,
    NotificationSpec,
    RoleSpec,
    Setup,
    TargetSpec,
    TaskSpec,
    WindowSpec,
    default_role,
    maintenance_window_policy,
    notification_roles,
)
from patchsetup.schedule.compose import daily_cron, parse_day, parse_time, window_cron
from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.expressions import validate_expression
from patchsetup.schedule.zones import validate_timezone, window_date

__all__ = ["ConfigError", "Overrides", "load_config", "sample_config"]

WITH_HOOKS = "AWS-RunPatchBaselineWithHooks"
DOCUMENTS = (RUN_PATCH_BASELINE, WITH_HOOKS)
_HOOKS = {
    "pre_install": "PreInstallHookDocName",
    "post_install": "PostInstallHookDocName",
    "on_exit": "OnExitHookDocName",
}

_TOP_KEYS = frozenset({"name", "adopt", "defaults", "service_role", "baselines", "windows", "scan"})
_DEFAULTS_KEYS = TASK_SETTINGS | {"timezone", "duration", "cutoff", "patch_group_key"}
_ROLE_KEYS = frozenset({"create", "name", "trusted_services"})
_WINDOW_KEYS = frozenset(
    {
        "name",
        "description",
        "schedule",
        "week",
        "day",
        "time",
        "timezone",
        "duration",
        "cutoff",
        "schedule_offset",
        "start_date",
        "end_date",
        "enabled",
        "allow_unassociated_targets",
        "targets",
        "tasks",
    }
)
_TASK_KEYS = TASK_SETTINGS | {
    "name",
    "targets",
    "priority",
    "document",
    "hooks",
    "description",
    "timeout_seconds",
    "comment",
}
_SCAN_KEYS = frozenset({"time", "timezone", "duration", "cutoff", "name", "patch_group_key"})
# Shapes AWS documents (service principals, SSM document names); role names: model.py.
_SERVICE_RE = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?")
_DOCUMENT_RE = re.compile(r"[a-zA-Z0-9_\-.:/]{3,128}")


@dataclass(frozen=True)
class Overrides:
    """Values from command-line flags; None means "not given". Flags win over the file.

    ``timezone`` applies to every window, ``duration`` and ``cutoff`` to every
    window but the scan window (a daily scan keeps its own short window),
    ``max_concurrency`` and ``max_errors`` to every task, ``operation`` to every
    install task (not the scan task). ``create_service_role`` acts as if the file
    had ``[service_role] create = true``, and tasks without a role then use it.
    """

    name: str | None = None
    timezone: str | None = None
    duration: int | None = None
    cutoff: int | None = None
    max_concurrency: str | None = None
    max_errors: str | None = None
    operation: str | None = None
    create_service_role: bool = False


def sample_config() -> str:
    """Return the text of the commented sample config (``ssm-patching-setup init``)."""
    resource = importlib.resources.files("patchsetup.config").joinpath("sample.toml")
    return resource.read_text(encoding="utf-8")


def load_config(
    path: str | os.PathLike[str],
    overrides: Overrides = Overrides(),
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
    setup = _Builder(source, Path(path).parent, overrides, warnings).build(data)
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


@dataclass(frozen=True)
class _WindowSettings:
    """Window settings from [defaults], each with the key it came from (for messages)."""

    timezone: str | None = None
    duration: int = 1
    duration_at: str = "the default duration"
    cutoff: int = 0
    cutoff_at: str = "the default cutoff"
    patch_group_key: str = "Patch Group"


class _Builder:
    """Turns the parsed TOML of one file into a Setup, failing at the first problem."""

    def __init__(
        self, source: str, base_dir: Path, overrides: Overrides, warnings: list[str] | None
    ) -> None:
        self.source = source
        self.base_dir = base_dir
        self.overrides = overrides
        self.warnings = warnings
        #: Where "create" was used for a task's role, to report if no role is configured.
        self.role_uses: list[str] = []

    def build(self, data: dict[str, object]) -> Setup:
        root = Table.of(self.source, "", data, _TOP_KEYS)
        self._check_overrides()
        file_name = root.string("name")
        name = self.overrides.name or file_name or "default"
        if not SETUP_NAME_RE.match(name):
            where = "--name" if self.overrides.name else "name"
            fail(self.source, where, f"must be 1-64 letters, digits, '_', '-' or '.', got {name!r}")
        defaults = root.table("defaults", _DEFAULTS_KEYS)
        window_settings = self._window_settings(defaults)
        task_settings = TaskSettings()
        if defaults is not None:
            task_settings = read_task_settings(defaults, task_settings)
        role = self._service_role(root.table("service_role", _ROLE_KEYS), name)
        baselines = config_baselines.read_baselines(
            root.free_table("baselines"), name, self.base_dir, self.warnings
        )
        windows: list[WindowSpec] = []
        windows_table = root.free_table("windows")
        window_paths: dict[str, str] = {}
        if windows_table is not None:
            for key, value in windows_table.data.items():
                table = Table.of(self.source, windows_table.key(key), value, _WINDOW_KEYS)
                window = self._window(key, table, window_settings, task_settings)
                windows.append(window)
                self._unique(window_paths, window.name, table, "window")
        scan = root.table("scan", _SCAN_KEYS)
        if scan is not None:
            window = self._scan(scan, name, baselines, window_settings, task_settings)
            self._unique(window_paths, window.name, scan, "window")
            windows.append(window)
        if role is None and self.role_uses:
            fail(
                self.source,
                self.role_uses[0],
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

    # ------------------------------------------------------------------ helpers

    def _unique(self, seen: dict[str, str], name: str, table: Table, kind: str) -> None:
        """Fail when ``name`` was already used by another table (``seen``: name -> path)."""
        if name in seen:
            table.fail(
                "name" if table.has("name") else "",
                f"{kind} name {name!r} is also used by {seen[name]}",
            )
        seen[name] = table.path

    def _check_overrides(self) -> None:
        """Flags are checked like file values, under their flag's name."""
        o = self.overrides
        if o.timezone is not None:
            self._timezone_at(o.timezone, "--timezone")
        if o.duration is not None and not 1 <= o.duration <= 24:
            fail(self.source, "--duration", f"must be 1-24 hours, got {o.duration}")
        if o.cutoff is not None and not 0 <= o.cutoff <= 23:
            fail(self.source, "--cutoff", f"must be 0-23 hours, got {o.cutoff}")
        if o.max_concurrency is not None and not CONCURRENCY_RE.match(o.max_concurrency):
            fail(
                self.source,
                "--max-concurrency",
                rate_problem("max_concurrency", o.max_concurrency),
            )
        if o.max_errors is not None and not ERRORS_RE.match(o.max_errors):
            fail(self.source, "--max-errors", rate_problem("max_errors", o.max_errors))
        if o.operation is not None and o.operation not in OPERATIONS:
            fail(self.source, "--operation", f"must be Install or Scan, got {o.operation!r}")

    def _timezone_at(self, value: str, where: str) -> str:
        try:
            return validate_timezone(value)
        except ScheduleError as error:
            fail(self.source, where, str(error))

    def _timezone(self, table: Table, inherited: str | None) -> str | None:
        """Override > the table's own > inherited."""
        own = table.string("timezone")
        if own is not None:
            self._timezone_at(own, table.key("timezone"))
        return self.overrides.timezone or own or inherited

    # ------------------------------------------------------------------ defaults

    def _window_settings(self, table: Table | None) -> _WindowSettings:
        if table is None:
            return _WindowSettings()
        settings = _WindowSettings(timezone=self._timezone(table, None))
        duration = table.integer("duration", 1, 24)
        if duration is not None:
            settings = replace(settings, duration=duration, duration_at=table.key("duration"))
        cutoff = table.integer("cutoff", 0, 23)
        if cutoff is not None:
            settings = replace(settings, cutoff=cutoff, cutoff_at=table.key("cutoff"))
        key = table.choice("patch_group_key", PATCH_GROUP_KEYS)
        return replace(settings, patch_group_key=key) if key is not None else settings

    def _service_role(self, table: Table | None, setup_name: str) -> RoleSpec | None:
        role = default_role(setup_name)
        create = self.overrides.create_service_role
        if table is not None:
            create = table.boolean("create") is not False or create
            name = table.string("name")
            if name is not None and not ROLE_NAME_RE.match(name):
                table.fail(
                    "name",
                    f"{name!r} is not an IAM role name (1-64 of ASCII letters, digits, +=,.@_-)",
                )
            services = table.strings("trusted_services")
            if services == ():
                table.fail("trusted_services", "needs at least one service")
            for index, service in enumerate(services or ()):
                if not _SERVICE_RE.fullmatch(service):
                    fail(
                        self.source,
                        f"{table.key('trusted_services')}[{index}]",
                        f"must be a service principal like ssm.amazonaws.com, got {service!r}",
                    )
            role = replace(
                role, name=name or role.name, trusted_services=services or role.trusted_services
            )
        return role if create else None

    # ------------------------------------------------------------------ windows

    def _window(
        self, key: str, table: Table, defaults: _WindowSettings, task_defaults: TaskSettings
    ) -> WindowSpec:
        name = table.string("name") or key
        check_name(table, "window", name)
        expression = self._schedule(table)
        timezone = self._timezone(table, defaults.timezone)
        duration, duration_at = self._hours(
            table, "duration", 1, 24, defaults.duration, defaults.duration_at
        )
        cutoff, cutoff_at = self._hours(table, "cutoff", 0, 23, defaults.cutoff, defaults.cutoff_at)
        self._check_cutoff(table, cutoff, cutoff_at, duration, duration_at)
        offset = table.integer("schedule_offset", 1, 6)
        if offset is not None and not expression.startswith("cron("):
            table.fail("schedule_offset", f"applies to cron schedules only, not {expression}")
        start, end = table.datetime_text("start_date"), table.datetime_text("end_date")
        # Without an offset, both dates are in the window's zone (schedule.zones.window_date).
        if start and end and window_date(end, timezone) <= window_date(start, timezone):
            table.fail("end_date", f"must be after start_date ({start}), got {end}")
        targets = self._targets(table, defaults.patch_group_key)
        target_names = [target.name for target in targets]
        tasks: list[TaskSpec] = []
        task_paths: dict[str, str] = {}
        for task_table in table.tables("tasks", _TASK_KEYS):
            task = self._task(task_table, target_names, task_defaults)
            self._unique(task_paths, task.name, task_table, "task")
            tasks.append(task)
        return WindowSpec(
            name=name,
            schedule=expression,
            duration=duration,
            cutoff=cutoff,
            timezone=timezone,
            description=table.string("description", max_len=128),
            allow_unassociated_targets=bool(table.boolean("allow_unassociated_targets")),
            enabled=table.boolean("enabled") is not False,
            schedule_offset=offset,
            start_date=start,
            end_date=end,
            targets=tuple(targets),
            tasks=tuple(tasks),
        )

    def _hours(
        self,
        table: Table,
        key: Literal["duration", "cutoff"],
        low: int,
        high: int,
        inherited: int,
        inherited_at: str,
    ) -> tuple[int, str]:
        """Override > own > inherited, with where the value came from."""
        own = table.integer(key, low, high)
        flag = getattr(self.overrides, key)
        if flag is not None:
            return int(flag), f"--{key}"
        if own is not None:
            return own, table.key(key)
        return inherited, inherited_at

    def _check_cutoff(
        self, table: Table, cutoff: int, cutoff_at: str, duration: int, duration_at: str
    ) -> None:
        if cutoff >= duration:
            where = cutoff_at if cutoff_at.startswith(table.path + ".") else table.path
            fail(
                self.source,
                where,
                f"cutoff ({cutoff} h, from {cutoff_at}) must be less than the duration "
                f"({duration} h, from {duration_at})",
            )

    def _schedule(self, table: Table) -> str:
        """The window's cron/rate expression, from ``schedule`` or from week/day/time."""
        parts = [key for key in ("week", "day", "time") if table.has(key)]
        if table.has("schedule"):
            if parts:
                table.fail(parts[0], "set either schedule or week/day/time, not both")
            expression = table.required_string("schedule")
            try:
                validate_expression(expression)
            except ScheduleError as error:
                table.fail("schedule", str(error))
            return expression
        if not parts:
            table.fail("", 'needs a schedule: schedule = "cron(...)", or week, day and time')
        for key in ("week", "day", "time"):
            if not table.has(key):
                table.fail(key, f"required key is missing (with {', '.join(parts)})")
        week = table.data["week"]
        if week != "last" and (
            isinstance(week, bool) or not isinstance(week, int) or not 1 <= week <= 5
        ):
            table.fail(
                "week", f'must be 1-5 (the n-th such weekday of the month) or "last", got {week!r}'
            )
        day_value = table.data["day"]
        if isinstance(day_value, bool) or not isinstance(day_value, int | str):
            table.fail("day", f"must be a day name like SAT or a number 0-7, got {day_value!r}")
        time_text = table.required_string("time")
        try:
            day = parse_day(str(day_value))
        except ScheduleError as error:
            table.fail("day", str(error))
        try:
            hour, minute = parse_time(time_text)
        except ScheduleError as error:
            table.fail("time", str(error))
        return window_cron(week, day, hour, minute)

    def _targets(self, window: Table, default_key: str) -> list[TargetSpec]:
        targets: list[TargetSpec] = []
        paths: dict[str, str] = {}
        for table in window.tables("targets", TARGET_KEYS):
            target = read_target(table, default_key)
            self._unique(paths, target.name, table, "target")
            targets.append(target)
        return targets

    # ------------------------------------------------------------------ tasks

    def _task(
        self, table: Table, window_targets: Sequence[str], defaults: TaskSettings
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
        hooks = table.table("hooks", _HOOKS)
        if hooks is not None and document != WITH_HOOKS:
            table.fail("hooks", f'need document = "{WITH_HOOKS}" (this task runs {document})')
        settings = read_task_settings(table, defaults)
        operation = self.overrides.operation or settings.operation
        parameters: dict[str, tuple[str, ...]] = {"Operation": (operation,)}
        if settings.reboot_option is not None:
            parameters["RebootOption"] = (settings.reboot_option,)
        parameters.update(_hook_parameters(hooks))
        return self._task_spec(
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

    def _task_spec(
        self,
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
        if role is None and self.overrides.create_service_role:
            role = RoleRef(SERVICE_ROLE, "--create-service-role")
        notification = None
        sns = settings.notifications
        if sns is not None:
            # Run Command publishes to SNS with a role; the task's own is the natural one.
            sns_role = sns.role or role
            if sns_role is None:
                fail(
                    self.source,
                    sns.where,
                    "SNS notifications need a role to publish with: set role "
                    f'("{CREATE}" or an ARN) here or a service_role for the task',
                )
            notification = NotificationSpec(sns.topic_arn, sns.events, sns.type, sns_role.arn)
            if sns_role.arn == SERVICE_ROLE:
                self.role_uses.append(sns_role.where)
        if role is not None and role.arn == SERVICE_ROLE:
            self.role_uses.append(role.where)
        output = settings.output or Output()
        return TaskSpec(
            name=name,
            target_names=tuple(targets),
            document=document,
            priority=1 if priority is None else priority,
            max_concurrency=self.overrides.max_concurrency or settings.max_concurrency,
            max_errors=self.overrides.max_errors or settings.max_errors,
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

    # ------------------------------------------------------------------ scan

    def _scan(
        self,
        table: Table,
        setup_name: str,
        baselines: Sequence[BaselineSpec],
        defaults: _WindowSettings,
        task_defaults: TaskSettings,
    ) -> WindowSpec:
        """The daily scan window: every patch group the baselines name, Operation=Scan."""
        name = table.string("name") or f"{setup_name}-daily-scan"
        check_name(table, "window", name)
        try:
            hour, minute = parse_time(table.required_string("time"))
        except ScheduleError as error:
            table.fail("time", str(error))
        timezone = self._timezone(table, defaults.timezone)
        # The scan keeps its own short window: --duration/--cutoff are for install windows.
        duration = table.integer("duration", 1, 24) or 1
        cutoff = table.integer("cutoff", 0, 23) or 0
        duration_at = table.key("duration") if table.has("duration") else "the scan's default"
        self._check_cutoff(table, cutoff, table.key("cutoff"), duration, duration_at)
        key = table.choice("patch_group_key", PATCH_GROUP_KEYS) or defaults.patch_group_key
        groups = list(dict.fromkeys(g for baseline in baselines for g in baseline.patch_groups))
        if not groups:
            table.fail("", "no baseline names a patch group, so there is nothing to scan")
        # One target holds at most 50 tag values; more groups take more targets.
        chunks = [
            groups[i : i + TARGET_VALUES_MAX] for i in range(0, len(groups), TARGET_VALUES_MAX)
        ]
        targets = tuple(
            TargetSpec(
                name="patch-groups" if len(chunks) == 1 else f"patch-groups-{index + 1}",
                targets=((f"tag:{key}", tuple(chunk)),),
            )
            for index, chunk in enumerate(chunks)
        )
        parameters: dict[str, tuple[str, ...]] = {
            "Operation": ("Scan",),
            "RebootOption": ("NoReboot",),
        }
        task = self._task_spec("scan", [t.name for t in targets], task_defaults, parameters)
        return WindowSpec(
            name=name,
            schedule=daily_cron(hour, minute),
            duration=duration,
            cutoff=cutoff,
            timezone=timezone,
            targets=targets,
            tasks=(task,),
        )


def _hook_parameters(hooks: Table | None) -> dict[str, tuple[str, ...]]:
    """The ...WithHooks document's hook parameters for the hooks that are set."""
    parameters: dict[str, tuple[str, ...]] = {}
    for key, parameter in _HOOKS.items():
        document_name = hooks.string(key) if hooks is not None else None
        if hooks is None or document_name is None:
            continue
        if not _DOCUMENT_RE.fullmatch(document_name):
            hooks.fail(
                key,
                "must be an SSM document name (3-128 of a-z A-Z 0-9 _ - . : /), "
                f"got {document_name!r}",
            )
        parameters[parameter] = (document_name,)
    return parameters
