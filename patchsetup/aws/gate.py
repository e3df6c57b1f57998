"""At most N AWS calls of one target in flight, however the reads fan out.

The reader walks independent chains side by side (the windows, the baselines,
the patch groups, the roles; within a window its targets and its tasks), and
each chain may fan out again. Threads give the fan-out; the gate bounds the
calls. A thread holds the gate only while its call is on the wire, never while
it waits for other threads, so nesting cannot deadlock. With a limit of 1 every
call runs alone, in a fixed order: ``--concurrency 1`` is one call at a time.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from patchsetup import signals

T = TypeVar("T")
U = TypeVar("U")
P = ParamSpec("P")


class Gate:
    """Bounds the calls made through it to ``limit`` at once (at least 1)."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._slots = threading.BoundedSemaphore(self.limit)

    def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` once a slot is free: one AWS call (or one paginated
        listing, whose pages follow one another anyway). None starts after a signal."""
        signals.check()
        with self._slots:
            return fn(*args, **kwargs)

    def each(self, fn: Callable[[T], U], items: Iterable[T]) -> list[U]:
        """``[fn(item) for item in items]``, side by side when the limit allows; in order.

        The first exception raised by ``fn`` is raised here, after the others finish.
        Each item runs in a copy of the caller's context (its log lines name its target).
        """
        work = list(items)
        if self.limit == 1 or len(work) <= 1:
            return [fn(item) for item in work]
        with ThreadPoolExecutor(max_workers=min(len(work), self.limit)) as pool:
            futures = [pool.submit(contextvars.copy_context().run, fn, item) for item in work]
            return [future.result() for future in futures]

    def background(self, fn: Callable[[], T]) -> Future[T]:
        """Start ``fn`` (which calls through this gate) on a thread of its own."""
        future: Future[T] = Future()

        def run() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to whoever waits for the result
                future.set_exception(exc)

        context = contextvars.copy_context()  # the caller's, log target included
        threading.Thread(
            target=context.run, args=(run,), daemon=True, name="gate-background"
        ).start()
        return future
