"""Serving a tools/ server until SIGTERM/SIGINT: shared by local_aws.py and fault_proxy.py.

Starting, waiting for the ready line and stopping from the outside is tools/launch.py's
job; this is the inside: serve on a thread, print the one ready line, and on a signal
shut down cleanly (the caller then returns exit status 0).
"""

from __future__ import annotations

import signal
import socketserver
import threading
from collections.abc import Callable
from types import FrameType


def _nothing() -> None:
    pass


def serve_until_signal(
    server: socketserver.BaseServer,
    name: str,
    ready: str,
    before_shutdown: Callable[[], object] = _nothing,
    after_shutdown: Callable[[], object] = _nothing,
) -> None:
    """Serve ``server`` on a thread called ``name``, print ``ready``, stop on a signal."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    thread = threading.Thread(
        target=lambda: server.serve_forever(poll_interval=0.1), name=name, daemon=True
    )
    thread.start()
    print(ready, flush=True)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        before_shutdown()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        after_shutdown()
