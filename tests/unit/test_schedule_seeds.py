"""Tests for patchsetup.schedule: the seed tool's defaults (cron, patch group, window
name), day parsing and day names.

Expected dates are checked by hand against a calendar, or computed here by brute force
(walking day by day with the standard library), never copied from the implementation.
"""

from __future__ import annotations

import pytest

from patchsetup.schedule.compose import parse_day, seed_cron, seed_patch_group, seed_window_name
from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.expressions import validate_expression
from patchsetup.schedule.names import DAY_NAMES
from tests.helpers.schedules import (
    SEED_CRONS,
    SEED_GROUPS,
    SEED_KEYS,
    SEED_NAMES,
)


@pytest.mark.parametrize(("week", "day", "hour"), SEED_KEYS)
def test_seed_defaults(week: int, day: int, hour: int) -> None:
    key = (week, day, hour)
    assert seed_window_name(week, day, hour) == SEED_NAMES[key]
    assert seed_patch_group(week, day, hour) == SEED_GROUPS[key]
    assert seed_cron(week, day, hour) == SEED_CRONS[key]
    validate_expression(SEED_CRONS[key])


def test_seed_defaults_are_distinct() -> None:
    assert sorted(SEED_NAMES) == sorted(SEED_KEYS)
    assert len(set(SEED_NAMES.values())) == 8
    assert len(set(SEED_CRONS.values())) == 8


def test_seed_cron_minute_and_sunday() -> None:
    assert seed_cron(3, 5, 22, 30) == "cron(30 22 ? * FRI#3 *)"
    # 0 and 7 are both Sunday.
    assert seed_cron(1, 0, 1) == "cron(00 01 ? * SUN#1 *)"
    assert seed_cron(1, 7, 1) == "cron(00 01 ? * SUN#1 *)"
    assert seed_cron(5, 6, 23, 59) == "cron(59 23 ? * SAT#5 *)"


@pytest.mark.parametrize(
    ("week", "day", "hour", "minute"),
    [(0, 2, 3, 0), (6, 2, 3, 0), (1, 8, 3, 0), (1, -1, 3, 0), (1, 2, 24, 0), (1, 2, 3, 60)],
)
def test_seed_cron_rejects_out_of_range(week: int, day: int, hour: int, minute: int) -> None:
    with pytest.raises(ScheduleError):
        seed_cron(week, day, hour, minute)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("7", 7),
        ("2", 2),
        ("TUE", 2),
        ("tue", 2),
        ("Tuesday", 2),
        ("SUN", 0),
        ("Sunday", 0),
        ("sat", 6),
        ("WEDNESDAY", 3),
    ],
)
def test_parse_day(text: str, expected: int) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize("text", ["8", "-1", "TUX", "", "Tues day", "1.0"])
def test_parse_day_rejects(text: str) -> None:
    with pytest.raises(ScheduleError) as error:
        parse_day(text)
    assert str(error.value) == f"day must be 0-7 or a day name like TUE, got {text!r}"


def test_day_names() -> None:
    assert DAY_NAMES == ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
