"""The approval rules of a ``[baselines.<key>]`` table: its overrides of a preset.

The baseline-level shorthands (``approve_after_days``, ``approve_until_date``,
``compliance_level``), ``rules = [...]`` with their filter keys, ``global_filters``,
``sources`` and the patch lists, laid over the preset's CreatePatchBaseline request.
Each part records in ``trail`` which TOML key produced which request field, so that
a validator message can be reported at the key (``config/baselines.py``).
"""

from __future__ import annotations

from typing import Any

from patchsetup.baselines.validate import NO_APPROVAL_DELAY
from patchsetup.config.tables import Table, join_key

#: Rule keys that are patch filters, with the PatchFilterKey each stands for.
RULE_FILTERS = {
    "classification": "CLASSIFICATION",
    "severity": "SEVERITY",
    "msrc_severity": "MSRC_SEVERITY",
    "product": "PRODUCT",
    "priority": "PRIORITY",
    "section": "SECTION",
    "patch_set": "PATCH_SET",
}
RULE_KEYS = frozenset(
    {
        *RULE_FILTERS,
        "filters",
        "approve_after_days",
        "approve_until_date",
        "compliance_level",
        "enable_non_security",
    }
)
SOURCE_KEYS = frozenset({"name", "products", "configuration"})
#: Top-level request fields set from one TOML key each.
_SIMPLE = {
    "ApprovedPatches": "approved_patches",
    "ApprovedPatchesComplianceLevel": "approved_patches_compliance_level",
    "ApprovedPatchesEnableNonSecurity": "approved_patches_enable_non_security",
    "RejectedPatches": "rejected_patches",
    "RejectedPatchesAction": "rejected_patches_action",
}
#: PatchRule.ApproveAfterDays is 0-360 days (SSM API reference, PatchRule).
MAX_DAYS = 360


def apply_overrides(table: Table, params: dict[str, Any], trail: dict[str, str]) -> None:
    """Apply the table's overrides to a preset request, recording where each part came from."""
    after = table.integer("approve_after_days", 0, MAX_DAYS)
    until = table.date_text("approve_until_date")
    if after is not None and until is not None:
        table.fail("approve_until_date", "cannot be combined with approve_after_days; set one")
    check_delay(table, str(params["OperatingSystem"]), after, until)
    level = table.string("compliance_level")
    changes: list[str] = []
    # Whole-field messages (e.g. "Sources: Linux only") name the TOML key that set it.
    for field, key in (("ApprovalRules", "rules"), ("GlobalFilters", "global_filters")):
        trail[field] = table.key(key) if table.has(key) else table.path
    trail["Sources"] = table.key("sources")
    if table.has("rules"):
        rules = [
            _rule(rule, index, table, after, until, level, trail)
            for index, rule in enumerate(table.tables("rules", RULE_KEYS))
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
            for index, source in enumerate(table.tables("sources", SOURCE_KEYS))
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
    for key, filter_key in RULE_FILTERS.items():
        if rule.has(key):
            trail[f"{where}.PatchFilterGroup.PatchFilters[{len(filters)}]"] = rule.key(key)
            values = rule.string_list(key, rule.data[key], single=True)
            filters.append({"Key": filter_key, "Values": list(values)})
    extra = rule.free_table("filters")
    if extra is not None:
        for key, values in extra.data.items():
            if any(item["Key"] == key for item in filters):
                named = next(k for k, v in RULE_FILTERS.items() if v == key)
                extra.fail(key, f"is already set by {named} in this rule")
            position = f"{where}.PatchFilterGroup.PatchFilters[{len(filters)}]"
            trail[position] = join_key(extra.path, key)
            found = extra.string_list(key, values, single=True)
            filters.append({"Key": key, "Values": list(found)})
    result: dict[str, Any] = {"PatchFilterGroup": {"PatchFilters": filters}}
    own_after = rule.integer("approve_after_days", 0, MAX_DAYS)
    own_until = rule.date_text("approve_until_date")
    if own_after is not None and own_until is not None:
        rule.fail("approve_until_date", "cannot be combined with approve_after_days; set one")
    # Without a file the table names the OS (checked against the presets already).
    check_delay(rule, str(baseline.data.get("operating_system")), own_after, own_until)
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


def check_delay(table: Table, operating_system: str, after: int | None, until: str | None) -> None:
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
