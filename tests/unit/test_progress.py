"""The progress line, pure: a fake clock and a string stream."""

from __future__ import annotations

import io
import logging

from patchsetup import progress
from patchsetup.progress import Progress
from tests.helpers.terminal import screen


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _progress(targets: int = 1) -> tuple[Progress, io.StringIO, Clock]:
    stream, clock = io.StringIO(), Clock()
    return Progress(stream, targets, what="setup", clock=clock, tick=None), stream, clock


def test_the_line_counts_targets_and_writes_and_time() -> None:
    live, stream, clock = _progress(targets=3)
    live.target_done()
    live.add_writes(12)
    clock.now += 0.25
    live.wrote(4)
    assert screen(stream.getvalue()) == ["setup: targets 1/3, writes 4/12, 0.2s"]


def test_redraws_are_throttled_to_ten_a_second() -> None:
    live, stream, clock = _progress()
    live.add_writes(40)
    for _ in range(30):  # 30 writes in 0.15 s: drawn at 0 s and 0.1 s only
        clock.now += 0.005
        live.wrote()
    assert stream.getvalue().count("\r") == 2, repr(stream.getvalue())
    assert live.writes_done == 30


def test_few_writes_in_one_target_draw_nothing() -> None:
    live, stream, _ = _progress()
    live.add_writes(progress.MANY_WRITES - 1)
    live.wrote(3)
    assert stream.getvalue() == ""


def test_pause_and_close_erase_the_line() -> None:
    live, stream, clock = _progress(targets=2)
    live.target_done()
    live.pause()
    assert screen(stream.getvalue()) == [""]
    clock.now += 1
    live.target_done()  # counts again: drawn again
    assert screen(stream.getvalue()) == ["setup: targets 2/2, 1.0s"]
    live.close()
    live.target_done()
    assert screen(stream.getvalue()) == [""]


def test_log_lines_step_around_the_line() -> None:
    stream = io.StringIO()
    live = Progress(stream, 2, what="setup", clock=Clock(), tick=None)
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("patchsetup.test_progress")
    logging.getLogger().addHandler(handler)  # the root's handlers, as configure_logging's
    try:
        with progress.shown(live):
            live.target_done()
            logger.warning("a log line")
        assert screen(stream.getvalue()) == ["a log line", ""]
    finally:
        logging.getLogger().removeHandler(handler)


def test_no_terminal_no_line() -> None:
    stream = io.StringIO()  # not a terminal
    live = progress.for_stream(stream, 5, "text", "setup")
    live.target_done()
    assert live.stream is None and stream.getvalue() == ""
