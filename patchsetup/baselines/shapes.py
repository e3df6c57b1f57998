"""Validation of a baseline request against botocore's SSM service model.

The model is botocore's own data, read without importing botocore
(:mod:`patchsetup.baselines.service_model`): the planner, the model, the config
parser and the commands that make no AWS call (``export``, ``policy``, ``--help``)
use these checks and must stay free of the AWS SDK.  It holds the model itself
(loaded once, on first use), the model's ``OperatingSystem`` enum as
:data:`OPERATING_SYSTEMS`, and the walk that checks a parsed document against the
``CreatePatchBaseline`` input shape: unknown keys with a "did you mean" hint, JSON
types, enum values, required members, length, pattern and range constraints.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from patchsetup.baselines.messages import describe, fail, hint, key_path, shown
from patchsetup.baselines.service_model import Shape, service_model

__all__ = ["OPERATING_SYSTEMS", "check_structure", "create_input_shape", "operating_systems"]


# ---------------------------------------------------------------------------
# botocore's SSM service model, loaded once on first use.
# ---------------------------------------------------------------------------


@functools.cache
def _ssm_model() -> dict[str, Any]:
    """Return botocore's SSM service model (its JSON), from botocore's own data only.

    Loaded lazily: reading the SSM model costs ~0.015 s, which a ``--version``
    should not pay.  Only botocore's bundled data path is searched (not
    ``~/.aws/models``) so validation does not change with whatever a user has
    dropped into their home directory.
    """
    return service_model("ssm")


def create_input_shape() -> Shape:
    """Return the input shape of ``CreatePatchBaseline``."""
    model = _ssm_model()
    name = model["operations"]["CreatePatchBaseline"]["input"]["shape"]
    shape = Shape(name, model["shapes"])
    if shape.type_name != "structure":  # pragma: no cover - botocore invariant
        raise TypeError("CreatePatchBaseline input is not a structure")
    return shape


@functools.cache
def operating_systems() -> tuple[str, ...]:
    """Return the model's ``OperatingSystem`` enum in model order."""
    shape = Shape("OperatingSystem", _ssm_model()["shapes"])
    if shape.type_name != "string":  # pragma: no cover - botocore invariant
        raise TypeError("OperatingSystem is not a string shape")
    return tuple(shape.enum)


# Declared here for type checkers and readers; the value is produced on first
# access by the module-level __getattr__ below, so importing this module does
# not load the SSM model.
OPERATING_SYSTEMS: tuple[str, ...]


def __getattr__(name: str) -> Any:
    """Resolve ``OPERATING_SYSTEMS`` lazily (PEP 562)."""
    if name == "OPERATING_SYSTEMS":
        value = operating_systems()
        globals()[name] = value  # later lookups skip this hook
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Members of a GetPatchBaseline response that CreatePatchBaseline does not
# take; people often save `aws ssm get-patch-baseline` output as a file.
_GET_ONLY_KEYS = frozenset({"BaselineId", "PatchGroups", "CreatedDate", "ModifiedDate"})

# \p{Z} (Unicode separators) spelled out, since Python's re has no \p{...}.
_UNICODE_SEPARATORS = r"\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


# ---------------------------------------------------------------------------
# Checking a document against the model's shapes.
# ---------------------------------------------------------------------------


@functools.cache
def _compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """Translate a model pattern (Java syntax) into a Python regex.

    The SSM model's patterns use ``\\p{L}``, ``\\p{N}`` and ``\\p{Z}``, which
    Python's ``re`` lacks.  ``\\w`` stands in for letters and digits (it also
    admits ``_``, which every such pattern in the model allows anyway), and
    the separators are spelled out.  A pattern that still does not compile is
    skipped rather than turned into a crash: the service checks it anyway.
    """
    translated = (
        pattern.replace(r"\p{L}", r"\w")
        .replace(r"\p{N}", r"\w")
        .replace(r"\p{Z}", _UNICODE_SEPARATORS)
    )
    try:
        return re.compile(translated)
    except re.error:  # pragma: no cover - no such pattern in today's model
        return None


def _check_string(value: str, shape: Shape, path: str, source: str) -> None:
    enum = shape.enum
    if enum and value not in enum:
        fail(
            source,
            path,
            f"must be one of {', '.join(enum)}; got {shown(value)}{hint(value, enum)}",
        )
    meta = shape.metadata
    if "min" in meta and len(value) < meta["min"]:
        fail(source, path, f"must be at least {meta['min']} characters long, got {len(value)}")
    if "max" in meta and len(value) > meta["max"]:
        fail(source, path, f"must be at most {meta['max']} characters long, got {len(value)}")
    pattern = meta.get("pattern")
    if isinstance(pattern, str):
        compiled = _compile_pattern(pattern)
        if compiled is not None and compiled.fullmatch(value) is None:
            fail(source, path, f"{describe(value)} does not match the pattern {pattern}")


def _check_number(value: object, shape: Shape, path: str, source: str) -> None:
    integral = shape.type_name in ("integer", "long")
    # bool is an int subclass in Python, but true is no number of days.
    if isinstance(value, bool) or not isinstance(value, int if integral else int | float):
        kind = "an integer" if integral else "a number"
        fail(source, path, f"must be {kind}, got {describe(value)}")
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    too_low = low is not None and value < low
    too_high = high is not None and value > high
    if (too_low or too_high) and low is not None and high is not None:
        fail(source, path, f"must be {low}-{high}, got {value}")
    if too_low:
        fail(source, path, f"must be at least {low}, got {value}")
    if too_high:
        fail(source, path, f"must be at most {high}, got {value}")


def _check_list(value: list[Any], shape: Shape, path: str, source: str) -> None:
    meta = shape.metadata
    if "min" in meta and len(value) < meta["min"]:
        fail(source, path, f"needs at least {meta['min']} item(s), got {len(value)}")
    if "max" in meta and len(value) > meta["max"]:
        fail(source, path, f"at most {meta['max']} items allowed, got {len(value)}")
    for index, item in enumerate(value):
        _check_shape(item, shape.member, f"{path}[{index}]", source)


def check_structure(
    value: dict[str, Any],
    shape: Shape,
    path: str,
    source: str,
    optional: frozenset[str] = frozenset(),
) -> None:
    """Check a JSON object against a structure shape; ``optional`` waives required members."""
    members = shape.members
    for key in getattr(value, "duplicates", ()):
        fail(source, key_path(path, key), "key appears more than once")
    for key, item in value.items():
        member = members.get(key)
        if member is None:
            if not path and key in _GET_ONLY_KEYS:
                why = "is GetPatchBaseline output, not CreatePatchBaseline input; delete it"
            else:
                why = f"unknown key{hint(key, members)}"
            fail(source, key_path(path, shown(key) if _odd_key(key) else key), why)
        _check_shape(item, member, key_path(path, key), source)
    for key in shape.required_members:
        if key not in value and key not in optional:
            fail(source, key_path(path, key), "required key is missing")


def _odd_key(key: str) -> bool:
    """Whether a key must be quoted to be readable inside a dotted key path."""
    return not key or len(key) > 40 or not key.isprintable() or any(ch in key for ch in ".[] ")


def _check_shape(value: object, shape: Shape, path: str, source: str) -> None:
    """Validate ``value`` against ``shape`` (types, enums, lengths, patterns, ranges)."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            fail(source, path, f"must be an object, got {describe(value)}")
        check_structure(value, shape, path, source)
    elif kind == "list":
        if not isinstance(value, list):
            fail(source, path, f"must be an array, got {describe(value)}")
        _check_list(value, shape, path, source)
    elif kind == "map":  # pragma: no cover - not in this input
        if not isinstance(value, dict):
            fail(source, path, f"must be an object, got {describe(value)}")
        for key, item in value.items():
            _check_shape(key, shape.key, path, source)
            _check_shape(item, shape.value, key_path(path, key), source)
    elif kind == "string":
        if not isinstance(value, str):
            fail(source, path, f"must be a string, got {describe(value)}")
        _check_string(value, shape, path, source)
    elif kind == "boolean":
        if not isinstance(value, bool):
            fail(source, path, f"must be true or false, got {describe(value)}")
    elif kind in ("integer", "long", "float", "double"):
        _check_number(value, shape, path, source)
    else:  # pragma: no cover - CreatePatchBaseline has no other member types
        fail(source, path, f"has model type {kind}, which baseline files cannot express")
