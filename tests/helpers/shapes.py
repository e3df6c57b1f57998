"""Strict check of raw SSM response bodies against botocore's output shapes.

`check_output("GetPatchBaseline", raw_body)` validates the JSON body exactly as it came
over the wire (before botocore parsed it): every key must be a member of the shape,
types must match (timestamps are JSON numbers for this json-1.1 service), enum values
valid, required members present, and the model's length/range/pattern constraints hold.
On failure it raises AssertionError listing every offending path.
"""

from __future__ import annotations

import importlib
import json
import re
from functools import cache
from typing import Any

import botocore.session

try:  # `regex` understands the model's \p{L}-style classes; it comes with cfn-lint.
    _regex_module: Any = importlib.import_module("regex")
except ImportError:  # pragma: no cover - fall back to an approximation with `re`
    _regex_module = None

_UNICODE_CLASSES = {
    r"\p{L}": "a-zA-Z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u1fff"
    "\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff",
    r"\p{Z}": " \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000",
    r"\p{N}": "0-9\u00b2\u00b3\u00b9\u00bc-\u00be\u0660-\u0669\uff10-\uff19",
}


@cache
def service_model(service: str = "ssm") -> Any:
    return botocore.session.get_session().get_service_model(service)


@cache
def _compile(pattern: str) -> Any:
    if _regex_module is not None:
        return _regex_module.compile(pattern)
    for prop, chars in _UNICODE_CLASSES.items():
        pattern = pattern.replace(prop, chars)
    return re.compile(pattern)


def _type_name(value: Any) -> str:
    return type(value).__name__


def _check(value: Any, shape: Any, path: str, errors: list[str]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if getattr(shape, "is_document_type", False):
            return
        if not isinstance(value, dict):
            errors.append(f"{path}: expected structure {shape.name}, got {_type_name(value)}")
            return
        wire_names = {m.serialization.get("name", n): n for n, m in shape.members.items()}
        for key, item in value.items():
            if key not in wire_names:
                errors.append(
                    f"{path}.{key}: not a member of {shape.name} "
                    f"(members: {', '.join(sorted(wire_names))})"
                )
                continue
            _check(item, shape.members[wire_names[key]], f"{path}.{key}", errors)
        for required in shape.required_members:
            wire = shape.members[required].serialization.get("name", required)
            if wire not in value:
                errors.append(f"{path}.{wire}: required member of {shape.name} is missing")
        return
    if kind == "list":
        if not isinstance(value, list):
            errors.append(f"{path}: expected list {shape.name}, got {_type_name(value)}")
            return
        if "min" in meta and len(value) < meta["min"]:
            errors.append(f"{path}: {len(value)} items < min {meta['min']} ({shape.name})")
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"{path}: {len(value)} items > max {meta['max']} ({shape.name})")
        for i, item in enumerate(value):
            _check(item, shape.member, f"{path}[{i}]", errors)
        return
    if kind == "map":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected map {shape.name}, got {_type_name(value)}")
            return
        if "min" in meta and len(value) < meta["min"]:
            errors.append(f"{path}: {len(value)} entries < min {meta['min']} ({shape.name})")
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"{path}: {len(value)} entries > max {meta['max']} ({shape.name})")
        for key, item in value.items():
            _check(key, shape.key, f"{path}<key {key!r}>", errors)
            _check(item, shape.value, f"{path}[{key!r}]", errors)
        return
    if kind == "string":
        if not isinstance(value, str):
            errors.append(f"{path}: expected string {shape.name}, got {_type_name(value)}")
            return
        if shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not one of {shape.name} {list(shape.enum)}")
        if "min" in meta and len(value) < meta["min"]:
            errors.append(f"{path}: length {len(value)} < min {meta['min']} ({shape.name})")
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"{path}: length {len(value)} > max {meta['max']} ({shape.name})")
        if "pattern" in meta and not _compile(meta["pattern"]).search(value):
            errors.append(
                f"{path}: {value!r} does not match pattern {meta['pattern']} ({shape.name})"
            )
        return
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"{path}: expected integer {shape.name}, got {_type_name(value)}")
            return
        if "min" in meta and value < meta["min"]:
            errors.append(f"{path}: {value} < min {meta['min']} ({shape.name})")
        if "max" in meta and value > meta["max"]:
            errors.append(f"{path}: {value} > max {meta['max']} ({shape.name})")
        return
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors.append(f"{path}: expected number {shape.name}, got {_type_name(value)}")
        return
    if kind == "boolean":
        if not isinstance(value, bool):
            errors.append(f"{path}: expected boolean {shape.name}, got {_type_name(value)}")
        return
    if kind == "timestamp":
        fmt = shape.serialization.get("timestampFormat", "unixTimestamp")
        if fmt == "unixTimestamp":
            if isinstance(value, bool) or not isinstance(value, int | float):
                errors.append(
                    f"{path}: expected timestamp (epoch number) {shape.name}, "
                    f"got {_type_name(value)}"
                )
        elif not isinstance(value, str):
            errors.append(f"{path}: expected {fmt} timestamp string, got {_type_name(value)}")
        return
    if kind == "blob":
        if not isinstance(value, str):
            errors.append(f"{path}: expected base64 blob string, got {_type_name(value)}")
        return
    errors.append(f"{path}: unsupported shape type {kind} ({shape.name})")


def output_errors(operation_name: str, body: Any, service: str = "ssm") -> list[str]:
    """Every violation of the operation's output shape in a raw (or decoded) body."""
    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8")
    if isinstance(body, str):
        try:
            body = json.loads(body) if body.strip() else {}
        except json.JSONDecodeError as exc:
            return [f"$: body is not JSON ({exc}): {body[:200]!r}"]
    shape = service_model(service).operation_model(operation_name).output_shape
    if shape is None:
        return [] if body in ({}, None) else [f"$: {operation_name} has no output shape"]
    errors: list[str] = []
    _check(body, shape, "$", errors)
    return errors


def check_output(operation_name: str, raw_json_body: Any, service: str = "ssm") -> None:
    """Assert that a raw response body satisfies the operation's output shape."""
    errors = output_errors(operation_name, raw_json_body, service)
    if errors:
        listing = "\n  ".join(errors)
        raise AssertionError(
            f"{operation_name} response does not match botocore's output shape:\n  {listing}"
        )


def input_errors(operation_name: str, params: Any, service: str = "ssm") -> list[str]:
    """Every violation of the operation's input shape (types, lengths, ranges, patterns)."""
    shape = service_model(service).operation_model(operation_name).input_shape
    errors: list[str] = []
    _check(params, shape, "$", errors)
    return errors
