"""Secrets out of text: the userinfo and query string of any URL, in messages and logs.

A CI job's AWS_ENDPOINT_URL may carry a proxy's credentials; every error line,
log record and traceback the tool prints goes through ``redact`` first.
"""

from __future__ import annotations

import logging
import re

#: Userinfo (``scheme://KEY:SECRET@``) and query strings (``?token=...``) of any URL in a
#: message: a CI job's AWS_ENDPOINT_URL may carry a proxy's credentials in either.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s\"'@]*@")
_QUERY = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s\"'?#]*)\?[^\s\"'#]*")
REDACTED = "***"


def redact(text: str) -> str:
    """``text`` with the userinfo and query string of every URL in it replaced by ***."""
    return _QUERY.sub(rf"\1?{REDACTED}", _USERINFO.sub(rf"\1{REDACTED}@", text))


class RedactingFilter(logging.Filter):
    """Redacts URLs' secrets in every log record a handler emits (ours and botocore's)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # The traceback's last line repeats the exception's text: format it now, redacted.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def redact_whole(url: str) -> str:
    """One URL value, however malformed (spaces included): everything after the first
    "?" and everything before the last "@" of the authority go."""
    head, query, _ = url.partition("?")
    scheme, sep, rest = head.rpartition("://") if "://" in head else ("", "", head)
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = f"{REDACTED}@{authority.rpartition('@')[2]}"
    shown = f"{scheme}{sep}{authority}{slash}{path}"
    return f"{shown}?{REDACTED}" if query else shown
