"""Building blocks of the config file's JSON Schema (:mod:`patchsetup.config.schema`).

Each returns one JSON Schema node with its description; :func:`properties` is a strict
table that must describe exactly the keys its reader allows. No boto3 at import.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

__all__ = [
    "Schema",
    "boolean",
    "choice",
    "ecma",
    "free",
    "integer",
    "off_or",
    "one_or_many",
    "properties",
    "ssm_enum",
    "string",
    "strings",
]

Schema = dict[str, Any]


def ecma(pattern: re.Pattern[str]) -> str:
    r"""A Python rule's regex in JSON Schema's (ECMA 262) spelling: \A and \Z become ^ and $."""
    text = pattern.pattern
    if text.startswith("\\A") and text.endswith("\\Z"):
        return "^" + text[2:-2] + "$"
    return f"^(?:{text})$"


def string(description: str, **rules: Any) -> Schema:
    return {"type": "string", "description": description, **rules}


def integer(description: str, low: int, high: int | None = None) -> Schema:
    found: Schema = {"type": "integer", "description": description, "minimum": low}
    if high is not None:
        found["maximum"] = high
    return found


def boolean(description: str) -> Schema:
    return {"type": "boolean", "description": description}


def choice(description: str, choices: Collection[str]) -> Schema:
    return {"type": "string", "description": description, "enum": list(choices)}


def strings(description: str, item: Schema | None = None, **rules: Any) -> Schema:
    return {
        "type": "array",
        "description": description,
        "items": item or {"type": "string"},
        **rules,
    }


def one_or_many(description: str) -> Schema:
    """A string, or an array of strings (``Env = "test"`` is ``Env = ["test"]``)."""
    return {
        "description": description,
        "anyOf": [
            {"type": "string", "minLength": 1},
            {"type": "array", "items": {"type": "string"}},
        ],
    }


def free(description: str, value: Schema) -> Schema:
    """A table whose keys are data (tags, filters)."""
    return {"type": "object", "description": description, "additionalProperties": value}


def properties(
    title: str, allowed: Collection[str], described: Mapping[str, Schema], **rules: Any
) -> Schema:
    """A strict table: exactly the keys its reader allows, each described."""
    if set(described) != set(allowed):
        missing, extra = (
            sorted(set(allowed) - set(described)),
            sorted(set(described) - set(allowed)),
        )
        raise ValueError(f"schema of {title}: undescribed keys {missing}, unknown keys {extra}")
    return {
        "type": "object",
        "description": title,
        "properties": {key: described[key] for key in sorted(described)},
        "additionalProperties": False,
        **rules,
    }


def ssm_enum(member: str) -> list[str]:
    """The values botocore's SSM model allows for a member of CreatePatchBaseline's request."""
    from patchsetup.baselines import shapes

    found = shapes.create_input_shape().members[member]
    assert found.type_name == "string"
    return list(found.enum)


def off_or(table: Schema) -> Schema:
    """A table, or ``false`` to turn off an inherited one."""
    return {"description": table["description"], "anyOf": [{"enum": [False]}, table]}
