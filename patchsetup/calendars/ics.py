"""A calendar as an iCalendar file (RFC 5545): one VEVENT per run, a VTIMEZONE per zone.

Pure. Each event's DTSTART and DTEND are local times with the window's IANA zone as
TZID (a UTC window's are UTC times, ``...Z``, and so is the second of a wall time that
happens twice, which a local time cannot name), and each zone used gets a VTIMEZONE
generated from tzdata for the period, every clock change in it an observance of its
own, so a client needs no zone database of its own. UIDs come from
``events.uid``: the same run keeps its UID, and importing again updates the event.
Lines are folded at 75 octets and end in CRLF; text values are escaped (3.3.11).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from patchsetup import __version__
from patchsetup.calendars.events import Calendar, Run, in_words, is_utc, uid
from patchsetup.schedule.zones import Transition, transitions

PRODID = f"-//ssm-patching-setup//calendar {__version__}//EN"
CRLF = "\r\n"
#: RFC 5545 3.1: "Lines of text SHOULD NOT be longer than 75 octets, excluding the line break."
LINE_OCTETS = 75

#: How far before the period the observance in force at its start is looked for.
_LOOK_BACK = timedelta(days=400)


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """One content line folded at 75 octets (3.1), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    parts: list[str] = []
    limit = LINE_OCTETS
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # a continuation byte: cut earlier
            cut -= 1
        parts.append(data[:cut].decode("utf-8"))
        data = data[cut:]
        limit = LINE_OCTETS - 1  # the continuation line's leading space is an octet too
    parts.append(data.decode("utf-8"))
    return (CRLF + " ").join(parts)


def _stamp(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _when(prop: str, moment: datetime, zone: str | None) -> str:
    """DTSTART/DTEND: a local time in the window's zone with its TZID, or a UTC time.

    UTC for a UTC window, and for the second of a wall time that happens twice (the hour
    a clock goes back): a local time means its first occurrence (RFC 5545 3.3.5), so
    the end of a run that starts at 02:30 on that night, 02:30 again, cannot be local.
    """
    if is_utc(zone):
        return f"{prop}:{_stamp(moment)}"
    local = moment.astimezone(ZoneInfo(str(zone)))
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return f"{prop}:{_stamp(moment)}"
    return f"{prop};TZID={zone}:{local:%Y%m%dT%H%M%S}"


def _offset(delta: timedelta) -> str:
    """A UTC offset as RFC 5545 writes it: +HHMM, or +HHMMSS (never -0000)."""
    sign = "-" if delta < timedelta(0) else "+"
    seconds = abs(int(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _observance(zone: ZoneInfo, change: Transition) -> list[str]:
    """One onset of an offset: STANDARD or DAYLIGHT, its DTSTART in the old offset's time."""
    after = change.at.astimezone(zone)
    kind = "DAYLIGHT" if after.dst() else "STANDARD"
    onset = change.at.replace(tzinfo=None) + change.before
    return [
        f"BEGIN:{kind}",
        f"DTSTART:{onset:%Y%m%dT%H%M%S}",
        f"TZOFFSETFROM:{_offset(change.before)}",
        f"TZOFFSETTO:{_offset(change.after)}",
        f"TZNAME:{escape(after.tzname() or _offset(change.after))}",
        f"END:{kind}",
    ]


def vtimezone(name: str, start: datetime, end: datetime) -> list[str]:
    """The VTIMEZONE of ``name`` for ``[start, end)``: the observance in force at the start
    and one for every clock change up to the end, offsets from tzdata."""
    zone = ZoneInfo(name)
    earlier = transitions(zone, start - _LOOK_BACK, start)
    if earlier:
        first = earlier[-1]
    else:  # no change for over a year (or ever): the offset at the start, from the start
        offset = start.astimezone(zone).utcoffset() or timedelta(0)
        first = Transition(start.astimezone(UTC).replace(microsecond=0), offset, offset)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}"]
    for change in (first, *transitions(zone, start, end)):
        lines += _observance(zone, change)
    return [*lines, "END:VTIMEZONE"]


def _description(calendar: Calendar, run: Run) -> str:
    window = run.window
    fields = window.fields
    zone = window.timezone or "UTC"
    lines = [f"Maintenance window {window.name} of setup {calendar.setup!r}"]
    if fields.get("Description"):
        lines.append(str(fields["Description"]))
    if window.where:
        lines.append(f"Where: {window.where}")
    lines.append(f"Schedule: {fields.get('Schedule')}, {in_words(window)}")
    cutoff = int(fields.get("Cutoff") or 0)
    in_utc = f"{run.start.astimezone(UTC):%H:%M}-{run.end.astimezone(UTC):%H:%M} UTC"
    lines.append(
        f"Runs {run.start:%H:%M}-{run.end:%H:%M} {zone}"
        + ("" if is_utc(window.timezone) else f" ({in_utc})")
        + f", {fields.get('Duration')} h; cutoff {cutoff} h: no new task starts after "
        f"{run.cutoff:%H:%M} {zone}"
    )
    lines.append("Targets: " + ("; ".join(window.targets) or "none registered"))
    operations = " and ".join(window.operations) or "no patching task"
    lines.append(f"Operation: {operations}")
    return "\n".join(lines)


def _event(calendar: Calendar, run: Run, stamp: datetime, several: bool) -> list[str]:
    window = run.window
    summary = f"{window.name} ({window.where})" if several and window.where else window.name
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid(calendar.setup, run.window, run.start)}",
        f"DTSTAMP:{_stamp(stamp)}",
        _when("DTSTART", run.start, window.timezone),
        _when("DTEND", run.end, window.timezone),
        f"SUMMARY:{escape(summary)}",
        f"DESCRIPTION:{escape(_description(calendar, run))}",
    ]
    if window.where:
        lines.append(f"LOCATION:{escape(window.where)}")
    return [*lines, "TRANSP:OPAQUE", "END:VEVENT"]


def _lines(calendar: Calendar, stamp: datetime) -> Iterator[str]:
    yield from (
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(f'ssm-patching-setup {calendar.setup}')}",
    )
    zones = sorted({str(r.window.timezone) for r in calendar.runs if not is_utc(r.window.timezone)})
    # The period, and a day more: a run that starts before the end may end after it.
    for zone in zones:
        yield from vtimezone(zone, calendar.start, calendar.end + timedelta(days=1))
    several = len({w.where for w in calendar.windows}) > 1
    for run in calendar.runs:
        yield from _event(calendar, run, stamp, several)
    yield "END:VCALENDAR"


def render(calendar: Calendar, stamp: datetime) -> str:
    """The iCalendar text; ``stamp`` is DTSTAMP (when the file was made)."""
    return "".join(fold(line) + CRLF for line in _lines(calendar, stamp))
