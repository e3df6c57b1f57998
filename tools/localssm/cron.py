"""Maintenance-window schedules for the SSM stand-in: an independent cron/rate oracle.

cron(...) / rate(...) expressions and IANA time zones are checked as AWS rejects them,
and ``next_execution_time`` computes a window's NextExecutionTime. Standard library
only, and on purpose independent of patchsetup (the code under test computes next runs
too: the stand-in must not share its rules, or a wrong rule would agree with itself).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from functools import cache


class ScheduleError(ValueError):
    """A schedule, time zone or date that AWS would reject (message is AWS-like)."""


@cache
def iana_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(tz: str) -> None:
    if tz not in iana_timezones():
        raise ScheduleError(
            f"Invalid ScheduleTimezone: {tz}. The time zone must be a valid IANA "
            "(Internet Assigned Numbers Authority) time zone, for example "
            '"Etc/UTC" or "America/Los_Angeles".'
        )


_MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}
_RATE_RE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON_RE = re.compile(r"^cron\((.*)\)$")


@dataclass(frozen=True)
class Field:
    """One parsed cron field: allowed values plus special day rules."""

    values: frozenset[int]
    any: bool = False  # '?' (or '*' on a day field): no constraint
    last_dom: bool = False  # 'L' in day-of-month
    last_dom_weekday: bool = False  # 'LW'
    nearest_weekday: tuple[int, ...] = ()  # 'nW'
    last_dow: tuple[int, ...] = ()  # 'nL' in day-of-week
    nth_dow: tuple[tuple[int, int], ...] = ()  # 'n#k'


@dataclass(frozen=True)
class Cron:
    minutes: Field
    hours: Field
    dom: Field
    months: Field
    dow: Field
    years: Field


@dataclass(frozen=True)
class Rate:
    value: int
    unit: str  # minute / hour / day

    @property
    def delta(self) -> dt.timedelta:
        return dt.timedelta(**{f"{self.unit}s": self.value})


def _num(token: str, lo: int, hi: int, names: dict[str, int] | None, what: str) -> int:
    tok = token.upper()
    if names and tok in names:
        return names[tok]
    if not tok.isdigit():
        raise ScheduleError(f"Invalid value {token!r} in the {what} field")
    n = int(tok)
    if not lo <= n <= hi:
        raise ScheduleError(f"Value {n} out of range [{lo}-{hi}] in the {what} field")
    return n


def _parse_field(
    text: str, lo: int, hi: int, what: str, names: dict[str, int] | None = None
) -> Field:
    if text == "?":
        if what not in ("day-of-month", "day-of-week"):
            raise ScheduleError("'?' is only allowed in the day-of-month or day-of-week field")
        return Field(frozenset(), any=True)
    values: set[int] = set()
    last_dom = last_dom_weekday = False
    nearest: list[int] = []
    last_dow: list[int] = []
    nth: list[tuple[int, int]] = []
    for item in text.split(","):
        if not item:
            raise ScheduleError(f"Empty value in the {what} field")
        up = item.upper()
        if what == "day-of-month" and up == "L":
            last_dom = True
            continue
        if what == "day-of-month" and up == "LW":
            last_dom_weekday = True
            continue
        if what == "day-of-month" and up.endswith("W"):
            nearest.append(_num(up[:-1], lo, hi, None, what))
            continue
        if what == "day-of-week" and "#" in up:
            day, _, k = up.partition("#")
            nth.append((_num(day, lo, hi, names, what), _num(k, 1, 5, None, what)))
            continue
        if what == "day-of-week" and up.endswith("L") and len(up) > 1:
            last_dow.append(_num(up[:-1], lo, hi, names, what))
            continue
        rng, slash, step_s = item.partition("/")
        step = _num(step_s, 1, hi, None, what) if slash else 1
        if rng == "*":
            start, end = lo, hi
        elif "-" in rng:
            a, _, b = rng.partition("-")
            start, end = _num(a, lo, hi, names, what), _num(b, lo, hi, names, what)
            if start > end:
                raise ScheduleError(f"Invalid range {rng!r} in the {what} field")
        else:
            start = _num(rng, lo, hi, names, what)
            end = hi if slash else start
        values.update(range(start, end + 1, step))
    return Field(
        frozenset(values),
        last_dom=last_dom,
        last_dom_weekday=last_dom_weekday,
        nearest_weekday=tuple(nearest),
        last_dow=tuple(last_dow),
        nth_dow=tuple(nth),
    )


def parse_schedule(schedule: str) -> Cron | Rate:
    """Parse a maintenance-window schedule, raising ScheduleError as AWS would reject it."""
    m = _RATE_RE.match(schedule)
    if m:
        value, unit = int(m.group(1)), m.group(2).rstrip("s")
        if value < 1:
            raise ScheduleError(f"Invalid rate expression {schedule}: the value must be >= 1")
        return Rate(value, unit)
    m = _CRON_RE.match(schedule)
    if not m:
        raise ScheduleError(
            f"Schedule expression {schedule} is invalid: it must be a cron(...) or rate(...) "
            "expression"
        )
    parts = m.group(1).split()
    if len(parts) != 6:
        raise ScheduleError(
            f"Cron expression {schedule} is invalid: it must have 6 fields "
            "(minutes hours day-of-month month day-of-week year)"
        )
    mi, ho, dom, mon, dow, yr = parts
    if (dom == "?") == (dow == "?"):
        raise ScheduleError(
            f"Cron expression {schedule} is invalid: exactly one of day-of-month and "
            "day-of-week must be '?'"
        )
    try:
        return Cron(
            _parse_field(mi, 0, 59, "minutes"),
            _parse_field(ho, 0, 23, "hours"),
            _parse_field(dom, 1, 31, "day-of-month"),
            _parse_field(mon, 1, 12, "month", _MONTHS),
            _parse_field(dow, 1, 7, "day-of-week", _DAYS),
            _parse_field(yr, 1970, 2199, "year"),
        )
    except ScheduleError as exc:
        raise ScheduleError(f"Cron expression {schedule} is invalid: {exc}") from None


def parse_iso(value: str, field: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ScheduleError(
            f"{field} {value} is invalid: it must be in ISO-8601 Extended format"
        ) from None
    return parsed


def _aware(value: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _days_in_month(year: int, month: int) -> int:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def _aws_dow(day: dt.date) -> int:
    return (day.isoweekday() % 7) + 1  # SUN=1 .. SAT=7


def _nearest_weekday(year: int, month: int, dom: int) -> int:
    last = _days_in_month(year, month)
    dom = min(dom, last)
    wd = dt.date(year, month, dom).weekday()  # MON=0
    if wd == 5:  # Saturday -> Friday, unless that leaves the month
        return dom - 1 if dom > 1 else dom + 2
    if wd == 6:  # Sunday -> Monday, unless that leaves the month
        return dom + 1 if dom < last else dom - 2
    return dom


def _day_matches(cron: Cron, day: dt.date) -> bool:
    if day.year not in cron.years.values or day.month not in cron.months.values:
        return False
    if not cron.dom.any:
        f = cron.dom
        last = _days_in_month(day.year, day.month)
        if day.day in f.values or (f.last_dom and day.day == last):
            return True
        if f.last_dom_weekday and day.day == _nearest_weekday(day.year, day.month, last):
            return True
        return any(day.day == _nearest_weekday(day.year, day.month, n) for n in f.nearest_weekday)
    f = cron.dow
    dow = _aws_dow(day)
    if dow in f.values:
        return True
    last = _days_in_month(day.year, day.month)
    if dow in f.last_dow and day.day + 7 > last:
        return True
    return any(dow == d and (day.day - 1) // 7 + 1 == k for d, k in f.nth_dow)


def format_execution_time(value: dt.datetime) -> str:
    offset = value.utcoffset() or dt.timedelta(0)
    if offset == dt.timedelta(0):
        return value.strftime("%Y-%m-%dT%H:%MZ")
    return (
        value.strftime("%Y-%m-%dT%H:%M") + value.strftime("%z")[:3] + ":" + value.strftime("%z")[3:]
    )


def next_execution_time(
    schedule: str,
    timezone: str | None,
    offset_days: int | None,
    start_date: str | None,
    end_date: str | None,
    anchor: dt.datetime,
    now: dt.datetime,
) -> str | None:
    """The window's next run (ISO-8601 in its time zone), or None when there is none."""
    try:
        tz: dt.tzinfo = zoneinfo.ZoneInfo(timezone) if timezone else dt.UTC
        parsed = parse_schedule(schedule)
        start = _aware(parse_iso(start_date, "StartDate"), tz) if start_date else None
        end = _aware(parse_iso(end_date, "EndDate"), tz) if end_date else None
    except (ScheduleError, zoneinfo.ZoneInfoNotFoundError):
        return None
    earliest = max(now, start) if start else now
    result: dt.datetime | None = None
    if isinstance(parsed, Rate):
        base = start or anchor
        steps = max(0, int((earliest - base) / parsed.delta) + 1) if earliest > base else 0
        result = (base + parsed.delta * steps).astimezone(tz)
    else:
        shift = dt.timedelta(days=offset_days or 0)
        local_earliest = (earliest - shift).astimezone(tz)
        day = local_earliest.date()
        hours = sorted(parsed.hours.values)
        minutes = sorted(parsed.minutes.values)
        for _ in range(366 * 6):
            if day.year not in parsed.years.values:
                later = [y for y in parsed.years.values if y > day.year]
                if not later:
                    break
                day = dt.date(min(later), 1, 1)
            if _day_matches(parsed, day):
                for hour in hours:
                    for minute in minutes:
                        candidate = dt.datetime(
                            day.year, day.month, day.day, hour, minute, tzinfo=tz
                        )
                        if candidate + shift > earliest:
                            result = candidate + shift
                            break
                    if result:
                        break
            if result:
                break
            day += dt.timedelta(days=1)
    if result is None or (end is not None and result > end):
        return None
    return format_execution_time(result)
