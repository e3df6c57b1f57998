"""One writer per setup and region: a lock held as an SSM parameter.

Two runs for the same setup at once would each plan the same creates. The
first to create the parameter (PutParameter without Overwrite is atomic) runs;
the other refuses with who holds it and since when. A lock left by a process
that died on this host, or older than ``STALE_AFTER``, is taken over. Only a
run that has writes to make takes the lock, so a converged re-run writes nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.exceptions

from patchsetup.errors import AwsError

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=30)


def parameter_name(setup_name: str) -> str:
    # AWS reserves names starting with "aws" or "ssm", so not /ssm-patching-setup/.
    return f"/patchsetup/lock/{setup_name}"


class LockHeld(AwsError):
    """Another run of the same setup is writing in this region."""


@contextlib.contextmanager
def held(ssm: Any, setup_name: str, now: datetime | None = None) -> Iterator[None]:
    """Hold the setup's lock for the duration of the block."""
    name = parameter_name(setup_name)
    mine = {"host": socket.gethostname(), "pid": os.getpid(), "started": _iso(now)}
    _acquire(ssm, name, mine, setup_name)
    try:
        yield
    finally:
        with contextlib.suppress(botocore.exceptions.ClientError):
            ssm.delete_parameter(Name=name)


def clear_stale(ssm: Any, setup_name: str, now: datetime | None = None) -> None:
    """Remove a lock its run left behind (it died, or its release failed).

    A converged run takes no lock, so without this an orphaned lock would stay
    until a run with writes came from the same host, and refuse runs from other
    hosts for ``STALE_AFTER``. A live run's lock is left alone.
    """
    name = parameter_name(setup_name)
    try:
        value = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    except botocore.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ParameterNotFound":
            return
        raise
    holder = _parse_holder(value)
    mine = {"host": socket.gethostname(), "pid": os.getpid(), "started": _iso(now)}
    if holder and is_stale(holder, mine):
        log.warning("removing the lock of a run that is gone: %s", holder)
        with contextlib.suppress(botocore.exceptions.ClientError):
            ssm.delete_parameter(Name=name)


def _acquire(ssm: Any, name: str, mine: dict[str, Any], setup_name: str) -> None:
    value = json.dumps(mine)
    try:
        ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=False, Description=_DESC)
        return
    except botocore.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ParameterAlreadyExists":
            raise
    holder = _holder(ssm, name)
    if holder == mine:
        # Our own PutParameter, retried after its response was lost: we hold it.
        return
    if not is_stale(holder, mine):
        raise LockHeld(
            f"another run of setup '{setup_name}' is writing in this region "
            f"({holder.get('host')} pid {holder.get('pid')}, since {holder.get('started')}); "
            f"wait for it, or if it died elsewhere, delete the SSM parameter {name}"
        )
    log.warning("taking over the lock of a run that is gone: %s", holder)
    ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True, Description=_DESC)


_DESC = "ssm-patching-setup run lock: deleted at the end of the run"


def _holder(ssm: Any, name: str) -> dict[str, Any]:
    try:
        value = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    except botocore.exceptions.ClientError:
        return {}  # released in the meantime: treat as stale, take it
    return _parse_holder(value)


def _parse_holder(value: str) -> dict[str, Any]:
    """Who holds the lock, from the parameter's value; unreadable values are stale."""
    try:
        holder = json.loads(value)
    except ValueError:
        return {"started": None}
    return holder if isinstance(holder, dict) else {}


def is_stale(holder: dict[str, Any], mine: dict[str, Any]) -> bool:
    """A lock whose process is gone (same host), or too old, or unreadable."""
    try:
        started = datetime.fromisoformat(str(holder["started"]))
    except (KeyError, ValueError):
        return True
    if datetime.fromisoformat(mine["started"]) - started > STALE_AFTER:
        return True
    if holder.get("host") == mine["host"] and isinstance(holder.get("pid"), int):
        return not _alive(holder["pid"])
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _iso(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).isoformat(timespec="seconds")
