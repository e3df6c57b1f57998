"""Time zones: names, wall times as instants, clock changes, and start and end dates.

Pure. A window's StartDate and EndDate mean the same everywhere through
:func:`window_date`: a date-time without an offset is in the window's own time zone.
``zoneinfo`` is imported by the functions that name a zone: loading it finds tzdata
(through ``sysconfig``), which a schedule in UTC, SSM's default, never needs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import timezone as FixedOffset

from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.names import join


@functools.lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    """All IANA zone names tzdata knows (cached: listing them walks the package)."""
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


def _zone(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def validate_timezone(name: str) -> str:
    """Check an IANA time zone name against tzdata and return it unchanged.

    Raises ScheduleError with close matches (by spelling, or the same name in another
    letter case) when the name is unknown.
    """
    zones = _zone_names()
    if name in zones:
        return name
    by_case = {zone.lower(): zone for zone in zones}
    suggestions: list[str] = []
    if name.strip().lower() in by_case:
        suggestions.append(by_case[name.strip().lower()])
    import difflib  # only to word a refusal

    suggestions += [
        zone
        for zone in difflib.get_close_matches(name, sorted(zones), n=3, cutoff=0.6)
        if zone not in suggestions
    ]
    hint = (
        f"did you mean {join(suggestions, 'or')}?"
        if suggestions
        else "use an IANA name such as Europe/London or America/New_York"
    )
    raise ScheduleError(f"unknown time zone {name!r}: {hint}")


def tzinfo_for(timezone: str | None) -> tzinfo:
    """Return the tzinfo for a schedule time zone; SSM uses UTC when none is set."""
    if timezone is None:
        return UTC
    return _zone(validate_timezone(timezone))


def utc_instant(local: datetime, zone: tzinfo) -> datetime:
    """Return the UTC instant of a naive wall time in ``zone``.

    fold=0 (PEP 495): a time repeated by a backward clock change is taken at its first
    occurrence; a time skipped by a forward change is moved later by the gap's length.
    """
    return local.replace(tzinfo=zone).astimezone(UTC)


def exists(moment: datetime) -> bool:
    """Whether an aware wall time happens in its zone: not in a forward clock change's gap.

    PEP 495: a wall time in the gap (fold 0 takes the offset before the change) comes
    back from UTC as another wall time. dateutil's ``tz.datetime_exists`` does the same
    round trip; this one spares the commands dateutil.tz's import.
    """
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


def repeats(moment: datetime) -> bool:
    """Whether an aware wall time happens twice: in a backward clock change's overlap,
    where its two folds (PEP 495) have different UTC offsets."""
    return moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset()


def window_date(text: str, timezone: str | None) -> datetime:
    """A window's StartDate/EndDate as an aware instant.

    A date-time without an offset is read in the window's own time zone (UTC when
    it has none): what an operator who writes ``start_date = 2027-01-04T00:00:00``
    next to ``timezone = "Europe/Zurich"`` means. Every reader of these dates uses
    this function, so the config check, the plan's next runs and status agree.
    """
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=_zone(timezone) if timezone else UTC)


@dataclass(frozen=True)
class Transition:
    """One clock change: the first instant (UTC) of the new offset, and both offsets."""

    at: datetime
    before: timedelta
    after: timedelta

    @property
    def window(self) -> tuple[datetime, datetime]:
        """The naive local wall times that are skipped (gap) or repeated (overlap)."""
        utc = self.at.replace(tzinfo=None)
        low, high = sorted((utc + self.before, utc + self.after))
        return low, high


def _offset_at(instant: datetime, zone: tzinfo) -> timedelta:
    """Return the zone's UTC offset at a UTC instant."""
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None  # an aware datetime always has one
    return offset


@functools.lru_cache(maxsize=64)
def transitions(zone: tzinfo, start: datetime, end: datetime) -> tuple[Transition, ...]:
    """Find the clock changes of ``zone`` between two UTC instants.

    Cached: a run asks the same for every window in the same zone.
    """
    if isinstance(zone, FixedOffset):
        return ()  # a fixed offset (UTC when no zone is set) never changes
    found: list[Transition] = []
    low = start
    low_offset = _offset_at(low, zone)
    while low < end:
        high = min(low + timedelta(days=1), end)
        high_offset = _offset_at(high, zone)
        if high_offset != low_offset:
            # Bisect to the second: zoneinfo doesn't expose its transition list.
            a, b = low, high
            while b - a > timedelta(seconds=1):
                middle = a + (b - a) / 2
                if _offset_at(middle, zone) == low_offset:
                    a = middle
                else:
                    b = middle
            found.append(Transition(b.replace(microsecond=0), low_offset, high_offset))
        low, low_offset = high, high_offset
    return tuple(found)
