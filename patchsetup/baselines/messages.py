"""BaselineError and the wording of its one-line messages.

Every problem a baseline file, a preset choice or an update request can have
becomes one :class:`BaselineError` line of the form ``"<file>: <key path>:
<problem>"``, never a traceback.  The helpers here name values and key paths
the same way wherever the problem is found (the shape checks in
:mod:`patchsetup.baselines.shapes`, the prose rules in
:mod:`patchsetup.baselines.validate`, the OS choice in
:mod:`patchsetup.baselines.presets`).  Pure: no botocore.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn

from patchsetup.errors import located

__all__ = ["BaselineError", "describe", "fail", "hint", "key_path", "shown"]


class BaselineError(ValueError):
    """One-line user-facing message naming the file, the key path and the problem."""


def fail(source: str, path: str, problem: str) -> NoReturn:
    """Raise the user-facing error for ``problem`` at ``path`` in ``source``."""
    raise BaselineError(located(source, path, problem))


def key_path(path: str, key: str) -> str:
    """Join ``key`` onto a dotted key path (the top level has the empty path)."""
    return f"{path}.{key}" if path else key


def shown(text: str) -> str:
    """Quote ``text`` for a message, shortened so one bad value cannot flood the terminal."""
    return repr(text if len(text) <= 40 else text[:40] + "...")


def describe(value: object) -> str:
    """Name a JSON value's type (and a short rendering of scalars) for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        text = str(value)
        return f"integer {text if len(text) <= 20 else text[:20] + '...'}"
    if isinstance(value, float):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {shown(value)}"
    if isinstance(value, list):
        return "array"
    return "object"


def hint(word: str, candidates: Iterable[str]) -> str:
    """Return a " (did you mean 'X'?)" suffix when a candidate is close to ``word``."""
    options = list(candidates)
    folded = {option.casefold(): option for option in options}
    match = folded.get(word.casefold())
    if match is None:
        import difflib  # only to word a refusal

        close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
        match = close[0] if close else None
    return f" (did you mean {match!r}?)" if match is not None else ""
