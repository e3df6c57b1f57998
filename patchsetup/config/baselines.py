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
from typing import Any, NoReturn

from patchsetup.baselines.messages import BaselineError
from patchsetup.baselines.presets import preset
from patchsetup.baselines.validate import NO_APPROVAL_DELAY, load_baseline_file, validate_rules
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
_BASELINE_KEYS = frozenset(
    {"operating_system", "name", "description", "file", *_RULE_SHAPING, "patch_groups", "tags"}
)
#: Rule keys that are patch filters, with the PatchFilterKey each stands for.
_RULE_FILTERS = {
    "classification": "CLASSIFICATION",
    "severity": "SEVERITY",
    "msrc_severity": "MSRC_SEVERITY",
    "product": "PRODUCT",
    "priority": "PRIORITY",
    "section": "SECTION",
    "patch_set": "PATCH_SET",
}
_RULE_KEYS = frozenset(
    {
        *_RULE_FILTERS,
        "filters",
        "approve_after_days",
        "approve_until_date",
        "compliance_level",
        "enable_non_security",
    }
)
_SOURCE_KEYS = frozenset({"name", "products", "configuration"})
#: Top-level request fields set from one TOML key each.
_SIMPLE = {
    "ApprovedPatches": "approved_patches",
    "ApprovedPatchesComplianceLevel": "approved_patches_compliance_level",
    "ApprovedPatchesEnableNonSecurity": "approved_patches_enable_non_security",
    "RejectedPatches": "rejected_patches",
    "RejectedPatchesAction": "rejected_patches_action",
}
#: PatchRule.ApproveAfterDays is 0-360 days (SSM API reference, PatchRule).
_MAX_DAYS = 360


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
    for key, value in table.data.items():
        baseline = Table.of(table.source, table.key(key), value, _BASELINE_KEYS)
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
        _apply(table, params, trail)
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


def _apply(table: Table, params: dict[str, Any], trail: dict[str, str]) -> None:
    """Apply the table's overrides to a preset request, recording where each part came from."""
    after = table.integer("approve_after_days", 0, _MAX_DAYS)
    until = table.date_text("approve_until_date")
    if after is not None and until is not None:
        table.fail("approve_until_date", "cannot be combined with approve_after_days; set one")
    _check_delay(table, str(params["OperatingSystem"]), after, until)
    level = table.string("compliance_level")
    changes: list[str] = []
    # Whole-field messages (e.g. "Sources: Linux only") name the TOML key that set it.
    for field, key in (("ApprovalRules", "rules"), ("GlobalFilters", "global_filters")):
        trail[field] = table.key(key) if table.has(key) else table.path
    trail["Sources"] = table.key("sources")
    if table.has("rules"):
        rules = [
            _rule(rule, index, table, after, until, level, trail)
            for index, rule in enumerate(table.tables("rules", _RULE_KEYS))
        ]
        params["ApprovalRules"] = {"PatchRules": rules}
        changes.append(f"{len(rules)} approval rule(s) of its own")
    else:
        for index, rule in enumerate(params["ApprovalRules"]["PatchRules"]):
            where = f"ApprovalRules.PatchRules[{index}]"
            trail[where] = table.path
            if after is not None:
                rule.pop("ApproveUntilDate", None)
                rule["ApproveAfterDays"] = after
                trail[f"{where}.ApproveAfterDays"] = table.key("approve_after_days")
            if until is not None:
                rule.pop("ApproveAfterDays", None)
                rule["ApproveUntilDate"] = until
                trail[f"{where}.ApproveUntilDate"] = table.key("approve_until_date")
            if level is not None:
                rule["ComplianceLevel"] = level
                trail[f"{where}.ComplianceLevel"] = table.key("compliance_level")
        if after is not None:
            changes.append(
                f"approved {after} days after release" if after else "approved on release"
            )
        if until is not None:
            changes.append(f"approved up to patches released on {until}")
        if level is not None:
            changes.append(f"compliance level {level}")
    if changes:
        # The preset's description states its approval rules; say what differs from them.
        params["Description"] = f"{params['Description']} Changed: {'; '.join(changes)}."
    for field, key in _SIMPLE.items():
        value = table.data.get(key)
        if value is None:
            continue
        if isinstance(value, list):
            value = list(table.string_list(key, value))
        params[field] = value  # other types: the validator names the key and the type
        trail[field] = table.key(key)
    filters = table.free_table("global_filters")
    if filters is not None:
        params["GlobalFilters"] = {"PatchFilters": _filters(filters, "GlobalFilters", trail)}
    if table.has("sources"):
        params["Sources"] = [
            _source(source, index, trail)
            for index, source in enumerate(table.tables("sources", _SOURCE_KEYS))
        ]


def _filters(table: Table, prefix: str, trail: dict[str, str]) -> list[dict[str, Any]]:
    """A ``{KEY = [values]}`` table as PatchFilters (keys are PatchFilterKey values)."""
    result: list[dict[str, Any]] = []
    for key, values in table.data.items():
        trail[f"{prefix}.PatchFilters[{len(result)}]"] = join_key(table.path, key)
        result.append({"Key": key, "Values": list(table.string_list(key, values, single=True))})
    return result


def _rule(
    rule: Table,
    index: int,
    baseline: Table,
    after: int | None,
    until: str | None,
    level: str | None,
    trail: dict[str, str],
) -> dict[str, Any]:
    """One ``rules[i]`` table as a PatchRule; baseline-level shorthands fill what it leaves out."""
    where = f"ApprovalRules.PatchRules[{index}]"
    trail[where] = rule.path
    filters: list[dict[str, Any]] = []
    for key, filter_key in _RULE_FILTERS.items():
        if rule.has(key):
            trail[f"{where}.PatchFilterGroup.PatchFilters[{len(filters)}]"] = rule.key(key)
            values = rule.string_list(key, rule.data[key], single=True)
            filters.append({"Key": filter_key, "Values": list(values)})
    extra = rule.free_table("filters")
    if extra is not None:
        for key, values in extra.data.items():
            if any(item["Key"] == key for item in filters):
                named = next(k for k, v in _RULE_FILTERS.items() if v == key)
                extra.fail(key, f"is already set by {named} in this rule")
            position = f"{where}.PatchFilterGroup.PatchFilters[{len(filters)}]"
            trail[position] = join_key(extra.path, key)
            found = extra.string_list(key, values, single=True)
            filters.append({"Key": key, "Values": list(found)})
    result: dict[str, Any] = {"PatchFilterGroup": {"PatchFilters": filters}}
    own_after = rule.integer("approve_after_days", 0, _MAX_DAYS)
    own_until = rule.date_text("approve_until_date")
    if own_after is not None and own_until is not None:
        rule.fail("approve_until_date", "cannot be combined with approve_after_days; set one")
    # Without a file the table names the OS (checked against the presets already).
    _check_delay(rule, str(baseline.data.get("operating_system")), own_after, own_until)
    if own_after is None and own_until is None:
        own_after, own_until = after, until
        source = "approve_after_days" if after is not None else "approve_until_date"
        if after is None and until is None:
            rule.fail(
                "",
                "needs approve_after_days or approve_until_date (in the rule or for the "
                "whole baseline)",
            )
        trail[f"{where}.ApproveAfterDays"] = trail[f"{where}.ApproveUntilDate"] = baseline.key(
            source
        )
    else:
        trail[f"{where}.ApproveAfterDays"] = rule.key("approve_after_days")
        trail[f"{where}.ApproveUntilDate"] = rule.key("approve_until_date")
    if own_after is not None:
        result["ApproveAfterDays"] = own_after
    if own_until is not None:
        result["ApproveUntilDate"] = own_until
    own_level = rule.string("compliance_level")
    if own_level is not None or level is not None:
        result["ComplianceLevel"] = own_level or level
        trail[f"{where}.ComplianceLevel"] = (
            rule.key("compliance_level") if own_level else baseline.key("compliance_level")
        )
    non_security = rule.boolean("enable_non_security")
    if non_security is not None:
        result["EnableNonSecurity"] = non_security
    return result


def _check_delay(table: Table, operating_system: str, after: int | None, until: str | None) -> None:
    """Refuse an approval delay the OS ignores: the staging it promises would not happen.

    Set in the config, it is a request ("prod 14 days after test") that AWS would
    accept and silently not honour; 0 days is what these OSes do anyway.
    """
    if operating_system not in NO_APPROVAL_DELAY:
        return
    why = (
        f"is ignored on {operating_system} (the API reference: not supported for Debian "
        "Server or Ubuntu Server), so patches would be approved as soon as they are "
        "available, with no delay"
    )
    if after:
        table.fail("approve_after_days", f"{after} days {why}; set 0 or drop the key")
    if until is not None:
        table.fail(
            "approve_until_date",
            f"{until} {why}; pin patches with approved_patches or rejected_patches instead",
        )


def _source(table: Table, index: int, trail: dict[str, str]) -> dict[str, Any]:
    where = f"Sources[{index}]"
    trail[where] = table.path
    trail[f"{where}.Name"] = table.key("name")
    trail[f"{where}.Products"] = table.key("products")
    trail[f"{where}.Configuration"] = table.key("configuration")
    products = table.strings("products")
    if not products:
        table.fail("products", "required: the products this repository serves")
    return {
        "Name": table.required_string("name"),
        "Products": list(products),
        "Configuration": table.required_string("configuration"),
    }


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
