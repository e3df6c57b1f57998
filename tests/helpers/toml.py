"""Writing TOML from data, for tests that make config files (tomllib only reads).

One ``key = value`` line per top-level key, every table inline, so any nesting fits;
strings with JSON's escapes (TOML's basic-string escapes) and DEL escaped.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time
from typing import Any


def _toml_string(text: str) -> str:
    # JSON's escapes are TOML's basic-string escapes; TOML also forbids a raw DEL.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_value(value: Any) -> str:
    """``value`` as a TOML value; tables inline, so any nesting fits on one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{_toml_string(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"no TOML for {type(value).__name__}")


def to_toml(data: dict[str, Any]) -> str:
    """A TOML document for ``data``: one ``key = value`` line per top-level key."""
    return "".join(f"{_toml_string(k)} = {toml_value(v)}\n" for k, v in data.items())
