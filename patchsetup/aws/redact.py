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


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:/+")


def redact_whole(url: str) -> str:
    """One URL value, however malformed (spaces included): everything after the first
    "?" goes, and everything between the scheme and the last "@" before it.

    The last "@" anywhere before the query, not only in a well-formed authority: in
    ``http:/ /key:secret@host`` (a mistyped "//") or ``http://key: secret@host`` no
    parser finds the userinfo, and the secret is still there. A path holding "@" is
    shown shorter than it could be; a secret is never shown.
    """
    head, query, _ = url.partition("?")
    if "@" in head:
        scheme = _SCHEME.match(head)
        head = f"{scheme.group(0) if scheme else ''}{REDACTED}@{head.rpartition('@')[2]}"
    return f"{head}?{REDACTED}" if query else head
