"""Which target (account/region) a log line belongs to.

The runner sets the target (``in_target``) while a target's run is on a thread;
the threads that thread starts (the gate's reads, the executor's lanes, the lock's
heartbeat) run in a copy of its context, so they carry it too. ``TargetFilter``
gives every record a ``target`` attribute: ``"[111111111111/eu-west-1] "``, or ""
outside any target, for the log format to show.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_TARGET: ContextVar[str | None] = ContextVar("patchsetup_target", default=None)


@contextmanager
def in_target(label: str) -> Iterator[None]:
    """Log records emitted in this block (and in threads started from it) name ``label``."""
    token = _TARGET.set(label)
    try:
        yield
    finally:
        _TARGET.reset(token)


def current() -> str | None:
    return _TARGET.get()


class TargetFilter(logging.Filter):
    """Sets ``record.target`` to ``"[label] "`` inside a target, "" outside."""

    def filter(self, record: logging.LogRecord) -> bool:
        label = _TARGET.get()
        record.target = f"[{label}] " if label else ""
        return True
