"""Day and month names, ordinals and list joining, shared by messages and descriptions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

DAY_NAMES: tuple[str, ...] = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")

FULL_DAY_NAMES: tuple[str, ...] = (
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
)
MONTH_NAMES: tuple[str, ...] = (
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
)  # fmt: skip
ORDINAL_WORDS: Mapping[int, str] = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}


def join(items: Sequence[str], word: str = "and") -> str:
    """Join words as "a", "a and b" or "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def ordinal(number: int) -> str:
    """Return 1st, 2nd, 3rd, 4th, 11th, 21st..."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
