"""SIGINT and SIGTERM: stop cleanly, report, release the lock; a second one stops at once.

The first signal asks every part of the run to stop: the executor starts no new
change (the calls in flight finish, so nothing is left half made), the reads
stop at their next call, targets not yet started do not start. Where the main
thread is itself only reading or waiting (planning, a consent prompt), it is
interrupted at once; nothing has been written yet. Either way the run reports
what was done and what was not, releases its lock and exits 128 + the signal
(130 for SIGINT, 143 for SIGTERM), as shells do.

A second signal stops at once: every lock this process holds is released from
a thread of its own (the main thread may be inside a call), then the process
exits without waiting for the calls in flight. A third exits without releasing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

#: Set by the first signal: nothing new may start.
STOP = threading.Event()
_received: list[int] = []
_graceful = [0]
_guard = threading.Lock()
#: What a second signal must still do before the process ends (the runner's lock release).
_at_once: list[Callable[[], None]] = []


class Interrupted(BaseException):
    """Raised in the main thread by a signal while it is not waiting for writes.

    A BaseException, so that neither ``except Exception`` in the libraries below
    nor click (which turns KeyboardInterrupt into "Aborted!") swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def received() -> int | None:
    """The first signal received, or None."""
    return _received[0] if _received else None


def exit_code(signum: int) -> int:
    return 128 + signum


def name(signum: int) -> str:
    return signal.Signals(signum).name


def check() -> None:
    """Raise Interrupted if a signal asked the run to stop (before a new call)."""
    signum = received()
    if signum is not None:
        raise Interrupted(signum)


@contextlib.contextmanager
def graceful() -> Iterator[None]:
    """While writes may be in flight: a signal only sets STOP, the writers stop."""
    with _guard:
        _graceful[0] += 1
    try:
        yield
    finally:
        with _guard:
            _graceful[0] -= 1


@contextlib.contextmanager
def handled(at_once: Callable[[], None] | None = None) -> Iterator[None]:
    """Handle SIGINT and SIGTERM for the block (main thread only; a no-op elsewhere).

    ``at_once`` runs when a second signal stops the process at once: the runner
    passes its lock release, so that this module needs to know nothing of locks.
    """
    STOP.clear()
    _received.clear()
    _at_once[:] = [at_once] if at_once is not None else []
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _handle(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    if len(_received) == 2:
        threading.Thread(target=_stop_now, args=(_received[0],), daemon=True).start()
        return
    if len(_received) > 2:
        os._exit(exit_code(_received[0]))
    STOP.set()
    with _guard:
        waiting_for_writes = _graceful[0] > 0
    if not waiting_for_writes:
        raise Interrupted(signum)


def _stop_now(signum: int) -> None:
    try:
        for release in _at_once:
            release()
    finally:
        _write(
            sys.stderr,
            f"error: interrupted again ({name(signum)}): stopped at once, the calls in "
            "flight abandoned; run again to converge\n",
        )
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        os._exit(exit_code(signum))


def _write(stream: Any, text: str) -> None:
    with contextlib.suppress(Exception):
        stream.write(text)
        stream.flush()
