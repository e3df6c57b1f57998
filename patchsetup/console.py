"""The console scripts, ``ssm-patching-setup`` and ``ssm-patching-cleanup``.

Start-up and exit are a large part of a short run. Importing botocore and
parsing service models makes some million objects, none of them garbage, and
the cyclic collector would scan them again and again on the way in and once
more on the way out. So it is off while the modules load, everything loaded
is then frozen (never scanned again), and it is frozen once more before exit.

Ctrl-C before the CLI installs its handlers (while the modules load) or after
it restores them exits 130 quietly: nothing is being written then.
"""

from __future__ import annotations

import gc
import sys


def setup_main() -> None:
    """Console script ``ssm-patching-setup``."""
    _run("setup_main")


def cleanup_main() -> None:
    """Console script ``ssm-patching-cleanup``."""
    _run("cleanup_main")


def _run(entry: str) -> None:
    try:
        gc.disable()
        try:
            from patchsetup import cli
        finally:
            gc.freeze()
            gc.enable()
        try:
            getattr(cli, entry)()
        finally:
            gc.freeze()
    except KeyboardInterrupt:
        sys.exit(130)
