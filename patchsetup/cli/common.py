"""The shared options read back when a command runs: its ``runner.Common`` and logging.

``common`` takes the options of ``options.common_options`` / ``read_options`` out of
a command's keyword arguments, ``configure_logging`` applies ``--loglevel``. Only a
command that runs imports this module (and with it the runner's request types):
``--help`` and a TAB need the declarations in options.py alone.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from patchsetup.aws.redact import RedactingFilter
from patchsetup.cli.values import check_setup_name
from patchsetup.logtarget import TargetFilter
from patchsetup.runner.request import Common

log = logging.getLogger("patchsetup")

_READ_ONLY_DEFAULTS: dict[str, Any] = {"dry_run": False, "yes": False}


def common_of(values: dict[str, Any]) -> Common:
    """The shared options out of ``values``; read-only commands lack the write ones.

    The setup name is checked here, for every command: cleanup and status look
    resources up by it, and a name no setup can have finds nothing, silently.
    """
    common = Common(
        **{
            k: values.pop(k) if k in values else _READ_ONLY_DEFAULTS[k]
            for k in Common.__dataclass_fields__
        }
    )
    check_setup_name(common.name)
    return common


def configure_logging(level: str) -> None:
    # Only our logger gets the chosen level: botocore's DEBUG output contains
    # signed headers and is never turned on.
    # %(target)s: "[account/region] " inside a target's run (logtarget.py), else "".
    logging.basicConfig(format="%(levelname)s %(name)s: %(target)s%(message)s", stream=sys.stderr)
    for handler in logging.getLogger().handlers:  # no log line shows an endpoint's secrets
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
        if not any(isinstance(f, TargetFilter) for f in handler.filters):
            handler.addFilter(TargetFilter())
    logging.getLogger().setLevel(logging.WARNING)
    log.setLevel(level.upper())
