"""Colouring the text report, pure: which lines, which colour, and when at all."""

from __future__ import annotations

import io

from patchsetup import colour


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
