"""``calendar`` through the real CLI: from a config (no AWS request), and from what is
deployed (apply, then calendar) beside the replaced tool's, hand-made and another
setup's windows, in several regions and through a role. Every .ics is parsed with
icalendar and its events compared with the schedule module's runs."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from dateutil.relativedelta import relativedelta

from patchsetup.calendars import events
from patchsetup.calendars.events import CalendarWindow
from patchsetup.config import load_config
from patchsetup.schedule.window_runs import runs_between
from tests.helpers.account import snapshot
from tests.helpers.cli import (
    JSON,
    KITCHEN_HOOKS,
    ONE_WINDOW,
    assert_one_line_error,
    cli_env,
    make_documents,
    ok_json,
    run,
    setup,
)
from tests.helpers.oldtool import make_window, old_tool_setup
from tests.helpers.paths import DATA, EXAMPLES

KITCHEN = DATA / "kitchen-sink.toml"
START = "2027-01-01"
BEGIN = datetime(2027, 1, 1, tzinfo=UTC)
ROLE = "arn:aws:iam::333333333333:role/ops/calendar"


@pytest.fixture
def silent() -> Iterator[tuple[str, socket.socket]]:
    """An endpoint URL that answers nothing: a listening socket no request may reach."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", listener
    finally:
        listener.close()


def _untouched(listener: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody connected: no AWS request was made


def _events(text: str) -> list[Any]:
    parsed = icalendar.Calendar.from_ical(text)
    assert str(parsed["VERSION"]) == "2.0"
    found: list[Any] = parsed.walk("VEVENT")
    return found


def _starts(found: list[Any]) -> list[datetime]:
    return [e.decoded("DTSTART").astimezone(UTC) for e in found]


def _expected(name: str, windows: list[CalendarWindow], months: int) -> list[tuple[datetime, str]]:
    """The schedule module's runs of ``windows`` from BEGIN, as (UTC start, UID)."""
    end = BEGIN + relativedelta(months=months)
    return sorted(
        (run.astimezone(UTC), events.uid(name, w, run))
        for w in windows
        for run in runs_between(w.fields, BEGIN, end).runs
    )


def test_from_a_config_no_aws_request_is_made(silent: Any, tmp_path: Path) -> None:
    url, listener = silent
    out = tmp_path / "kitchen.ics"
    args = ("calendar", "--config", str(KITCHEN), "--format", "ics", "--start", START)
    result = run(url, "ssm-patching-setup", *args, "--months", "24", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "wrote " in result.stderr
    _untouched(listener)
    every = _events(out.read_text(encoding="utf-8"))
    windows = events.from_setup(load_config(KITCHEN))
    want = _expected("kitchen", windows, 24)
    assert sorted((s, str(e["UID"])) for s, e in zip(_starts(every), every, strict=True)) == want
    # The disabled window has no event; the daily scan one a day (two years, one leap day).
    assert {str(e["SUMMARY"]) for e in every} == {"last-friday", "kitchen-daily-scan"}
    assert sum(str(e["SUMMARY"]) == "kitchen-daily-scan" for e in every) == 365 + 366
    # last-friday: 22:30 New York on the last Friday, a day later, from StartDate; EndDate
    # (2028-12-31T00:00Z) cuts the last one (2028-12-30 22:30 EST is 12-31 03:30Z).
    found = [e for e in every if str(e["SUMMARY"]) == "last-friday"]
    assert len(found) == 23
    assert {e["DTSTART"].params["TZID"] for e in every} == {"America/New_York"}
    assert all(e.decoded("DTSTART").strftime("%a %H:%M") == "Sat 22:30" for e in found)
    ends = [e.decoded("DTEND") - e.decoded("DTSTART") for e in found]
    assert set(ends) == {timedelta(hours=3)}
    description = str(found[0]["DESCRIPTION"])
    assert "Last Friday, plus one day" in description
    assert "PatchGroup = web" in description and "cutoff 1 h" in description
    # Flag mode, as export: no request either, and the same runs as the schedule module's.
    flags = run(url, "ssm-patching-setup", "calendar", *ONE_WINDOW, "--format", "ics")
    assert flags.returncode == 0, flags.stderr
    _untouched(listener)
    assert len(_events(flags.stdout)) == 3


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_example_config_makes_a_calendar_of_its_runs(silent: Any, example: Path) -> None:
    url, listener = silent
    args = ("--config", str(example), "--format", "ics", "--start", START, "--months", "6")
    result = run(url, "ssm-patching-setup", "calendar", *args)
    assert result.returncode == 0, result.stderr
    _untouched(listener)
    setup_ = load_config(example)
    end = BEGIN + relativedelta(months=6)
    want = sorted(
        run.astimezone(UTC)
        for w in events.from_setup(setup_)
        for run in runs_between(w.fields, BEGIN, end).runs
    )
    found = _events(result.stdout)
    assert want and sorted(_starts(found)) == want


TEXT_VIEW = """\
calendar of setup 'default': 2027-03-01 to 2027-03-31 (UTC), 1 run of 1 window
* marks a day a window runs (in the window's time zone); weeks start on Monday

        March 2027
Mo  Tu  We  Th  Fr  Sa  Su
 1   2*  3   4   5   6   7
 8   9  10  11  12  13  14
15  16  17  18  19  20  21
22  23  24  25  26  27  28
29  30  31

runs (local time in the window's time zone; = the same in UTC):
  Tue 2027-03-02 03:00-04:00 America/New_York (EST)  = 08:00-09:00 UTC  Week1Day2Unattended0300
"""


def test_the_text_view_with_a_fixed_start(silent: Any) -> None:
    url, listener = silent
    args = ("calendar", *ONE_WINDOW, "-z", "America/New_York", "--start", "2027-03-01")
    result = run(url, "ssm-patching-setup", *args, "--months", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout == TEXT_VIEW
    # Berlin's clocks go back at 03:00 on 2027-10-31: a run at 02:00 ends at 02:00 again.
    dst = ("calendar", "-w", "5", "-d", "7", "-t", "2", "-z", "Europe/Berlin", "--months", "1")
    back = run(url, "ssm-patching-setup", *dst, "--start", "2027-10-01")
    assert back.returncode == 0, back.stderr
    assert back.stdout.endswith(
        "  Sun 2027-10-31 02:00-02:00 Europe/Berlin (CEST-CET)  = 00:00-01:00 UTC  "
        "Week5Day7Unattended0200\n"
    )
    assert "happens twice in Europe/Berlin" in back.stderr
    kitchen = run(url, "ssm-patching-setup", "calendar", "--config", str(KITCHEN), "--start", START)
    assert kitchen.returncode == 0, kitchen.stderr
    assert (
        "  Sat 2027-01-30 22:30-01:30 America/New_York (EST)  = Sun 03:30-06:30 UTC  last-friday\n"
        in kitchen.stdout
    )
    assert kitchen.stdout.rstrip().endswith(
        "not in the calendar: disabled is disabled (enabled = false)"
    )
    _untouched(listener)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--months", "0"), ("--months", "1<=x<=24")),
        (("--months", "25"), ("--months", "25 is not in the range 1<=x<=24")),
        (("--start", "2027-02-30"), ("--start", "2027-02-30")),
        (("--start", "next week"), ("--start", "YYYY-MM-DD")),
        (("-o", "/nonexistent/dir/x.ics"), ("-o/--output-file", "not a directory")),
        (("-o", "/"), ("--output-file", "is a directory")),
        (("--config", str(KITCHEN), "-r", "eu-west-1"), ("-r/--region", "one or the other")),
        (("--format", "pdf"), ("--format", "'pdf' is not one of 'text', 'ics'")),
        (("--start", "2027-13-01"), ("--start", "month must be in 1..12")),
        (("-w", "1", "--role-arn", ROLE), ("--role-arn", "one or the other")),
    ],
)
def test_bad_input_is_one_line_and_exit_2_before_any_call(
    silent: Any, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    url, listener = silent
    assert_one_line_error(run(url, "ssm-patching-setup", "calendar", *args), 2, *words)
    _untouched(listener)


def _calendar(url: str, *args: str) -> list[Any]:
    result = setup(url, "calendar", "--format", "ics", "--start", START, *args)
    assert result.returncode == 0, result.stderr
    return _events(result.stdout)


def test_from_what_is_deployed_only_this_setups_windows(aws: Any, ssm: Any) -> None:
    old_tool_setup(ssm, weeks=(3,), days=(4,), hours=(5,))  # the replaced tool's, untagged
    make_window(ssm, "by-hand-window", "AWS-RunPatchBaseline")
    ok_json(setup(aws.url, *JSON, *ONE_WINDOW))
    ok_json(setup(aws.url, *JSON, "-w", "2", "-d", "5", "-t", "6", "--name", "other"))
    before = snapshot(aws.url)
    found = _calendar(aws.url, "-r", "us-east-1")
    assert snapshot(aws.url) == before  # read-only
    assert {str(e["SUMMARY"]) for e in found} == {"Week1Day2Unattended0300"}
    window = CalendarWindow("Week1Day2Unattended0300", {}, region="us-east-1")
    assert [str(e["UID"]) for e in found] == [
        events.uid("default", window, s) for s in _starts(found)
    ]
    assert _starts(found) == [
        datetime(2027, 1, 5, 3, tzinfo=UTC),
        datetime(2027, 2, 2, 3, tzinfo=UTC),
        datetime(2027, 3, 2, 3, tzinfo=UTC),
    ]
    assert {str(e["LOCATION"]) for e in found} == {"us-east-1"}
    assert "Patch Group = Week 1 Day 2 - Unattended - 03:00" in str(found[0]["DESCRIPTION"])
    assert "Operation: Install" in str(found[0]["DESCRIPTION"])
    again = _calendar(aws.url, "-r", "us-east-1")
    assert [str(e["UID"]) for e in again] == [str(e["UID"]) for e in found]  # stable
    other = _calendar(aws.url, "-r", "us-east-1", "--name", "other")
    assert {str(e["SUMMARY"]) for e in other} == {"Week2Day5Unattended0600"}
    assert len(other) == 3
    nothing = setup(aws.url, "calendar", "--name", "nobody", "--start", START)
    assert nothing.returncode == 0 and "0 runs of 0 windows" in nothing.stdout


def test_deployed_kitchen_sink_has_the_configs_runs(aws: Any) -> None:
    make_documents(aws.url, *KITCHEN_HOOKS)
    ok_json(setup(aws.url, *JSON, "--config", str(KITCHEN)))
    deployed = _calendar(aws.url, "--name", "kitchen", "--months", "24")
    from_config = _calendar(aws.url, "--config", str(KITCHEN), "--months", "24")
    assert len(deployed) == 754 and sum(str(e["SUMMARY"]) == "last-friday" for e in deployed) == 23
    assert _starts(deployed) == _starts(from_config)
    assert [e.decoded("DTEND") for e in deployed] == [e.decoded("DTEND") for e in from_config]
    # A config does not know the region: its UIDs differ from the deployed ones'.
    assert {str(e["UID"]) for e in deployed}.isdisjoint(str(e["UID"]) for e in from_config)


def test_one_calendar_over_regions_and_accounts(aws: Any) -> None:
    ok_json(setup(aws.url, *JSON, *ONE_WINDOW, "-r", "us-east-1,eu-west-1"))
    ok_json(setup(aws.url, *JSON, *ONE_WINDOW, "-r", "us-east-1", "--role-arn", ROLE))
    found = _calendar(aws.url, "-r", "us-east-1,eu-west-1")
    assert len(found) == 6
    assert {str(e["SUMMARY"]) for e in found} == {
        "Week1Day2Unattended0300 (us-east-1)",
        "Week1Day2Unattended0300 (eu-west-1)",
    }
    assert len({str(e["UID"]) for e in found}) == 6
    # The same instants in both regions, each region's its own event.
    starts = _starts(found)
    assert len(set(starts)) == 3 and sorted(starts) == sorted([*set(starts)] * 2)
    through = _calendar(aws.url, "-r", "us-east-1", "--role-arn", ROLE)
    assert {str(e["LOCATION"]) for e in through} == {"333333333333/us-east-1"}
    assert {str(e["UID"]) for e in through}.isdisjoint(str(e["UID"]) for e in found)
    text = setup(aws.url, "calendar", "-r", "us-east-1,eu-west-1", "--start", START)
    assert text.returncode == 0, text.stderr
    assert "2027-01-05 03:00-04:00 UTC  Week1Day2Unattended0300  [eu-west-1]" in text.stdout
    assert "2027-01-05 03:00-04:00 UTC  Week1Day2Unattended0300  [us-east-1]" in text.stdout


def test_an_unreachable_region_fails_in_one_line(aws: Any) -> None:
    # One attempt: the retries' backoff (11 attempts) would only make the test slow.
    env = cli_env("http://127.0.0.1:9", AWS_MAX_ATTEMPTS="1")
    result = run(aws.url, "ssm-patching-setup", "calendar", "-r", "us-east-1", env=env)
    assert result.returncode == 1, result.stderr
    assert_one_line_error(result, 1)
