"""The AWS session: credentials, profile, region, endpoint URL, clients and retries.

Everything here is offline until a client makes its first call. Regions are
checked against botocore's own partition data, so a typo never reaches AWS.
Sessions are botocore's (``botocore.session.Session``), which is what a boto3
session wraps: importing boto3 (and s3transfer, which it imports) cost a run about
25 ms before its first request, for nothing the tool uses; the session says it is
boto3's, so the User-Agent is the one a boto3 session sends.
Redaction is in ``patchsetup.aws.redact``, error translation in
``patchsetup.aws.errors``.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import ipaddress
import logging
import os
import re
import threading
import urllib.parse
from collections.abc import Mapping
from typing import Any

import botocore.exceptions
import botocore.session
import botocore.utils
from botocore.config import Config

from patchsetup import __version__
from patchsetup.aws import pacing
from patchsetup.aws.loader import RunLoader
from patchsetup.aws.redact import redact_whole
from patchsetup.errors import BadInput

log = logging.getLogger(__name__)


#: The tool's own retries: standard mode, 11 attempts in all. Throttling is paced per
#: operation (aws/pacing.py: each client's operations at the rate their throttles show,
#: a throttled call retried in its turn); botocore's adaptive mode would add one limiter
#: for the whole client, which slows every operation when one is throttled.
DEFAULT_RETRIES: dict[str, Any] = {"mode": "standard", "total_max_attempts": 11}
RETRY_MODES = ("legacy", "standard", "adaptive")
MAX_ATTEMPTS = 100


def retries(environ: Mapping[str, str], profile: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The tool's retries, with what the user configured for every AWS SDK instead.

    ``AWS_MAX_ATTEMPTS`` / ``AWS_RETRY_MODE``, else the profile's ``max_attempts`` /
    ``retry_mode`` (``where`` names the profile in messages), each override its half of
    DEFAULT_RETRIES, in botocore's own order. An explicit Config would otherwise silently
    override them. A value botocore would refuse is bad input (exit 2), before any call.
    """
    chosen = dict(DEFAULT_RETRIES)
    attempts = _setting(environ, profile, "AWS_MAX_ATTEMPTS", "max_attempts", where)
    if attempts is not None:
        source, value = attempts
        if not (value.isdigit() and 1 <= int(value) <= MAX_ATTEMPTS):
            raise BadInput(
                f"{source}: {value!r} is not a number of attempts from 1 to {MAX_ATTEMPTS} "
                "(attempts in all, the first included)"
            )
        chosen["total_max_attempts"] = int(value)
    mode = _setting(environ, profile, "AWS_RETRY_MODE", "retry_mode", where)
    if mode is not None:
        source, value = mode
        if value not in RETRY_MODES:
            raise BadInput(f"{source}: {value!r} is not a retry mode ({', '.join(RETRY_MODES)})")
        chosen["mode"] = value
    return chosen


def _setting(
    environ: Mapping[str, str], profile: Mapping[str, Any], variable: str, key: str, where: str
) -> tuple[str, str] | None:
    """(where it was set, its value) of an environment variable, else of a profile key."""
    given = environ.get(variable, "").strip()
    if given:
        return variable, given
    in_profile = str(profile.get(key, "")).strip()
    if in_profile:
        return f"{key} of {where}", in_profile
    return None


#: The run's retries: set from the caller's environment and profile by make_session;
#: the sessions of assumed roles (no profile of their own) use the caller's.
_RUN_RETRIES: list[dict[str, Any]] = []

RETRY_CONFIG = Config(
    connect_timeout=10,
    read_timeout=60,
    # A connection per call in flight: --concurrency is at most 64, and the lock's
    # heartbeat and its read beside the last writes come on top (botocore keeps 10,
    # and warns "Connection pool is full" on every call beyond them).
    max_pool_connections=72,
    user_agent_extra=f"ssm-patching-setup/{__version__}",
)


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region of every partition botocore knows (its ``partitions.json``).

    SSM is in every region (AWS opens it with the region), and botocore finds its
    endpoint in any region of a partition from the partition's rules, whether or not
    its per-service endpoint data (``endpoints.json``, 1.25 MB, parsed later only by
    the clients) lists the region yet. Only the partitions' global pseudo-regions
    (``aws-global``, ...) are not regions: each region is named as its partition's
    ``regionRegex`` says. Read on the run's one loader (``~/.aws/models`` and
    AWS_DATA_PATH first, as botocore does).
    """
    data = _run_loader().load_data("partitions")
    return frozenset(
        region
        for partition in data["partitions"]
        for region in partition["regions"]
        if re.match(partition["regionRegex"], region)
    )


def check_region(region: str) -> str:
    """Return ``region`` if SSM exists there, else BadInput with close matches."""
    if region in known_regions():
        return region
    close = difflib.get_close_matches(region, sorted(known_regions()), n=3)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    raise BadInput(f"--region: {region!r} is not a region where SSM exists{hint}")


def check_endpoint_url(url: str) -> str:
    """``url`` if botocore can send requests to it, else BadInput (secrets redacted).

    Only http and https with a host and a valid port: anything else (ftp://, no host,
    a port out of range, a space) used to end mid-run in an internal error or in
    half a minute of retries.
    """
    shown = redact_whole(url)
    where = "--endpoint-url (or AWS_ENDPOINT_URL)"
    if not url or url != url.strip() or any(c.isspace() or not c.isprintable() for c in url):
        raise BadInput(f"{where}: {shown!r} is empty or has spaces or control characters")
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # e.g. an unclosed "[" of an IPv6 address
        raise BadInput(f"{where}: {shown!r} is not a URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BadInput(
            f"{where}: {shown!r} must start with http:// or https:// (e.g. http://127.0.0.1:5000)"
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port == -1 or port == 0:
        raise BadInput(f"{where}: {shown!r} has no valid port (1-65535)")
    authority = parts.netloc.rpartition("@")[2]
    bare = f"{parts.scheme}://{authority}"
    # botocore's own checks, as it makes the client: an IPv6 literal in brackets, or a name.
    if authority.startswith("["):
        valid = _is_ipv6_literal(authority) and botocore.utils.is_valid_ipv6_endpoint_url(bare)
    else:
        valid = bool(parts.hostname) and bool(botocore.utils.is_valid_endpoint_url(bare))
    if not valid:
        raise BadInput(f"{where}: {shown!r} has no valid host name")
    return url


def _is_ipv6_literal(authority: str) -> bool:
    """``[address]`` or ``[address]:port``: nothing else may follow the bracket
    (``[::1]x:5000`` passed urllib and botocore, and the run ended in exit 1)."""
    address, _, after = authority[1:].partition("]")
    if after and not (after.startswith(":") and (after == ":" or after[1:].isdigit())):
        return False
    try:
        ipaddress.IPv6Address(address.partition("%")[0])
    except ValueError:
        return False
    return True


def make_session(profile: str | None, **credentials: str) -> botocore.session.Session:
    """A session on the standard credential chain, or on ``profile``, or on the given
    credentials. Every session of a run shares one loader, so each service model is
    parsed once per run however many targets the run has."""
    core = _new_session()
    if not credentials:  # explicit credentials (an assumed role) take no profile
        _check_profile(core, profile)
    with _LOADER_GUARD:
        _shared_loader(core)
        try:
            _as_boto3(core, profile, credentials)
        except botocore.exceptions.ProfileNotFound as exc:
            raise BadInput(f"--profile: {exc}") from None
    if not credentials:
        _RUN_RETRIES[:] = [retries(os.environ, core.get_scoped_config(), _profile_where(core))]
    return core


def _as_boto3(core: botocore.session.Session, profile: str | None, given: dict[str, str]) -> None:
    """What ``boto3.session.Session(botocore_session=core, ...)`` does to ``core`` for
    the clients the tool makes: boto3's name in the User-Agent, the profile, the
    credentials. (The rest is boto3's resources and S3's transfer methods; its data
    directory holds only resource models.)"""
    if core.user_agent_name == "Botocore":
        botocore_info = f"Botocore/{core.user_agent_version}"
        extra = core.user_agent_extra
        core.user_agent_extra = f"{extra} {botocore_info}" if extra else botocore_info
        core.user_agent_name = "Boto3"
        core.user_agent_version = _boto3_version()
    if profile is not None:
        core.set_config_variable("profile", profile)
    if given:
        core.set_credentials(
            given["aws_access_key_id"],
            given["aws_secret_access_key"],
            given.get("aws_session_token"),
        )


@functools.cache
def _boto3_version() -> str:
    """boto3's ``__version__``, read from its source (importing boto3 is what this saves;
    importlib.metadata costs 20 ms); boto3 itself if the source does not say."""
    spec = importlib.util.find_spec("boto3")
    try:
        with open(spec.origin or "", encoding="utf-8") as source:  # type: ignore[union-attr]
            found = re.search(r"^__version__ = ['\"]([^'\"]+)['\"]", source.read(), re.M)
    except (AttributeError, OSError):
        found = None
    if found:
        return found.group(1)
    import boto3  # pragma: no cover - a boto3 that spells its version otherwise

    return str(boto3.__version__)  # pragma: no cover


def _profile_where(core: botocore.session.Session) -> str:
    """``profile 'NAME' (FILE)``: where a profile's setting was read, for a message."""
    name = core.get_config_variable("profile") or "default"
    return f"profile {name!r} ({core.get_config_variable('config_file')})"


def _check_profile(core: botocore.session.Session, profile: str | None) -> None:
    """An unknown profile, from --profile or AWS_PROFILE, is bad input (exit 2). boto3 only
    records the name, and botocore would fail at the first call or the first config read
    (exit 1). Only a profile named nowhere may be missing: then "default" is implied."""
    chosen = profile if profile is not None else core.get_config_variable("profile")
    if chosen is None or chosen in core.available_profiles:
        return
    known = ", ".join(sorted(core.available_profiles)) or "none"
    where = "--profile" if profile is not None else "AWS_PROFILE"
    raise BadInput(
        f"{where}: no profile {chosen!r} in the AWS config or credentials files "
        f"(profiles found: {known})"
    )


_LOADER: list[RunLoader] = []
_LOADER_GUARD = threading.RLock()
#: The session the region check made for the loader, for make_session to take.
_SPARE: list[botocore.session.Session] = []


def _shared_loader(core: botocore.session.Session) -> botocore.session.Session:
    """``core`` on the run's one loader (made as the first session's would be), which
    caches every data file it parses: each service model and the endpoint data are read
    once per run (aws/loader.py)."""
    with _LOADER_GUARD:
        if not _LOADER:
            _LOADER.append(RunLoader.create(core.get_config_variable("data_path")))
        core.register_component("data_loader", _LOADER[0])
    return core


def _run_loader() -> RunLoader:
    """The run's one loader; made now, with a session for make_session to take, if no
    session has been made yet (the region check runs while the options are parsed)."""
    with _LOADER_GUARD:
        if not _LOADER:
            _SPARE.append(_shared_loader(_made()))
        return _LOADER[0]


def _new_session() -> botocore.session.Session:
    """A new botocore session: the region check's, if it made one (each registers some
    250 handlers), else a fresh one."""
    with _LOADER_GUARD:
        return _SPARE.pop() if _SPARE else _made()


def _made() -> botocore.session.Session:
    """A botocore session, said in the debug log (tests/cli/test_service_models.py
    counts them: each registers some 250 handlers, so a run makes no more than it uses)."""
    log.debug("botocore session made")
    return botocore.session.get_session()


def resolve_region(session: botocore.session.Session, region: str | None) -> str:
    """The region from the option, else from the profile or environment."""
    chosen = region or session.get_config_variable("region")
    if not chosen:
        raise BadInput(
            "no region: pass -r/--region, or set AWS_REGION or AWS_DEFAULT_REGION, "
            "or a region in your profile"
        )
    return check_region(chosen)


def client(
    session: botocore.session.Session, service: str, region: str, endpoint_url: str | None
) -> Any:
    """A client with the run's retries, paced per operation (aws/pacing.py);
    ``endpoint_url`` for a local stand-in."""
    chosen = _RUN_RETRIES[0] if _RUN_RETRIES else retries(os.environ, {}, "the profile")
    config = RETRY_CONFIG.merge(Config(retries=dict(chosen)))  # type: ignore[arg-type]
    with _making(service):
        made: Any = session.create_client(
            service, region_name=region, endpoint_url=endpoint_url, config=config
        )
    made.meta.events.register_first("needs-retry", _no_retry_on_ssl_errors)
    pacing.attach(made)
    # Which endpoint a run talks to is the first question when debugging one; the
    # handler's RedactingFilter keeps a URL's userinfo and query out of the line.
    log.debug(
        "%s client for %s: %s (retries: %s mode, %s attempts)",
        service,
        region,
        made.meta.endpoint_url,
        made.meta.config.retries["mode"],
        made.meta.config.retries["total_max_attempts"],
    )
    return made


#: One lock per service: botocore's loader caches what it parsed, but two threads that
#: make the same service's client at once (two regions) would both parse its model.
_MAKING: dict[str, threading.Lock] = {}


def _making(service: str) -> threading.Lock:
    with _LOADER_GUARD:
        return _MAKING.setdefault(service, threading.Lock())


def _no_retry_on_ssl_errors(caught_exception: Exception | None = None, **_: Any) -> None:
    """An SSL error is a setup problem, not congestion: https to an http port, a proxy
    that intercepts TLS, a missing CA bundle. Retrying it ten times took 30-37 s; raising
    it from the retry hook ends the call at once with the error itself."""
    if isinstance(caught_exception, botocore.exceptions.SSLError):
        raise caught_exception
