"""Reading a user's file as UTF-8 text (config and baseline files alike)."""

from __future__ import annotations

import os


class TextFileError(ValueError):
    """The file is not UTF-8 text; the message says where it stops being so."""


def read_utf8(path: str | os.PathLike[str]) -> str:
    """The file's text (a UTF-8 byte-order mark is dropped).

    Raises OSError when the file cannot be read, TextFileError when it is not UTF-8.
    """
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TextFileError(f"not UTF-8 text (byte {error.start})") from None
