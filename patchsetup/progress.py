"""A live progress line on stderr: targets done/total, writes done/total, elapsed.

Pure apart from its stream: the runner (the one place that knows the run protocol)
feeds it, ``for_stream`` decides whether it shows at all. It shows only on a
terminal, never with ``--output json``, and only when a run is worth following:
several targets, or at least ``MANY_WRITES`` write calls. The line is redrawn in
place (``\\r``) at most ``1 / interval`` times a second, ticks its elapsed time
while nothing else happens, steps aside for log lines (``shown``) and is
erased before anything else is printed (``pause``, ``close``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO, cast

#: One target with fewer write calls than this finishes before a line would help.
MANY_WRITES = 10
#: At most 10 redraws a second.
INTERVAL = 0.1
#: How often the elapsed time is redrawn while nothing else happens.
TICK = 0.5


class Progress:
    """Counts of one command's run, drawn on ``stream`` when ``enabled``."""

    def __init__(
        self,
        stream: TextIO | None,
        targets: int,
        *,
        what: str = "",
        clock: Callable[[], float] = time.monotonic,
        interval: float = INTERVAL,
        tick: float | None = TICK,
    ) -> None:
        self.stream = stream
        self.targets = targets
        self.what = what
        self.targets_done = 0
        self.writes = 0
        self.writes_done = 0
        self._clock = clock
        self._interval = interval
        self._started = clock()
        self._last_draw: float | None = None
        self._width = 0  # of the line on screen; 0: none
        self._active = stream is not None
        self._lock = threading.RLock()
        self._closed = threading.Event()
        if stream is not None and tick:
            threading.Thread(target=self._ticker, args=(tick,), daemon=True).start()

    # -- what the runner reports ------------------------------------------------------

    def add_writes(self, count: int) -> None:
        """A target is about to make ``count`` write calls."""
        with self._lock:
            self.writes += count
            self._changed()

    def wrote(self, count: int = 1) -> None:
        """``count`` write calls were made."""
        with self._lock:
            self.writes_done += count
            self._changed()

    def target_done(self) -> None:
        with self._lock:
            self.targets_done += 1
            self._changed()

    # -- the line ---------------------------------------------------------------------

    def line(self) -> str:
        """What the line says now, e.g. ``setup: targets 2/4, writes 17/66, 3.2s``."""
        parts = []
        if self.targets > 1:
            parts.append(f"targets {self.targets_done}/{self.targets}")
        if self.writes:
            parts.append(f"writes {self.writes_done}/{self.writes}")
        parts.append(f"{self._clock() - self._started:.1f}s")
        prefix = f"{self.what}: " if self.what else ""
        return prefix + ", ".join(parts)

    @property
    def worth_showing(self) -> bool:
        return self.targets > 1 or self.writes >= MANY_WRITES

    def clear(self) -> None:
        """Erase the line for a moment (a log line follows); the next update redraws it."""
        with self._lock:
            self._erase()

    def pause(self) -> None:
        """Erase the line and keep it off until the counts change again (a report or a
        question follows)."""
        with self._lock:
            self._erase()
            self._active = False

    def close(self) -> None:
        """Erase the line for good."""
        self._closed.set()
        with self._lock:
            self._erase()
            self._active = False
            self.stream = None

    def _changed(self) -> None:
        if self.stream is not None:
            self._active = True
        self._draw(force=False)

    def _draw(self, force: bool) -> None:
        stream = self.stream
        if stream is None or not self._active or not self.worth_showing:
            return
        now = self._clock()
        if not force and self._last_draw is not None and now - self._last_draw < self._interval:
            return
        self._last_draw = now
        text = self.line()
        stream.write("\r" + text + " " * max(0, self._width - len(text)))
        stream.flush()
        self._width = len(text)

    def _erase(self) -> None:
        if self.stream is None or not self._width:
            return
        # Spaces, not an escape sequence: any terminal (TERM=dumb too) erases so.
        self.stream.write("\r" + " " * self._width + "\r")
        self.stream.flush()
        self._width = 0
        self._last_draw = None

    def _ticker(self, tick: float) -> None:
        while not self._closed.wait(tick):
            with self._lock:
                self._draw(force=False)


def for_stream(stream: TextIO, targets: int, output: str, what: str = "") -> Progress:
    """A progress for ``targets`` targets, drawn on ``stream`` only if it is a terminal and
    the output is for people; otherwise one that counts and draws nothing."""
    shown = output == "text" and _is_terminal(stream)
    return Progress(stream if shown else None, targets, what=what)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


class _AroundTheLine:
    """A log handler's stream that erases the progress line before each write, under the
    line's lock: no redraw can land between the erase and the log line."""

    def __init__(self, progress: Progress, stream: TextIO) -> None:
        self._progress = progress
        self._stream = stream

    def write(self, text: str) -> int:
        with self._progress._lock:
            self._progress._erase()
            return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def shown(progress: Progress) -> Iterator[Progress]:
    """``progress`` while the block runs: log lines on its stream step around it, and it
    is erased at the end, however the block ends."""
    stream = progress.stream
    moved: list[tuple[logging.StreamHandler[Any], Any]] = []
    if stream is not None:
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is stream:
                around = cast(TextIO, _AroundTheLine(progress, stream))
                moved.append((handler, handler.setStream(around)))
    try:
        yield progress
    finally:
        progress.close()
        for handler, old in moved:
            handler.setStream(old)
