"""Reading a user's file as UTF-8 text (config, baseline and role-ARN files alike).

Only a regular file of at most MAX_BYTES is read. A FIFO would block the run
forever waiting for a writer, a device such as /dev/zero would be read until
memory runs out, and no config, baseline or list of role ARNs comes near a
mebibyte; each is refused at once, before any AWS call.
"""

from __future__ import annotations

import os
import stat

#: The largest file read (1 MiB).
MAX_BYTES = 1 << 20


class TextFileError(ValueError):
    """The file is not a small regular file of UTF-8 text; the message says why."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_text(path: str | os.PathLike[str], what: str = "file") -> str:
    """``read_utf8``, with a file that cannot be opened a TextFileError too
    (``cannot read <what>: <reason>``), so that a caller has one failure to report."""
    try:
        return read_utf8(path)
    except OSError as error:
        raise TextFileError(f"cannot read {what}: {error.strerror or error}") from None


def read_utf8(path: str | os.PathLike[str]) -> str:
    """The file's text (a UTF-8 byte-order mark is dropped).

    Raises OSError when the file cannot be opened, TextFileError when it is not a
    regular file, is larger than MAX_BYTES, or is not UTF-8.
    """
    # O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a
    # writer; the fstat below then refuses it. Regular files ignore the flag.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            kind = _kind(mode)
            raise TextFileError(f"{kind}, not a regular file" if kind[0] == "a" else kind)
        # Read one byte past the cap: the size from fstat may change while reading.
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise TextFileError(
            f"larger than {MAX_BYTES // (1 << 20)} MiB, the limit for any file read"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TextFileError(f"not UTF-8 text (byte {error.start})") from None
