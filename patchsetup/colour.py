"""Colour for the text report on a terminal: create, update, delete and adopt.

A wrapper over the rendered text, not part of rendering: each line is coloured by
its leading marker (``+``, ``~``, ``-``, ``<=``, Terraform-like) or action word
(``created``, ``would update``, ``delete``, ``adopted``, ...), so the report's own
layout can change freely. ``wanted`` decides: only for text output to a terminal,
never when ``NO_COLOR`` is set to anything; ``FORCE_COLOR`` or ``CLICOLOR_FORCE``
(not ``0``) colour a pipe too (a CI log that shows colour). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TextIO

GREEN, YELLOW, RED, CYAN = "32", "33", "31", "36"
RESET = "\x1b[0m"
_COLOURS = {"create": GREEN, "update": YELLOW, "delete": RED, "adopt": CYAN}
#: The markers of ``deploy.plan.MARKERS`` (tests/unit/test_colour.py keeps them the same).
_MARKERS = {"+": "create", "~": "update", "-": "delete", ">": "adopt"}

#: A line's leading marker and/or action word: ``+ create``, ``~``, ``would delete``,
#: ``created``, ``adopted``; the indentation before it is kept as it is.
_LEADING = re.compile(
    r"^(?P<indent>\s*)(?P<lead>"
    r"(?P<marker>[+~>-])(?=\s)(?:\s+(?P<mword>create|update|delete|adopt)(?=\s|$))?"
    r"|(?:would\s+)?(?P<word>create|update|delete|adopt)(?:ed|d)?(?=\s|$)"
    r")"
)


def action_of(line: str) -> str | None:
    """The action a report line shows (``create``, ``update``, ``delete``, ``adopt``)."""
    match = _LEADING.match(line)
    if match is None:
        return None
    if match["marker"]:
        return match["mword"] or _MARKERS[match["marker"]]
    return match["word"]


def paint(text: str) -> str:
    """``text`` with the marker or action word of each change line in its colour."""
    lines = []
    for line in text.split("\n"):
        match = _LEADING.match(line)
        action = action_of(line)
        if match is not None and action is not None:
            start, end = match.start("lead"), match.end("lead")
            line = f"{line[:start]}\x1b[{_COLOURS[action]}m{line[start:end]}{RESET}{line[end:]}"
        lines.append(line)
    return "\n".join(lines)


def wanted(stream: TextIO, output: str, environ: Mapping[str, str]) -> bool:
    """Whether a report in ``output`` written to ``stream`` is coloured."""
    if output != "text" or environ.get("NO_COLOR"):
        return False
    if any(environ.get(name, "0") not in ("", "0") for name in ("FORCE_COLOR", "CLICOLOR_FORCE")):
        return True
    if environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False
