"""The runs of a setup's windows in a period, as calendar events: one rule for both views.

Pure. A window comes either from the desired setup (``--config`` or the flags, no AWS
call) or from what the reader found deployed; both give its fields as
GetMaintenanceWindow reports them, so ``schedule.window_runs.runs_between`` (the rule of
apply's plan and of status) decides every run: time zone, ScheduleOffset, StartDate and
EndDate, Enabled and daylight saving.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.window_runs import runs_between
from patchsetup.schedule.words import describe

if TYPE_CHECKING:  # the types only: a calendar from the flags reads nothing deployed
    from patchsetup.deploy.remote import RemoteState, RemoteWindow
    from patchsetup.model import Setup, WindowSpec

#: Zone names that are UTC itself: an .ics writes their times as UTC (``...Z``).
UTC_NAMES = frozenset(
    {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu"}
)


def is_utc(zone: str | None) -> bool:
    """No zone (SSM's default) or a name of UTC itself."""
    return zone is None or zone in UTC_NAMES


@dataclass(frozen=True)
class CalendarWindow:
    """One window of the setup, where it is, and what its runs do."""

    name: str
    #: As GetMaintenanceWindow reports them (``WindowSpec.fields()`` or the reader's).
    fields: Mapping[str, Any]
    #: Each target's selection in words: "Patch Group = Week 1 Day 2 - Unattended - 03:00".
    targets: tuple[str, ...] = ()
    #: The tasks' AWS-RunPatchBaseline Operation values (Install, Scan).
    operations: tuple[str, ...] = ()
    account: str | None = None
    region: str | None = None

    @property
    def timezone(self) -> str | None:
        zone = self.fields.get("ScheduleTimezone")
        return str(zone) if zone else None

    @property
    def where(self) -> str | None:
        """account/region, or the region alone, or None (from a config)."""
        if self.region is None:
            return None
        return f"{self.account}/{self.region}" if self.account else self.region


@dataclass(frozen=True)
class Run:
    """One run of a window: its start and end instants, aware in the window's zone."""

    window: CalendarWindow
    start: datetime
    end: datetime
    #: When no new task starts any more (the end less Cutoff hours).
    cutoff: datetime


@dataclass(frozen=True)
class Calendar:
    """The runs of every window in ``[start, end)`` (UTC), in order, and what to know."""

    setup: str
    start: datetime
    end: datetime
    windows: tuple[CalendarWindow, ...]
    runs: tuple[Run, ...]
    #: Windows with no run because they are disabled (Enabled = false).
    disabled: tuple[CalendarWindow, ...]
    warnings: tuple[str, ...]


def _selection(targets: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """Target selections in words: a tag as the operator tags instances (``Patch Group = X``)."""
    words: list[str] = []
    for target in targets:
        key, values = str(target.get("Key")), ", ".join(map(str, target.get("Values", [])))
        words.append(f"{key.removeprefix('tag:')} = {values}")
    return tuple(words)


def from_setup(setup: Setup) -> list[CalendarWindow]:
    """The desired setup's windows (no AWS call): account and region are not known."""
    return [_from_spec(window) for window in setup.windows]


def _from_spec(window: WindowSpec) -> CalendarWindow:
    targets = [t for spec in window.targets for t in spec.fields()["Targets"]]
    operations = [op for task in window.tasks for op in task.parameters.get("Operation", ())]
    return CalendarWindow(
        window.name, window.fields(), _selection(targets), tuple(dict.fromkeys(operations))
    )


def from_state(state: RemoteState, account: str | None, region: str) -> list[CalendarWindow]:
    """The windows the reader found for the setup in one account and region."""
    return [_from_remote(w, account, region) for w in sorted(state.windows, key=_by_name)]


def _by_name(window: RemoteWindow) -> tuple[str, str]:
    return window.name, window.window_id


def _from_remote(window: RemoteWindow, account: str | None, region: str) -> CalendarWindow:
    targets = [t for target in window.targets for t in target.fields.get("Targets") or []]
    operations = [
        str(op)
        for task in window.tasks
        for op in (
            (task.fields.get("TaskInvocationParameters") or {})
            .get("RunCommand", {})
            .get("Parameters", {})
            .get("Operation", [])
        )
    ]
    return CalendarWindow(
        window.name,
        window.fields,
        _selection(targets),
        tuple(dict.fromkeys(operations)),
        account=account,
        region=region,
    )


def uid(setup: str, window: CalendarWindow, start: datetime) -> str:
    """The event's UID: the same run of the same window of the same setup, the same UID.

    From the setup name, the account and region when known, the window name and the
    run's UTC start, so a calendar client that imports the file again updates the event.
    """
    import hashlib  # for the .ics only: the text view shows no UID

    key = "\x1f".join([setup, window.account or "", window.region or "", window.name])
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return f"{start.astimezone(UTC):%Y%m%dT%H%M%SZ}-{digest}@ssm-patching-setup"


def in_words(window: CalendarWindow) -> str:
    """The schedule in plain words, with its offset (as apply's plan says it)."""
    fields = window.fields
    offset = fields.get("ScheduleOffset")
    words = describe(str(fields.get("Schedule")), window.timezone)
    return words + (f", then {offset} day(s) later" if offset else "")


def build(
    setup: str, windows: Sequence[CalendarWindow], start: datetime, end: datetime
) -> Calendar:
    """Every run of ``windows`` in ``[start, end)``; a window whose schedule this tool
    does not understand (made by hand) has none, and a warning says so."""
    runs: list[Run] = []
    disabled: list[CalendarWindow] = []
    warnings: list[str] = []
    for window in windows:
        label = f" ({window.where})" if window.where else ""
        try:
            found = runs_between(window.fields, start, end)
        except ScheduleError as exc:  # made by hand, say: status does not read it either
            warnings.append(f"{window.name}{label}: not in the calendar: {exc}")
            continue
        if window.fields.get("Enabled") is False:
            disabled.append(window)
        warnings += [
            f"{window.name}{label}: {w}" for w in found.warnings if not w.startswith("disabled")
        ]
        duration = timedelta(hours=int(window.fields.get("Duration") or 1))
        cutoff = timedelta(hours=int(window.fields.get("Cutoff") or 0))
        for run in found.runs:
            # Instants, not wall times: a run across a clock change still lasts Duration.
            end_at = (run.astimezone(UTC) + duration).astimezone(run.tzinfo)
            stop = (run.astimezone(UTC) + duration - cutoff).astimezone(run.tzinfo)
            runs.append(Run(window, run, end_at, stop))
    runs.sort(key=lambda r: (r.start.astimezone(UTC), r.window.name, r.window.where or ""))
    return Calendar(
        setup, start, end, tuple(windows), tuple(runs), tuple(disabled), tuple(warnings)
    )
