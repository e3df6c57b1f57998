"""The ``[baselines.<key>]`` tables of the config file, as BaselineSpecs.

A baseline starts from AWS's predefined rules for its OS
(:func:`patchsetup.baselines.presets.preset`) and the table overrides parts of them, or
it comes from a JSON baseline file. Either way the resulting
CreatePatchBaseline request goes through the same validator as a baseline file
(botocore's model plus the API reference's prose rules), and any problem it
finds is reported at the TOML key that produced the offending request field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

from patchsetup.baselines.messages import BaselineError
from patchsetup.baselines.presets import preset
from patchsetup.baselines.validate import load_baseline_file, validate_rules
from patchsetup.config.baseline_rules import apply_overrides
from patchsetup.config.tables import Table, describe, fail, join_key
from patchsetup.fields import NAME_RE, NAME_RULE, PATCH_GROUP_MAX, patch_group_problem
from patchsetup.model import OWNER_TAG, BaselineSpec

__all__ = ["read_baselines"]

#: Keys that shape the rules: a baseline file holds those itself.
_RULE_SHAPING = (
    "approve_after_days",
    "approve_until_date",
    "compliance_level",
    "rules",
    "approved_patches",
    "approved_patches_compliance_level",
    "approved_patches_enable_non_security",
    "rejected_patches",
    "rejected_patches_action",
    "global_filters",
    "sources",
)
BASELINE_KEYS = frozenset(
    {
        "operating_system",
        "name",
        "description",
        "file",
        *_RULE_SHAPING,
        "patch_groups",
        "tags",
        "default",
    }
)


def read_baselines(
    table: Table | None, setup_name: str, base_dir: Path, warnings: list[str] | None = None
) -> list[BaselineSpec]:
    """Build every ``[baselines.<key>]``; AWS allows one baseline per patch group per OS.

    What is legal but likely not meant is appended to ``warnings``.
    """
    if table is None:
        return []
    specs: list[BaselineSpec] = []
    names: dict[str, str] = {}
    owners: dict[tuple[str, str], tuple[str, str]] = {}
    defaults: dict[str, str] = {}
    for key, value in table.data.items():
        baseline = Table.of(table.source, table.key(key), value, BASELINE_KEYS)
        spec = _baseline(key, baseline, setup_name, base_dir, warnings)
        if spec.name in names:
            baseline.fail("name", f"baseline name {spec.name!r} is also used by {names[spec.name]}")
        names[spec.name] = baseline.path
        for group in spec.patch_groups:
            other = owners.get((group, spec.operating_system))
            if other is not None:
                baseline.fail(
                    "patch_groups",
                    f"patch group {group!r} is also registered to {spec.operating_system} "
                    f"baseline {other[0]!r} ({other[1]}); AWS allows one baseline per patch "
                    "group per operating system",
                )
            owners[(group, spec.operating_system)] = (spec.name, baseline.path)
        if spec.default:
            other_default = defaults.setdefault(spec.operating_system, baseline.path)
            if other_default != baseline.path:
                baseline.fail(
                    "default",
                    f"{other_default} is already the default {spec.operating_system} baseline; "
                    "a region has one default baseline per operating system",
                )
        specs.append(spec)
    return specs


def _baseline(
    key: str, table: Table, setup_name: str, base_dir: Path, warnings: list[str] | None
) -> BaselineSpec:
    name = table.string("name")
    operating_system = table.string("operating_system")
    description = table.string("description")
    groups = table.strings("patch_groups", max_len=PATCH_GROUP_MAX) or ()
    if len(set(groups)) != len(groups):
        table.fail("patch_groups", "names a patch group twice")
    for group in groups:
        problem = patch_group_problem(group)
        if problem is not None:
            table.fail("patch_groups", f"{group!r}: {problem}")
    tags = _tags(table)
    default = bool(table.boolean("default"))
    # Request path (as the validator reports it) -> TOML key path, for messages.
    trail: dict[str, str] = {
        "Name": table.key("name") if name is not None else table.path,
        "Description": table.key("description"),
        "Tags": table.key("tags"),
        "OperatingSystem": table.key("operating_system"),
    }
    file = table.string("file")
    if file is not None:
        given = next((k for k in _RULE_SHAPING if table.has(k)), None)
        if given is not None:
            table.fail(given, "cannot be combined with file: the file holds the rules")
        try:
            params = load_baseline_file(base_dir / file)
        except BaselineError as error:
            table.fail("file", str(error))
        file_os = str(params.get("OperatingSystem", "WINDOWS"))  # the API's default
        if "OperatingSystem" not in params and operating_system is None and warnings is not None:
            warnings.append(
                f"{table.source}: {table.key('file')}: {file} has no OperatingSystem, so AWS "
                'makes it a WINDOWS baseline; add "OperatingSystem" to the file, or '
                'operating_system = "WINDOWS" here to say so'
            )
        if operating_system is not None and operating_system != file_os:
            table.fail(
                "operating_system", f"is {operating_system}, but {file} is a {file_os} baseline"
            )
        operating_system = file_os
        # The table's name wins over the file's, as the file may serve several baselines.
        file_name = params.pop("Name", None)
        name = name or file_name
        file_tags = {tag["Key"]: tag["Value"] for tag in params.pop("Tags", [])}
        tags = {**file_tags, **tags}
    else:
        if operating_system is None:
            table.fail("operating_system", "required key is missing (or set file)")
        try:
            params = preset(operating_system)
        except BaselineError as error:
            table.fail("operating_system", str(error))
        apply_overrides(table, params, trail)
    name = name or f"{setup_name}-{key}"
    if not NAME_RE.match(name):
        table.fail(
            "name" if table.has("name") else "",
            f"baseline name {name!r} {NAME_RULE}" + ("" if table.has("name") else "; set name"),
        )
    params["OperatingSystem"] = operating_system
    if description is not None:
        params["Description"] = description
    request = {"Name": name, **params}
    if tags:
        request["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        for index, tag in enumerate(tags):
            trail[f"Tags[{index}]"] = join_key(table.key("tags"), tag)
    try:
        # The validator load_baseline_file uses, on the request built here ("" as the
        # source so the request path can be mapped back to the TOML key).
        checked = validate_rules(request, "")
    except BaselineError as error:
        _translate(table, trail, str(error))
    rules = {k: v for k, v in checked.items() if k not in ("Name", "Tags")}
    return BaselineSpec(
        name=name,
        operating_system=operating_system,
        rules=rules,
        patch_groups=groups,
        tags=tags,
        default=default,
    )


def _tags(table: Table) -> dict[str, str]:
    tags = table.free_table("tags")
    if tags is None:
        return {}
    result: dict[str, str] = {}
    for key, value in tags.data.items():
        if not isinstance(value, str):
            tags.fail(key, f"tag values must be strings, got {describe(value)}")
        # The tool's ownership tag is how it finds its own baselines; AWS reserves aws:.
        if key == OWNER_TAG or key.lower().startswith("aws:"):
            tags.fail(key, "is a reserved tag key")
        result[key] = value
    return result


def _translate(table: Table, trail: Mapping[str, str], message: str) -> NoReturn:
    """Re-raise a validator message (``": <request path>: <problem>"``) at the TOML key."""
    body = message.removeprefix(": ")
    path, separator, problem = body.partition(": ")
    if not separator:
        table.fail("", body)
    matches = [p for p in trail if path == p or path.startswith((p + ".", p + "["))]
    if not matches:
        table.fail("", f"{path}: {problem}")
    best = max(matches, key=len)
    rest = path[len(best) :]
    # Inside a filter, ".Values[2]" is the filter key's [2] and ".Key" the key itself.
    rest = re.sub(r"\.(PatchRules|PatchFilterGroup|PatchFilters|Values)\b", "", rest)
    rest = re.sub(r"\.(Key|Value)$", "", rest)
    fail(table.source, trail[best] + rest, problem)
