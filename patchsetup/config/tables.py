"""Strict, typed reading of parsed TOML tables for the config file (``patchsetup.config``).

TOML gives plain dicts and lists; this module turns "the value at this key" into
a checked Python value or a one-line :class:`ConfigError` of the form
``FILE: key.path: problem``. Every table is read through a :class:`Table` that
knows its allowed keys, so a misspelt key is reported (with a "did you mean")
instead of silently ignored, which for a patching schedule would mean patching
at the wrong time. The allowed keys of each table live with the module that reads
that table. Two checks every reader shares are here too: a resource name's rule
(:func:`check_name`) and names used twice (:func:`unique`).
"""

from __future__ import annotations

import datetime
import difflib
import json
import os
import re
import tomllib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from patchsetup.errors import located
from patchsetup.fields import NAME_RE, NAME_RULE
from patchsetup.files import TextFileError, read_text

__all__ = [
    "ConfigError",
    "Table",
    "check_name",
    "describe",
    "fail",
    "hint",
    "join_key",
    "read_toml",
    "unique",
]


class ConfigError(ValueError):
    """One line: ``FILE: key.path: problem``; the CLI prints it and exits with 2."""


def fail(source: str, path: str, problem: str) -> NoReturn:
    """Raise the ConfigError for ``problem`` at key ``path`` of file ``source``."""
    raise ConfigError(located(source, path, problem))


def read_toml(path: str | os.PathLike[str], source: str) -> dict[str, object]:
    """Read and parse a TOML file; every failure (missing, not UTF-8, syntax) is a ConfigError."""
    try:
        text = read_text(path, "config file")
    except TextFileError as error:
        fail(source, "", str(error))
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib's message already ends with "(at line N, column M)".
        fail(source, "", f"not valid TOML: {error}")
    except ValueError as error:  # e.g. an integer too long for Python to convert
        fail(source, "", f"not valid TOML: {error}")
    except RecursionError:
        fail(source, "", "not valid TOML: nested too deeply")


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def join_key(path: str, key: str) -> str:
    """Append ``key`` to a dotted key path, quoting it as TOML would when it is not bare."""
    shown = key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)
    return f"{path}.{shown}" if path else shown


def _shown(text: str) -> str:
    """Quote a string for a message, shortened so one bad value cannot flood the terminal."""
    return repr(text if len(text) <= 60 else text[:60] + "...")


def describe(value: object) -> str:
    """Name a TOML value's type, with a short rendering of scalars, for messages."""
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        text = str(value)
        return f"integer {text if len(text) <= 20 else text[:20] + '...'}"
    if isinstance(value, float):
        return f"float {value!r}"
    if isinstance(value, str):
        return f"string {_shown(value)}"
    if isinstance(value, datetime.datetime):
        return f"date-time {value.isoformat()}"
    if isinstance(value, datetime.date):
        return f"date {value.isoformat()}"
    if isinstance(value, datetime.time):
        return f"time {value.isoformat()}"
    if isinstance(value, list):
        return "array"
    return "table"


def hint(word: str, candidates: Collection[str]) -> str:
    """Return `` (did you mean 'x'?)`` when a candidate is close to ``word``, else ``""``."""
    folded = {option.casefold(): option for option in candidates}
    match = folded.get(word.casefold())
    if match is None:
        close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
        match = close[0] if close else None
    return f" (did you mean {match!r}?)" if match is not None else ""


@dataclass(frozen=True)
class Table:
    """One TOML table at a key path, whose keys have been checked against the allowed ones."""

    source: str
    path: str
    data: Mapping[str, Any]

    @classmethod
    def of(cls, source: str, path: str, value: object, allowed: Collection[str]) -> Table:
        """Check that ``value`` is a table with only ``allowed`` keys and wrap it."""
        if not isinstance(value, dict):
            fail(source, path, f"must be a table, got {describe(value)}")
        for key in value:
            if key not in allowed:
                suggestion = hint(key, allowed)
                if not suggestion:
                    suggestion = f" (valid keys: {', '.join(sorted(allowed))})"
                fail(source, join_key(path, key), f"unknown key{suggestion}")
        return cls(source, path, value)

    def key(self, name: str) -> str:
        """The full key path of ``name`` in this table."""
        return join_key(self.path, name)

    def fail(self, name: str, problem: str) -> NoReturn:
        """Raise a ConfigError about key ``name`` of this table ("" for the table itself)."""
        fail(self.source, self.key(name) if name else self.path, problem)

    def has(self, name: str) -> bool:
        """Whether the key is set."""
        return name in self.data

    def string(self, name: str, *, max_len: int | None = None) -> str | None:
        """A non-empty string of at most ``max_len`` characters, or None when absent."""
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(name, f"must be a string, got {describe(value)}")
        if not value:
            self.fail(name, "must not be empty")
        if max_len is not None and len(value) > max_len:
            self.fail(name, f"must be at most {max_len} characters long, got {len(value)}")
        return value

    def required_string(self, name: str, *, max_len: int | None = None) -> str:
        """Like :meth:`string`, but a missing key is an error."""
        value = self.string(name, max_len=max_len)
        if value is None:
            self.fail(name, "required key is missing")
        return value

    def integer(self, name: str, low: int, high: int | None = None) -> int | None:
        """An integer in ``low``-``high`` (no upper bound when None), or None when absent."""
        value = self.data.get(name)
        if value is None:
            return None
        # bool is an int subclass in Python, but `true` is no number of hours.
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, f"must be an integer, got {describe(value)}")
        if value < low or (high is not None and value > high):
            bounds = f"{low}-{high}" if high is not None else f"at least {low}"
            self.fail(name, f"must be {bounds}, got {describe(value).split(' ', 1)[1]}")
        return value

    def boolean(self, name: str) -> bool | None:
        """``true`` or ``false``, or None when absent."""
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.fail(name, f"must be true or false, got {describe(value)}")
        return value

    def choice(self, name: str, choices: Collection[str]) -> str | None:
        """One of ``choices`` (exact spelling, as AWS wants it), or None when absent."""
        value = self.string(name)
        if value is not None and value not in choices:
            self.fail(
                name,
                f"must be one of {', '.join(choices)}; got {_shown(value)}{hint(value, choices)}",
            )
        return value

    def strings(
        self, name: str, *, max_items: int | None = None, max_len: int | None = None
    ) -> tuple[str, ...] | None:
        """An array of non-empty strings, or None when absent."""
        value = self.data.get(name)
        if value is None:
            return None
        return self.string_list(name, value, max_items=max_items, max_len=max_len)

    def string_list(
        self,
        name: str,
        value: object,
        *,
        max_items: int | None = None,
        max_len: int | None = None,
        single: bool = False,
    ) -> tuple[str, ...]:
        """Check ``value`` (found at ``name``) is an array of non-empty strings.

        With ``single``, one string stands for a one-item array (``Env = "test"``).
        """
        if single and isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            kind = "a string or an array of strings" if single else "an array of strings"
            self.fail(name, f"must be {kind}, got {describe(value)}")
        if max_items is not None and len(value) > max_items:
            self.fail(name, f"at most {max_items} items allowed, got {len(value)}")
        for index, item in enumerate(value):
            where = f"{self.key(name)}[{index}]"
            if not isinstance(item, str):
                fail(self.source, where, f"must be a string, got {describe(item)}")
            if not item:
                fail(self.source, where, "must not be empty")
            if max_len is not None and len(item) > max_len:
                fail(self.source, where, f"must be at most {max_len} characters, got {len(item)}")
        return tuple(value)

    def table(self, name: str, allowed: Collection[str]) -> Table | None:
        """The sub-table at ``name`` with its keys checked, or None when absent."""
        value = self.data.get(name)
        if value is None:
            return None
        return Table.of(self.source, self.key(name), value, allowed)

    def free_table(self, name: str) -> Table | None:
        """A sub-table whose keys are data (tags, filters): any key is allowed."""
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(name, f"must be a table, got {describe(value)}")
        return Table(self.source, self.key(name), value)

    def tables(self, name: str, allowed: Collection[str]) -> Iterator[Table]:
        """The tables of an array of tables (``[[x]]`` or ``x = [{...}]``); none when absent."""
        value = self.data.get(name)
        if value is None:
            return
        if not isinstance(value, list):
            self.fail(name, f"must be an array of tables, got {describe(value)}")
        for index, item in enumerate(value):
            yield Table.of(self.source, f"{self.key(name)}[{index}]", item, allowed)

    def datetime_text(self, name: str) -> str | None:
        """An ISO 8601 date-time as a string; TOML date-times are converted to one."""
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, datetime.datetime | datetime.date):
            text = value.isoformat()
            # AWS's own examples write UTC as "Z"; keep that spelling for TOML values too.
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if not isinstance(value, str):
            self.fail(name, f"must be an ISO 8601 date-time, got {describe(value)}")
        try:
            datetime.datetime.fromisoformat(value)
        except ValueError:
            self.fail(
                name,
                f"must be an ISO 8601 date-time like 2026-12-01T00:00:00Z, got {_shown(value)}",
            )
        return value

    def date_text(self, name: str) -> str | None:
        """A ``YYYY-MM-DD`` date as a string (TOML dates too), or None when absent."""
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value.isoformat()
        if not isinstance(value, str):
            self.fail(name, f"must be a date like 2027-01-31, got {describe(value)}")
        # The format itself is checked by the baseline validator (PatchRule's YYYY-MM-DD).
        return value


def check_name(table: Table, kind: str, name: str) -> None:
    """Check a resource name against the SSM API's pattern, at the key that set it."""
    if not NAME_RE.match(name):
        table.fail(
            "name" if table.has("name") else "",
            f"{kind} name {name!r} {NAME_RULE}",
        )


def unique(seen: dict[str, str], name: str, table: Table, kind: str) -> None:
    """Fail when ``name`` was already used by another table (``seen``: name -> path)."""
    if name in seen:
        table.fail(
            "name" if table.has("name") else "",
            f"{kind} name {name!r} is also used by {seen[name]}",
        )
    seen[name] = table.path
