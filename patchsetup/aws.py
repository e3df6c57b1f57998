"""The AWS session: credentials, region, endpoint, retries, and error translation.

Everything here is offline until a client makes its first call. Regions are
checked against botocore's own endpoint data, so a typo never reaches AWS.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import boto3
import botocore.exceptions
import botocore.loaders
import botocore.session
from botocore.config import Config

from patchsetup import __version__, preflight
from patchsetup.errors import AwsError, BadInput

log = logging.getLogger(__name__)


def _retries(environ: Mapping[str, str]) -> dict[str, Any]:
    """Enough attempts to ride out SSM throttling (TPS is low on the write APIs): 11.

    ``AWS_MAX_ATTEMPTS`` (botocore's own variable: attempts in all, the first one
    included) sets another number, as it does for every AWS SDK; an explicit
    Config would otherwise silently override it. A value that is not a positive
    integer is ignored.
    """
    given = environ.get("AWS_MAX_ATTEMPTS", "").strip()
    if given.isdigit() and 1 <= int(given) <= 100:
        return {"mode": "adaptive", "total_max_attempts": int(given)}
    return {"mode": "adaptive", "max_attempts": 10}


RETRY_CONFIG = Config(
    retries=_retries(os.environ),  # type: ignore[arg-type]  # a TypedDict only in the stubs
    connect_timeout=10,
    read_timeout=60,
    user_agent_extra=f"ssm-patching-setup/{__version__}",
)


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region where botocore knows an SSM endpoint, in every partition."""
    session = boto3.session.Session()
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("ssm", partition_name=partition))
    return frozenset(regions)


def check_region(region: str) -> str:
    """Return ``region`` if SSM exists there, else BadInput with close matches."""
    if region in known_regions():
        return region
    close = difflib.get_close_matches(region, sorted(known_regions()), n=3)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    raise BadInput(f"--region: {region!r} is not a region where SSM exists{hint}")


def make_session(profile: str | None, **credentials: str) -> boto3.session.Session:
    """A session on the standard credential chain, or on ``profile``, or on the given
    credentials. Every session of a run shares one loader, so each service model is
    parsed once per run however many targets the run has."""
    core = botocore.session.get_session()
    with _LOADER_GUARD:
        if not _LOADER:
            _LOADER.append(core.get_component("data_loader"))
        core.register_component("data_loader", _LOADER[0])
        try:
            session = boto3.session.Session(
                botocore_session=core, profile_name=profile, **credentials
            )
        except botocore.exceptions.ProfileNotFound as exc:
            raise BadInput(f"--profile: {exc}") from None
        finally:
            # boto3 adds its data directory to the loader's search path per session.
            paths = _LOADER[0].search_paths
            paths[:] = dict.fromkeys(paths)
    return session


_LOADER: list[botocore.loaders.Loader] = []
_LOADER_GUARD = threading.Lock()


def resolve_region(session: boto3.session.Session, region: str | None) -> str:
    """The region from the option, else from the profile or environment."""
    chosen = region or session.region_name
    if not chosen:
        raise BadInput(
            "no region: pass -r/--region, or set AWS_REGION or AWS_DEFAULT_REGION, "
            "or a region in your profile"
        )
    return check_region(chosen)


def client(
    session: boto3.session.Session, service: str, region: str, endpoint_url: str | None
) -> Any:
    """A client with adaptive retries; ``endpoint_url`` for a local stand-in."""
    return session.client(  # type: ignore[call-overload]
        service, region_name=region, endpoint_url=endpoint_url, config=RETRY_CONFIG
    )


#: Quota names as Service Quotas lists them for "ssm" contain these words; names
#: that also mention a narrower scope (per window, per task) are other quotas.
_QUOTA_WORDS = {"windows": "maintenance window", "baselines": "patch baseline"}
_NARROWER = ("task", "target", "execution", "concurrent", "per maintenance", "group", "per patch")


def quota_limits(quotas_client: Any) -> preflight.Quotas:
    """The account's quotas from Service Quotas; AWS's documented defaults where it
    does not answer (no permission, not available, or no matching quota)."""
    found: dict[str, int] = {}
    try:
        paginator = quotas_client.get_paginator("list_service_quotas")
        for page in paginator.paginate(ServiceCode="ssm"):
            for quota in page.get("Quotas", []):
                name = str(quota.get("QuotaName", "")).lower()
                for key, words in _QUOTA_WORDS.items():
                    if words in name and not any(n in name for n in _NARROWER):
                        found[key] = int(quota["Value"])
    except AWS_EXCEPTIONS as exc:
        log.debug("Service Quotas did not answer (%s): using documented defaults", exc)
        return preflight.Quotas()
    if not found:
        return preflight.Quotas()
    defaults = preflight.Quotas()
    return preflight.Quotas(
        windows=found.get("windows", defaults.windows),
        baselines=found.get("baselines", defaults.baselines),
        source="Service Quotas",
    )


def describe_error(exc: BaseException) -> str:
    """One line for an AWS failure: what was called, the error code, AWS's words."""
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        operation = getattr(exc, "operation_name", "request")
        code = error.get("Code", "Error")
        message = error.get("Message", "")
        return f"{operation} failed: {code}: {message}".rstrip(": ")
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return (
            "no AWS credentials found: use --profile, AWS_PROFILE, AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY, or an instance or task role"
        )
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return f"cannot reach the AWS endpoint: {exc}"
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


AWS_EXCEPTIONS = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)


@contextlib.contextmanager
def aws_errors() -> Iterator[None]:
    """Turn botocore's exceptions into one-line AwsError (exit 1)."""
    try:
        yield
    except AWS_EXCEPTIONS as exc:
        raise AwsError(describe_error(exc)) from None
