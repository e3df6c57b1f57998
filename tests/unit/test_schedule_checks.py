"""Tests for patchsetup.schedule: validation of expressions and time zones, and the
descriptions in words.

Expected dates are checked by hand against a calendar, or computed here by brute force
(walking day by day with the standard library), never copied from the implementation.
"""

from __future__ import annotations

import pytest

from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.expressions import validate_expression
from patchsetup.schedule.words import describe
from patchsetup.schedule.zones import validate_timezone

# --------------------------------------------------------------------------- validation

REFERENCE_EXAMPLES = [
    # Maintenance-window examples from the SSM cron and rate reference.
    "cron(0 2 ? * THU#3 *)",
    "cron(15 10 ? * * *)",
    "cron(15 10 ? * MON-FRI *)",
    "cron(0 2 L * ? *)",
    "cron(15 10 ? * 6L *)",
    "cron(30 09 ? * * *)",
    "cron(24 30 09 ? * * *)",
    "cron(0 16 ? * TUE *)",
    "cron(30 23 ? * TUE#3 *)",
    "cron(0 09 ? * WED *)",
    "rate(30 minutes)",
    "rate(1 hour)",
    "rate(5 hours)",
    "rate(25 days)",
    "rate(7 days)",
    "at(2019-07-07T13:15:30)",
    "at(2020-07-07T15:55:00)",
    # General cron examples from the same page.
    "cron(0 10 * * ? *)",
    "cron(15 12 * * ? *)",
    "cron(0 18 ? * MON-FRI *)",
    "cron(0 8 1 * ? *)",
    "cron(0/15 * * * ? *)",
    "cron(0/10 * ? * MON-FRI *)",
    "cron(0/5 8-17 ? * MON-FRI *)",
    # Other documented syntax.
    "cron(0 0 ? * 3#2 *)",
    "cron(0 3 15W * ? *)",
    "cron(0 3 LW * ? *)",
    "cron(0 0 1 JAN,FEB,MAR ? 2026-2030)",
    "cron(0 0 ? * sun *)",
]


@pytest.mark.parametrize("expression", REFERENCE_EXAMPLES)
def test_accepts_reference_examples(expression: str) -> None:
    validate_expression(expression)


@pytest.mark.parametrize(
    ("expression", "fragments"),
    [
        ("cron(0 3 ? * TUE)", ["expected 6 fields", "got 5"]),
        ("cron(0 3 ? * TUE * 1 2)", ["expected 6 fields", "got 8"]),
        ("cron(0 3 ? * TUE * 1)", ["7 fields", "Seconds", "6 fields"]),
        ("cron(0 3 * * TUE *)", ["must be '?'"]),
        ("cron(0 3 1 * TUE *)", ["must be '?'"]),
        ("cron(0 3 ? * ? *)", ["only one of day-of-month and day-of-week"]),
        ("cron(60 3 ? * TUE *)", ["minutes field", "60", "0-59"]),
        ("cron(0 24 ? * TUE *)", ["hours field", "24", "0-23"]),
        ("cron(0 3 32 * ? *)", ["day-of-month field", "32", "1-31"]),
        ("cron(0 3 0 * ? *)", ["day-of-month field", "1-31"]),
        ("cron(0 3 1 13 ? *)", ["month field", "13", "1-12"]),
        ("cron(0 3 1 FOO ? *)", ["month field", "'FOO'", "JAN-DEC"]),
        ("cron(0 3 ? * 0 *)", ["day-of-week field", "1-7"]),
        ("cron(0 3 ? * 8 *)", ["day-of-week field", "1-7"]),
        ("cron(0 3 ? * TUX *)", ["day-of-week field 'TUX'", "SUN-SAT"]),
        ("cron(0 3 ? * TUX#1 *)", ["day-of-week field 'TUX#1'", "'TUX'"]),
        ("cron(0 3 ? * TUE#6 *)", ["day-of-week field", "1-5"]),
        ("cron(0 3 ? * TUE#0 *)", ["day-of-week field", "1-5"]),
        ("cron(0 3 ? * 3#1,6#3 *)", ["day-of-week field", "on its own"]),
        ("cron(0 3 ? * 15W *)", ["day-of-week field", "W"]),
        ("cron(0 3 1#2 * ? *)", ["day-of-month field", "#"]),
        ("cron(0 3 L,15 * ? *)", ["day-of-month field", "on their own"]),
        ("cron(0 3 ? * TUE 1969)", ["year field", "1970-2199"]),
        ("cron(0 3 ? * TUE 2200)", ["year field", "1970-2199"]),
        ("cron(? 3 * * ? *)", ["minutes field", "'?'"]),
        ("cron(0 5-1 ? * TUE *)", ["hours field", "backwards"]),
        ("cron(0/0 3 ? * TUE *)", ["minutes field", "increment"]),
        ("cron(0/x 3 ? * TUE *)", ["minutes field", "whole number"]),
        ("cron(0,,5 3 ? * TUE *)", ["minutes field", "empty"]),
        ("cron(0/1 * * * ? *)", ["5 minutes"]),
        ("cron(0,3 * * * ? *)", ["5 minutes"]),
        ("cron(58,1 23,0 * * ? *)", ["5 minutes"]),
        ("cron(0 0 3 ? * TUE *)", ["seconds field", "0"]),
        ("rate(1 hours)", ["rate(1 hour)"]),
        ("rate(5 hour)", ["rate(5 hours)"]),
        ("rate(0 minutes)", ["positive"]),
        ("rate(-1 days)", ["positive"]),
        ("rate(1.5 hours)", ["positive"]),
        ("rate(5 weeks)", ["'weeks'", "minute(s), hour(s) or day(s)"]),
        ("rate(5)", ["value and a unit"]),
        ("at(2019-13-07T13:15:30)", ["not a real date"]),
        ("at(2019-07-07 13:15:30)", ["at("]),
        ("cron 0 3 ? * TUE *", ["cron("]),
        ("0 3 ? * TUE *", ["cron("]),
        ("CRON(0 3 ? * TUE *)", ["cron("]),
        ("", ["''"]),
        (f"cron(0 3 1 * ? 2026{',2027' * 60})", ["256"]),
    ],
)
def test_rejects_with_helpful_message(expression: str, fragments: list[str]) -> None:
    with pytest.raises(ScheduleError) as error:
        validate_expression(expression)
    message = str(error.value)
    assert "\n" not in message
    if expression:
        assert message.startswith(expression[:40])
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_schedule_error_is_value_error() -> None:
    assert issubclass(ScheduleError, ValueError)


def test_validate_timezone() -> None:
    assert validate_timezone("Europe/London") == "Europe/London"
    assert validate_timezone("America/New_York") == "America/New_York"
    assert validate_timezone("UTC") == "UTC"
    with pytest.raises(ScheduleError) as error:
        validate_timezone("Europe/Londn")
    assert "Europe/London" in str(error.value)
    with pytest.raises(ScheduleError) as error:
        validate_timezone("america/new_york")
    assert "America/New_York" in str(error.value)
    with pytest.raises(ScheduleError) as error:
        validate_timezone("Nowhere/Atall")
    assert "IANA" in str(error.value)


# --------------------------------------------------------------------------- describe


@pytest.mark.parametrize(
    ("expression", "timezone", "expected"),
    [
        (
            "cron(00 03 ? * TUE#1 *)",
            "Europe/London",
            "03:00 on the first Tuesday of every month (Europe/London)",
        ),
        ("rate(6 hours)", None, "every 6 hours"),
        ("rate(1 hour)", None, "every hour"),
        ("rate(30 minutes)", "Europe/London", "every 30 minutes"),
        ("cron(0 9 * * ? *)", "UTC", "09:00 every day (UTC)"),
        ("cron(30 03 ? * FRIL *)", None, "03:30 on the last Friday of every month"),
        ("cron(15 10 ? * 6L *)", None, "10:15 on the last Friday of every month"),
        ("cron(0 2 L * ? *)", None, "02:00 on the last day of every month"),
        ("cron(00 04 ? * WED#2 *)", None, "04:00 on the second Wednesday of every month"),
        ("cron(0 18 ? * MON-FRI *)", None, "18:00 every Monday through Friday"),
        ("cron(0 16 ? * TUE *)", None, "16:00 every Tuesday"),
        ("cron(0 8 1 * ? *)", None, "08:00 on day 1 of every month"),
        ("cron(0/15 * * * ? *)", None, "every 15 minutes"),
    ],
)
def test_describe(expression: str, timezone: str | None, expected: str) -> None:
    assert describe(expression, timezone) == expected


def test_describe_repeating_times() -> None:
    assert describe("cron(0 0/4 * * ? *)") == "every 4 hours from 00:00 to 20:00"
    assert describe("cron(15 * * * ? *)") == "every hour at minute 15"
    assert describe("cron(0 9,17 ? * MON *)") == "09:00 and 17:00 every Monday"
    # A step that stops at half past is not "every 15 minutes".
    assert "every 15 minutes" not in describe("cron(0-30/15 * * * ? *)")
    assert describe("cron(0/10 * ? * MON-FRI *)") == "every 10 minutes on Monday through Friday"


def test_describe_generic_fallback() -> None:
    text = describe("cron(0/5 8-17 ? * MON-FRI *)")
    assert "Monday through Friday" in text
    assert "8-17" in text
    with pytest.raises(ScheduleError):
        describe("cron(0 3 ? * TUX *)")
