"""AWS failures as one line: botocore's exceptions translated into ``AwsError`` (exit 1).

Importing this module loads no botocore: the cli catches AWS failures on every
command, and most commands never load the SDK. An exception of botocore's can only
exist once botocore.exceptions is loaded, so until then there is nothing to catch
(``aws_exceptions`` is empty).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from patchsetup.aws.redact import redact
from patchsetup.errors import AwsError


def describe_error(exc: BaseException) -> str:
    """One line for an AWS failure: what was called, the error code, AWS's words."""
    if "botocore.exceptions" not in sys.modules:
        return redact(f"{type(exc).__name__}: {exc}")
    import botocore.exceptions  # loaded already: it raised exc

    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        operation = getattr(exc, "operation_name", "request")
        code = error.get("Code", "Error")
        message = error.get("Message", "")
        return redact(f"{operation} failed: {code}: {message}".rstrip(": "))
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return (
            "no AWS credentials found: use --profile, AWS_PROFILE, AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY, or an instance or task role"
        )
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return redact(f"cannot reach the AWS endpoint: {exc}")
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return redact(str(exc))
    return redact(f"{type(exc).__name__}: {exc}")


def aws_exceptions() -> tuple[type[Exception], ...]:
    """botocore's two roots (BotoCoreError, ClientError) for an ``except`` clause; none
    while botocore is not loaded, when no such exception can have been raised."""
    if "botocore.exceptions" not in sys.modules:
        return ()
    import botocore.exceptions

    return (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)


@contextlib.contextmanager
def aws_errors() -> Iterator[None]:
    """Turn botocore's exceptions into one-line AwsError (exit 1)."""
    try:
        yield
    except aws_exceptions() as exc:
        raise AwsError(describe_error(exc)) from None
