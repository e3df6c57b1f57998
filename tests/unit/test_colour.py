"""Colouring the text report, pure: which lines, which colour, and when at all."""

from __future__ import annotations

import io

from patchsetup import colour
from patchsetup.deploy.plan import MARKERS, marked


def test_paint_colours_markers_and_action_words_only() -> None:
    text = "\n".join(
        [
            "setup: setup 'default' in us-east-1",
            "created        window  W",
            "would update   task    T",
            "  - delete     target  X",
            "+ create window Y",
            "~ window Z",
            "adopted        window  A",
            "in place       baseline B",
            "FAILED create  window  C",
            "Plan: 1 to create, 0 to update, 1 to delete, 1 in place",
        ]
    )
    painted = colour.paint(text).split("\n")
    assert painted == [
        "setup: setup 'default' in us-east-1",
        "\x1b[32mcreated\x1b[0m        window  W",
        "\x1b[33mwould update\x1b[0m   task    T",
        "  \x1b[31m- delete\x1b[0m     target  X",
        "\x1b[32m+ create\x1b[0m window Y",
        "\x1b[33m~\x1b[0m window Z",
        "\x1b[36madopted\x1b[0m        window  A",
        "in place       baseline B",
        "FAILED create  window  C",
        "Plan: 1 to create, 0 to update, 1 to delete, 1 in place",
    ]


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_is_wanted_on_a_terminal_for_text_without_no_color() -> None:
    assert colour.wanted(Tty(), "text", {})
    assert not colour.wanted(Tty(), "json", {})
    assert not colour.wanted(Tty(), "text", {"NO_COLOR": "1"})
    assert colour.wanted(Tty(), "text", {"NO_COLOR": ""})
    assert not colour.wanted(Tty(), "text", {"TERM": "dumb"})
    assert not colour.wanted(io.StringIO(), "text", {})
    assert colour.wanted(io.StringIO(), "text", {"FORCE_COLOR": "1"})
    assert colour.wanted(io.StringIO(), "text", {"CLICOLOR_FORCE": "1"})
    assert not colour.wanted(io.StringIO(), "text", {"CLICOLOR_FORCE": "0"})
    assert not colour.wanted(io.StringIO(), "text", {"FORCE_COLOR": "1", "NO_COLOR": "x"})
    assert not colour.wanted(io.StringIO(), "json", {"FORCE_COLOR": "1"})


def test_every_plan_marker_is_coloured_as_its_action() -> None:
    """The report writes deploy.plan's markers; colour knows the same ones."""
    codes = {"create": "32", "update": "33", "delete": "31", "adopt": "36"}
    assert set(MARKERS) == set(codes)
    for action, code in codes.items():
        line = marked(action, f"{action}  window  W")
        assert colour.paint(line) == f"\x1b[{code}m{MARKERS[action]} {action}\x1b[0m  window  W"
    assert colour.paint(marked("unchanged", "window  W")) == "  window  W"
