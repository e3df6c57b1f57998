"""Field comparison: what differs between what the setup wants and what exists.

Pure: no boto3. A ``FieldDiff`` is one field that differs (shown in the plan);
``diff_fields`` finds them, with AWS's way of omitting unset values taken into
account; ``first_by`` matches what exists to what is wanted by a key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from patchsetup.deploy.remote import UNKNOWN

T = TypeVar("T")


@dataclass(frozen=True)
class FieldDiff:
    field: str
    old: Any
    new: Any


def by_path(diff: FieldDiff) -> list[FieldDiff]:
    """One diff per leaf that differs, named by its path (``A.B[0].C``), for people.

    Mappings are walked key by key, lists of the same length item by item; a list
    that grew or shrank, or a value that changed type, is one leaf.
    """
    return list(_leaves(diff.field, diff.old, diff.new))


def _leaves(path: str, old: Any, new: Any) -> Iterable[FieldDiff]:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            yield from _leaves(f"{path}.{key}", old.get(key), new.get(key))
    elif (
        isinstance(old, list)
        and isinstance(new, list)
        and len(old) == len(new)
        and any(isinstance(v, Mapping | list) for v in (*old, *new))
    ):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from _leaves(f"{path}[{index}]", a, b)
    elif old != new:
        yield FieldDiff(path, old, new)


def diff_fields(desired: Mapping[str, Any], actual: Mapping[str, Any]) -> tuple[FieldDiff, ...]:
    """Fields whose values differ; an absent field equals None (AWS omits unset ones)."""
    return tuple(
        FieldDiff(key, _blank(actual.get(key)), _blank(value))
        for key, value in desired.items()
        if actual.get(key) != UNKNOWN and _blank(value) != _blank(actual.get(key))
    )


def _blank(value: Any) -> Any:
    """AWS omits unset strings and empty lists: "", [] and {} mean the same as absent."""
    if isinstance(value, Mapping):
        value = {k: _blank(v) for k, v in value.items()}
        value = {k: v for k, v in value.items() if v is not None}
    elif isinstance(value, list):
        value = [_blank(v) for v in value]
    return None if value in ("", [], {}) else value


def first_by(items: Iterable[T], key: Callable[[T], Any]) -> dict[Any, T]:
    """Index by key, keeping the first of duplicates (later ones are planned for deletion)."""
    found: dict[Any, T] = {}
    for item in items:
        found.setdefault(key(item), item)
    return found
