"""The calendar's events and its .ics, parsed with a real iCalendar parser (icalendar).

Every event must be a run the schedule module gives for the same window
(``schedule.window_runs``): DST gaps and overlaps, ScheduleOffset, StartDate/EndDate,
Enabled. The VTIMEZONEs must carry tzdata's offsets on both sides of each change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from patchsetup.calendars import events, ics
from patchsetup.calendars.events import CalendarWindow
from patchsetup.model import Setup, TargetSpec, TaskSpec, WindowSpec
from patchsetup.schedule.runs import next_runs
from patchsetup.schedule.window_runs import runs_between, upcoming
from patchsetup.schedule.zones import transitions

START = datetime(2027, 1, 1, tzinfo=UTC)
END = datetime(2028, 1, 1, tzinfo=UTC)
STAMP = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _window(name: str, schedule: str, zone: str | None = None, **kw: Any) -> CalendarWindow:
    spec = WindowSpec(
        name,
        schedule,
        timezone=zone,
        targets=(TargetSpec(f"{name}Targets", (("tag:Patch Group", (f"{name} group",)),)),),
        tasks=(TaskSpec(f"{name}Patch", (f"{name}Targets",)),),
        **kw,
    )
    return events.from_setup(Setup("cal", windows=(spec,)))[0]


#: The DST cases: 02:30 on the spring-forward and fall-back Sundays, an offset, dates, UTC.
CASES = {
    "berlin-0230-sundays": _window("Berlin0230", "cron(30 02 ? * SUN *)", "Europe/Berlin"),
    "new-york-0230-daily": _window("NewYork0230", "cron(30 02 * * ? *)", "America/New_York"),
    "offset-patch-tuesday": _window(
        "PatchTuesdayPlus2", "cron(0 23 ? * TUE#2 *)", "America/New_York", schedule_offset=2
    ),
    "start-end-dates": _window(
        "Bounded",
        "cron(0 4 ? * MON *)",
        "Europe/Berlin",
        start_date="2027-03-10T00:00:00",
        end_date="2027-06-07T04:00:00",
        duration=3,
    ),
    "utc": _window("Utc0300", "cron(00 03 ? * TUE#1 *)", duration=2, cutoff=1),
}


def _parse(text: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(text)


def _instant(event: Any, prop: str, zones: dict[str, Any]) -> datetime:
    """The event's time as an instant, its TZID resolved through the file's own VTIMEZONE."""
    value = event[prop]
    moment: datetime = value.dt
    tzid = value.params.get("TZID")
    if tzid is None:
        assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
        return moment
    # RFC 5545 3.3.5: a local time that happens twice means its first occurrence. Resolved
    # here by the rule, from the file's own offsets, not by a library's fold handling.
    local, zone = moment.replace(tzinfo=None, fold=0), zones[tzid]
    offsets = {local.replace(tzinfo=zone, fold=f).utcoffset() for f in (0, 1)}
    candidates = [(local - offset).replace(tzinfo=UTC) for offset in offsets if offset is not None]
    real = [c for c in candidates if c.astimezone(zone).replace(tzinfo=None) == local]
    assert real, f"{local} does not exist in {tzid}: no run is written at such a time"
    return min(real)


def _file_zones(calendar: icalendar.Calendar) -> dict[str, Any]:
    return {str(tz["TZID"]): tz.to_tz(lookup_tzid=False) for tz in calendar.walk("VTIMEZONE")}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_events_are_the_schedule_modules_runs(case: str) -> None:
    window = CASES[case]
    built = events.build("cal", [window], START, END)
    parsed = _parse(ics.render(built, STAMP))
    zones = _file_zones(parsed)
    found = parsed.walk("VEVENT")
    # The schedule module's own answer: the next runs after the start, up to the end.
    want = [r for r in upcoming(window.fields, START, 400).runs if r < END]
    assert want, case
    assert [_instant(e, "DTSTART", zones) for e in found] == [r.astimezone(UTC) for r in want]
    hours = timedelta(hours=int(window.fields["Duration"]))
    assert [_instant(e, "DTEND", zones) for e in found] == [r.astimezone(UTC) + hours for r in want]
    tzids = {e["DTSTART"].params.get("TZID") for e in found}
    assert tzids == {window.timezone} if window.timezone else {None}
    assert set(zones) == ({window.timezone} if window.timezone else set())
    assert [str(e["UID"]) for e in found] == [events.uid("cal", window, r) for r in want]
    assert len({str(e["UID"]) for e in found}) == len(found)
    assert {str(e["SUMMARY"]) for e in found} == {window.name}


def test_the_dst_runs_land_where_tzdata_puts_them() -> None:
    runs = runs_between(CASES["berlin-0230-sundays"].fields, START, END).runs
    by_day = {r.date(): r.astimezone(UTC) for r in runs}
    # 2027-03-28: 02:30 does not exist in Berlin; the run moves on by the gap (03:30 CEST).
    assert by_day[datetime(2027, 3, 28).date()] == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    # 2027-10-31: 02:30 happens twice; the first one (CEST) runs, once.
    assert by_day[datetime(2027, 10, 31).date()] == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert sum(1 for r in runs if r.date() == datetime(2027, 10, 31).date()) == 1
    # It ends at 02:30 again (CET), which a local time cannot say: that end is in UTC.
    text = ics.render(events.build("cal", [CASES["berlin-0230-sundays"]], START, END), STAMP)
    assert "DTSTART;TZID=Europe/Berlin:20271031T023000\r\nDTEND:20271031T013000Z\r\n" in text
    new_york = runs_between(CASES["new-york-0230-daily"].fields, START, END).runs
    spring = [r for r in new_york if r.date() == datetime(2027, 3, 14).date()]
    assert [r.astimezone(UTC) for r in spring] == [datetime(2027, 3, 14, 7, 30, tzinfo=UTC)]
    assert len(new_york) == 365


def test_runs_between_counts_a_run_at_the_start_and_none_at_the_end() -> None:
    fields = CASES["utc"].fields
    first = datetime(2027, 1, 5, 3, 0, tzinfo=UTC)  # the first Tuesday of January, 03:00
    assert runs_between(fields, first, first + timedelta(days=1)).runs == (first,)
    assert runs_between(fields, first - timedelta(days=1), first).runs == ()


def test_the_offset_counts_occurrences_after_the_start_only() -> None:
    fields = CASES["offset-patch-tuesday"].fields
    runs = runs_between(fields, START, END).runs
    # The schedule module's next_runs with the offset, directly.
    assert list(runs) == next_runs("cron(0 23 ? * TUE#2 *)", "America/New_York", 12, START, 2)
    assert all(r.strftime("%a %H:%M") == "Thu 23:00" for r in runs)


def test_start_and_end_dates_cut_the_range() -> None:
    runs = runs_between(CASES["start-end-dates"].fields, START, END).runs
    assert runs[0] == datetime(2027, 3, 15, 4, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert runs[-1] == datetime(2027, 6, 7, 4, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert len(runs) == 13


def test_a_disabled_window_has_no_events_and_is_named() -> None:
    window = _window("Off", "cron(0 3 ? * MON *)", enabled=False)
    built = events.build("cal", [window, CASES["utc"]], START, END)
    assert built.disabled == (window,)
    parsed = _parse(ics.render(built, STAMP))
    assert {str(e["SUMMARY"]) for e in parsed.walk("VEVENT")} == {"Utc0300"}


def test_many_runs_are_capped_with_a_warning() -> None:
    window = _window("Often", "rate(5 minutes)")
    found = runs_between(window.fields, START, START + timedelta(days=30), most=100)
    assert len(found.runs) == 100
    assert found.warnings[-1] == "more than 100 runs in the period: only the first 100"


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Tokyo"]
)
def test_each_vtimezone_has_tzdatas_offsets_on_both_sides_of_each_change(zone: str) -> None:
    start, end = datetime(2026, 12, 1, tzinfo=UTC), datetime(2028, 12, 1, tzinfo=UTC)
    window = _window("Zoned", "cron(0 12 ? * MON *)", zone)
    parsed = _parse(ics.render(events.build("cal", [window], start, end), STAMP))
    (vtimezone,) = parsed.walk("VTIMEZONE")
    from_file, real = vtimezone.to_tz(lookup_tzid=False), ZoneInfo(zone)
    changes = transitions(real, start, end)
    assert len(changes) == (0 if zone == "Asia/Tokyo" else 4)
    instants = [c.at + d for c in changes for d in (timedelta(seconds=-1), timedelta(0))]
    instants += [start + timedelta(days=n, hours=12) for n in range(0, 731, 7)]
    for instant in instants:
        assert instant.astimezone(from_file).utcoffset() == instant.astimezone(real).utcoffset()
    kinds = [c.name for c in vtimezone.subcomponents]
    assert kinds[0] in ("STANDARD", "DAYLIGHT") and len(kinds) == 1 + len(changes)


def test_uids_are_stable_between_runs_and_distinct_between_windows_and_places() -> None:
    window = CASES["utc"]
    one = _parse(ics.render(events.build("cal", [window], START, END), STAMP))
    # Another day, another period that overlaps: the same run keeps its UID.
    later = STAMP + timedelta(days=20)
    two = _parse(ics.render(events.build("cal", [window], START + timedelta(days=20), END), later))
    uids_one = {str(e["UID"]): e for e in one.walk("VEVENT")}
    uids_two = {str(e["UID"]) for e in two.walk("VEVENT")}
    assert uids_two < set(uids_one) and len(uids_two) == len(uids_one) - 1
    places = [
        window,
        replace(window, region="eu-west-1"),
        replace(window, region="us-east-1"),
        replace(window, region="eu-west-1", account="123456789012"),
        replace(window, name="Utc0300b"),
    ]
    run = datetime(2027, 1, 5, 3, 0, tzinfo=UTC)
    uids = [events.uid("cal", w, run) for w in places] + [events.uid("other", window, run)]
    assert len(set(uids)) == len(uids)


def test_long_lines_are_folded_and_text_is_escaped() -> None:
    groups = ("Week 1, Tuesday; prod\\db", "Gruppe für Straßen-Server " * 6)
    window = CalendarWindow(
        "Name, with; commas",
        {**CASES["utc"].fields, "Description": "Line one\nline two, with a comma; a semi"},
        targets=tuple(f"Patch Group = {g}" for g in groups),
        operations=("Scan",),
        region="eu-west-1",
    )
    text = ics.render(events.build("cal", [window], START, START + timedelta(days=40)), STAMP)
    assert "\n" not in text.replace("\r\n", "")
    raw = text.encode("utf-8").split(b"\r\n")
    assert raw[-1] == b"" and all(len(line) <= 75 for line in raw)
    assert any(line.startswith(b" ") for line in raw)  # something was folded
    assert "SUMMARY:Name\\, with\\; commas\r\n" in text
    (event, *_rest) = _parse(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Name, with; commas"
    description = str(event["DESCRIPTION"])
    assert "Line one\nline two, with a comma; a semi" in description
    assert f"Targets: Patch Group = {groups[0]}; Patch Group = {groups[1]}" in description
    assert "Operation: Scan" in description
    assert (
        "Runs 03:00-05:00 UTC, 2 h; cutoff 1 h: no new task starts after 04:00 UTC" in description
    )


def test_the_calendar_has_the_required_properties() -> None:
    parsed = _parse(ics.render(events.build("cal", [CASES["utc"]], START, END), STAMP))
    assert str(parsed["VERSION"]) == "2.0"
    assert str(parsed["PRODID"]).startswith("-//ssm-patching-setup//")
    assert str(parsed["CALSCALE"]) == "GREGORIAN"
    for event in parsed.walk("VEVENT"):
        assert event["DTSTAMP"].dt == STAMP
