"""AWS failures as one line: botocore's exceptions translated into ``AwsError`` (exit 1).

Importing this module loads no botocore: the cli catches AWS failures on every
command, and most commands never load the SDK. An exception of botocore's can only
exist once botocore.exceptions is loaded, so until then there is nothing to catch
(``aws_exceptions`` is empty).
"""

from __future__ import annotations

import contextlib
import re
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
        message = _one_line(str(error.get("Message", "")))
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


#: The most of AWS's words an error line shows (a page from a proxy can be long).
MESSAGE_MAX = 300
_XML_FIELD = re.compile(r"<(Code|Message)>(.*?)</\1>", re.DOTALL)


def _one_line(message: str) -> str:
    """AWS's words on one line. A body botocore could not parse (its message is the raw
    body: an XML error of the wrong protocol, an HTML page from something in between) is
    its ``<Code>`` and ``<Message>`` when it has them; whitespace is collapsed and the
    line cut at MESSAGE_MAX characters."""
    if message.lstrip().startswith("<"):
        fields = dict((name, text.strip()) for name, text in _XML_FIELD.findall(message))
        if fields:
            message = ": ".join(fields[k] for k in ("Code", "Message") if fields.get(k))
    words = " ".join(message.split())
    return words if len(words) <= MESSAGE_MAX else words[: MESSAGE_MAX - 3] + "..."


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
