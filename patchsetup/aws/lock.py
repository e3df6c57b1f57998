"""One writer per setup and region: a lease held as an SSM parameter.

Two runs for the same setup at once would each plan the same creates. Only a
run that has writes to make takes the lock, ``/patchsetup/lock/<setup>``, so a
converged re-run writes nothing.

* Who holds it: a random token made for each run and target, so two targets of
  one process that reach the same account exclude each other as two hosts do.
  Host, PID and start time are in the value only to be shown.
* Taking it: PutParameter without Overwrite, atomic in SSM: one creator wins.
* Alive or gone: the holder rewrites the value every ``HEARTBEAT_EVERY`` seconds
  from a thread. A lock whose heartbeat is older than ``STALE_AFTER`` belongs to
  a run that is gone (killed, its host lost). Nothing else is judged: a PID
  means nothing across PID namespaces, and a long run is alive while it beats.
* Taking over a stale lock is atomic too. SSM has no compare-and-swap on a
  value, so a taker first creates, without Overwrite, a claim named after the
  stale value (``claim_name``): of N racers exactly one creates it. That one
  checks the lock still holds the value it judged stale, overwrites it with its
  own and deletes the claim. A racer that comes later finds the claim (fresh:
  another run is taking over, refuse) or, once it is deleted, a lock that no
  longer holds the stale value (judge it again). A claim left by a run that
  died half way is stale after ``STALE_AFTER`` too; the next taker claims the
  next number.
* Letting go: the lock is deleted, if it still holds this run's token, in a
  ``finally``, so every error path, SIGINT and SIGTERM release it;
  ``release_all`` is for a second Ctrl-C that stops at once. Whether it still
  holds the token is read just before the delete, or, to save that round trip,
  by ``confirm`` beside the run's last writes: a read at most ``CONFIRMED_FOR``
  old stands in for it (a takeover needs a heartbeat ``STALE_AFTER`` old).

The guarantee is a lease's: a run that cannot write its heartbeat for
``STALE_AFTER`` (frozen, partitioned) may be taken over while it lives; its
heartbeat then finds the lock gone and the run stops (``Lease.lost``).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import botocore.exceptions

from patchsetup.errors import AwsError

log = logging.getLogger(__name__)

#: How often a holder rewrites its heartbeat.
HEARTBEAT_EVERY = 30.0
#: A heartbeat this old means its run is gone: ten missed beats, more than one
#: call's whole retry budget under throttling.
STALE_AFTER = timedelta(minutes=5)
#: Takeover claims tried for one stale value (each further one only after the
#: one before it was left stale by a run that died mid-takeover).
_CLAIMS = 8
#: Rounds of create / judge / take over before giving up.
_ROUNDS = 4
#: How long a ``confirm`` that found this run's token stands in for the release's read.
CONFIRMED_FOR = 5.0
_DESC = "ssm-patching-setup run lock: deleted at the end of the run"
_AWS_ERRORS = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


def parameter_name(setup_name: str) -> str:
    # AWS reserves names starting with "aws" or "ssm", so not /ssm-patching-setup/.
    return f"/patchsetup/lock/{setup_name}"


def claim_name(lock_name: str, stale_value: str, number: int) -> str:
    """The parameter whose creation wins the takeover of the lock holding ``stale_value``."""
    digest = hashlib.sha256(stale_value.encode()).hexdigest()[:32]
    return f"{lock_name}.takeover.{digest}.{number}"


class LockHeld(AwsError):
    """Another run of the same setup is writing in this region."""


@dataclass
class Lease:
    """A held lock. ``lost`` is set when the heartbeat finds another run's token."""

    ssm: Any
    name: str
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    started: str = field(default_factory=lambda: _iso())
    lost: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    # Held by a heartbeat's write and by the release: no beat lands after the delete.
    mutex: threading.Lock = field(default_factory=threading.Lock)
    #: When (time.monotonic) ``confirm`` last read the lock and found this run's token.
    confirmed: float | None = None

    def value(self) -> str:
        return json.dumps(
            {
                "token": self.token,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "started": self.started,
                "heartbeat": _iso(),
            }
        )


_HELD: dict[str, Lease] = {}
_HELD_GUARD = threading.Lock()


@contextlib.contextmanager
def held(ssm: Any, setup_name: str, heartbeat_every: float = HEARTBEAT_EVERY) -> Iterator[Lease]:
    """Hold the setup's lock for the duration of the block, beating all along."""
    lease = Lease(ssm, parameter_name(setup_name))
    # Registered before the first call: an interrupt during the create still releases.
    with _HELD_GUARD:
        _HELD[lease.token] = lease
    try:
        _acquire(lease, setup_name)
        # In a copy of the caller's context: the heartbeat's log lines name its target.
        beat = contextvars.copy_context()
        threading.Thread(
            target=beat.run,
            args=(_beat, lease, heartbeat_every),
            daemon=True,
            name="lock-heartbeat",
        ).start()
        yield lease
    finally:
        try:
            release(lease)
        except BaseException:
            # A signal in the main thread cut the release short (only the first one
            # raises there): once more, then on with the interrupt.
            release(lease)
            raise


def release(lease: Lease) -> None:
    """Delete the lock if it is still this lease's; quietly (a failure leaves a lock
    that goes stale after ``STALE_AFTER``). Tried twice: a refused or lost delete is
    often a passing fault."""
    with lease.mutex:
        lease.done.set()
        for attempt in range(2):
            try:
                # A retry reads: the first delete may have landed, its answer lost.
                if attempt or not _confirmed(lease):
                    found = _read(lease.ssm, lease.name)
                    if found is None or found[1].get("token") != lease.token:
                        break
                lease.ssm.delete_parameter(Name=lease.name)
                break
            except botocore.exceptions.ClientError as exc:
                if _code(exc) == "ParameterNotFound":
                    break
                log.debug("releasing the lock %s failed: %s", lease.name, exc)
            except botocore.exceptions.BotoCoreError as exc:
                log.debug("releasing the lock %s failed: %s", lease.name, exc)
    with _HELD_GUARD:
        _HELD.pop(lease.token, None)


def confirm(lease: Lease) -> None:
    """Read the lock now (beside the run's last writes): if it still holds this run's
    token, the release that follows within ``CONFIRMED_FOR`` deletes it without reading
    it again. Quiet: on any error the release reads as usual."""
    try:
        found = _read(lease.ssm, lease.name)
    except _AWS_ERRORS as exc:
        log.debug("confirming the lock %s failed: %s", lease.name, exc)
        return
    if found is not None and found[1].get("token") == lease.token:
        lease.confirmed = time.monotonic()


def _confirmed(lease: Lease) -> bool:
    """Whether ``confirm`` found this run's token at most ``CONFIRMED_FOR`` ago (and the
    heartbeat has not found it gone since)."""
    at = lease.confirmed
    return at is not None and time.monotonic() - at <= CONFIRMED_FOR and not lease.lost.is_set()


def release_all() -> None:
    """Release every lock this process holds (a second Ctrl-C: stopping at once)."""
    with _HELD_GUARD:
        leases = list(_HELD.values())
    for lease in leases:
        release(lease)


def clear_stale(ssm: Any, setup_name: str) -> None:
    """Remove a lock its run left behind (it died, or its release failed).

    A converged run takes no lock, so without this an orphaned lock would stay
    until a run with writes came. A lock with a fresh heartbeat is left alone.
    """
    name = parameter_name(setup_name)
    found = _read(ssm, name)
    if found is not None and is_stale(found[1]):
        log.warning("removing the lock of a run that is gone: %s", _who(found[1]))
        with contextlib.suppress(botocore.exceptions.ClientError):
            ssm.delete_parameter(Name=name)


def is_stale(holder: dict[str, Any], now: datetime | None = None) -> bool:
    """Whether the holder's heartbeat is older than ``STALE_AFTER`` (or unreadable).

    A value without a heartbeat (written by an earlier version) is judged by its start.
    """
    try:
        beat = datetime.fromisoformat(str(holder.get("heartbeat") or holder["started"]))
    except (KeyError, ValueError):
        return True
    if beat.tzinfo is None:
        return True
    return (now or datetime.now(UTC)) - beat > STALE_AFTER


# -- taking it ---------------------------------------------------------------------------


def _acquire(lease: Lease, setup_name: str) -> None:
    ssm, name = lease.ssm, lease.name
    for _ in range(_ROUNDS):
        if _create(ssm, name, lease.value()):
            return
        found = _read(ssm, name)
        if found is None:
            continue  # released in the meantime: create it again
        stale_value, holder = found
        if holder.get("token") == lease.token:
            return  # our own create, retried after its response was lost
        if not is_stale(holder):
            raise LockHeld(
                f"another run of setup '{setup_name}' is writing in this region "
                f"({_who(holder)}); wait for it, or if it died, run again once its "
                f"heartbeat is {_minutes(STALE_AFTER)} minutes old (or delete the SSM "
                f"parameter {name})"
            )
        log.warning("taking over the lock of a run that is gone: %s", _who(holder))
        outcome = _take_over(lease, stale_value)
        if outcome == "won":
            return
        if outcome == "busy":
            raise LockHeld(
                f"another run of setup '{setup_name}' is taking over the stale lock "
                f"{name} in this region right now; run again later"
            )
        # "changed": the lock moved on while we claimed it; judge it again.
    raise LockHeld(f"the lock {name} of setup '{setup_name}' keeps changing; run again later")


def _take_over(lease: Lease, stale_value: str) -> Literal["won", "busy", "changed"]:
    ssm = lease.ssm
    mine = json.dumps({"token": lease.token, "heartbeat": _iso()})
    for number in range(_CLAIMS):
        claim = claim_name(lease.name, stale_value, number)
        created = _create(ssm, claim, mine)
        found = None if created else _read(ssm, claim)
        if created or (found is not None and found[1].get("token") == lease.token):
            try:
                current = _read(ssm, lease.name)
                if current is None or current[0] != stale_value:
                    return "changed"
                ssm.put_parameter(
                    Name=lease.name,
                    Value=lease.value(),
                    Type="String",
                    Overwrite=True,
                    Description=_DESC,
                )
                return "won"
            finally:
                # This claim and those of runs that died mid-takeover. A late racer that
                # creates one again finds the lock changed, and gives up the takeover.
                for earlier in range(number + 1):
                    _delete_quietly(ssm, claim_name(lease.name, stale_value, earlier))
        if found is None:
            return "changed"  # its taker finished in the meantime
        if not is_stale(found[1]):
            return "busy"
        # Left by a run that died mid-takeover: the next number.
    return "busy"


def _beat(lease: Lease, every: float) -> None:
    while not lease.done.wait(every):
        with lease.mutex:
            if lease.done.is_set():
                return
            try:
                found = _read(lease.ssm, lease.name)
                if found is None or found[1].get("token") != lease.token:
                    holder = _who(found[1]) if found else "nobody"
                    log.error("the lock %s is no longer this run's (now: %s)", lease.name, holder)
                    lease.lost.set()
                    return
                lease.ssm.put_parameter(
                    Name=lease.name,
                    Value=lease.value(),
                    Type="String",
                    Overwrite=True,
                    Description=_DESC,
                )
            except _AWS_ERRORS as exc:
                # The next beat tries again; only STALE_AFTER without one loses the lock.
                log.warning("the lock's heartbeat failed (%s); trying again", exc)


# -- calls -------------------------------------------------------------------------------


def _create(ssm: Any, name: str, value: str) -> bool:
    """Create the parameter unless it exists (atomic in SSM); whether this call made it."""
    try:
        ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=False, Description=_DESC)
    except botocore.exceptions.ClientError as exc:
        if _code(exc) == "ParameterAlreadyExists":
            return False
        raise
    return True


def _read(ssm: Any, name: str) -> tuple[str, dict[str, Any]] | None:
    """The parameter's value, raw and parsed; None when it does not exist."""
    try:
        value = str(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    except botocore.exceptions.ClientError as exc:
        if _code(exc) == "ParameterNotFound":
            return None
        raise
    try:
        holder = json.loads(value)
    except ValueError:
        holder = {}
    return value, holder if isinstance(holder, dict) else {}


def _delete_quietly(ssm: Any, name: str) -> None:
    try:
        ssm.delete_parameter(Name=name)
    except _AWS_ERRORS as exc:
        log.debug("deleting %s: %s", name, exc)


def _code(exc: botocore.exceptions.ClientError) -> Any:
    return exc.response.get("Error", {}).get("Code")


def _who(holder: dict[str, Any]) -> str:
    return (
        f"{holder.get('host')} pid {holder.get('pid')}, since {holder.get('started')}, "
        f"last heartbeat {holder.get('heartbeat')}"
    )


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
