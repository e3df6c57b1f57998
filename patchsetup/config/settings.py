"""What every table's reader shares: the file being read and the command-line overrides.

:class:`Overrides` are the flags that win over the file, checked like file values
under their flag's name (:func:`check_overrides`); :class:`Reading` is one file
being read, handed to the reader of every table. The top-level settings of the
file are read here too: the setup ``name`` and ``[service_role]``. The root table
itself (its allowed keys, ``adopt``) is read by :func:`patchsetup.config.load_config`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from patchsetup.config.tables import Table, fail
from patchsetup.fields import (
    CONCURRENCY_RE,
    CONCURRENCY_RULE,
    CUTOFF_MAX,
    CUTOFF_MIN,
    DURATION_MAX,
    DURATION_MIN,
    ERRORS_RE,
    ERRORS_RULE,
    OPERATIONS,
    ROLE_NAME_RE,
    ROLE_NAME_RULE,
    setup_name_problem,
)
from patchsetup.model import RoleSpec
from patchsetup.roles import default_role
from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.zones import validate_timezone

__all__ = [
    "Overrides",
    "Reading",
    "check_overrides",
    "rate_problem",
    "read_service_role",
    "read_setup_name",
    "timezone_at",
    "window_timezone",
]

ROLE_KEYS = frozenset({"create", "name", "trusted_services"})
# Shapes AWS documents (service principals); role names: patchsetup/fields.py.
SERVICE_RE = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?")


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


@dataclass
class Reading:
    """One config file being turned into a Setup, failing at the first problem."""

    source: str
    base_dir: Path
    overrides: Overrides
    warnings: list[str] | None
    #: Where "create" was used for a task's role, to report if no role is configured.
    role_uses: list[str] = field(default_factory=list)


def rate_problem(key: str, value: object) -> str:
    """The message for a bad max_concurrency/max_errors value."""
    if key == "max_concurrency":
        return f'must be {CONCURRENCY_RULE} like "10%", got {value!r}'
    return f'must be {ERRORS_RULE} like "10%", got {value!r}'


def check_overrides(reading: Reading) -> None:
    """Flags are checked like file values, under their flag's name."""
    o = reading.overrides
    if o.timezone is not None:
        timezone_at(reading, o.timezone, "--timezone")
    if o.duration is not None and not DURATION_MIN <= o.duration <= DURATION_MAX:
        fail(
            reading.source,
            "--duration",
            f"must be {DURATION_MIN}-{DURATION_MAX} hours, got {o.duration}",
        )
    if o.cutoff is not None and not CUTOFF_MIN <= o.cutoff <= CUTOFF_MAX:
        fail(reading.source, "--cutoff", f"must be {CUTOFF_MIN}-{CUTOFF_MAX} hours, got {o.cutoff}")
    if o.max_concurrency is not None and not CONCURRENCY_RE.match(o.max_concurrency):
        fail(
            reading.source,
            "--max-concurrency",
            rate_problem("max_concurrency", o.max_concurrency),
        )
    if o.max_errors is not None and not ERRORS_RE.match(o.max_errors):
        fail(reading.source, "--max-errors", rate_problem("max_errors", o.max_errors))
    if o.operation is not None and o.operation not in OPERATIONS:
        fail(reading.source, "--operation", f"must be Install or Scan, got {o.operation!r}")


def timezone_at(reading: Reading, value: str, where: str) -> str:
    try:
        return validate_timezone(value)
    except ScheduleError as error:
        fail(reading.source, where, str(error))


def window_timezone(reading: Reading, table: Table, inherited: str | None) -> str | None:
    """Override > the table's own > inherited."""
    own = table.string("timezone")
    if own is not None:
        timezone_at(reading, own, table.key("timezone"))
    return reading.overrides.timezone or own or inherited


def read_setup_name(reading: Reading, root: Table) -> str:
    """``--name`` > the file's ``name`` > "default", checked at the one that set it."""
    file_name = root.string("name")
    name = reading.overrides.name or file_name or "default"
    problem = setup_name_problem(name)
    if problem is not None:
        where = "--name" if reading.overrides.name else "name"
        fail(reading.source, where, problem)
    return name


def read_service_role(reading: Reading, root: Table, setup_name: str) -> RoleSpec | None:
    """``[service_role]`` (or ``--create-service-role``): the role to create, if any."""
    table = root.table("service_role", ROLE_KEYS)
    role = default_role(setup_name)
    create = reading.overrides.create_service_role
    if table is not None:
        create = table.boolean("create") is not False or create
        name = table.string("name")
        if name is not None and not ROLE_NAME_RE.match(name):
            table.fail("name", f"{name!r} is not an IAM role name ({ROLE_NAME_RULE})")
        services = table.strings("trusted_services")
        if services == ():
            table.fail("trusted_services", "needs at least one service")
        for index, service in enumerate(services or ()):
            if not SERVICE_RE.fullmatch(service):
                fail(
                    reading.source,
                    f"{table.key('trusted_services')}[{index}]",
                    f"must be a service principal like ssm.amazonaws.com, got {service!r}",
                )
        role = replace(
            role, name=name or role.name, trusted_services=services or role.trusted_services
        )
    return role if create else None
