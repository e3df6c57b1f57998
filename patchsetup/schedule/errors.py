"""The schedule package's one exception, and how its messages name the expression."""

from __future__ import annotations


class ScheduleError(ValueError):
    """One-line, user-facing message of what is wrong."""


def _label(expression: str) -> str:
    """Return the expression as it should appear at the start of an error message."""
    # Quote it when it is empty or has edge whitespace, or the message would hide that.
    if expression and expression.strip() == expression:
        return expression
    return repr(expression)


def fail(expression: str, detail: str) -> ScheduleError:
    """Build a ScheduleError prefixed with the offending expression."""
    return ScheduleError(f"{_label(expression)}: {detail}")
