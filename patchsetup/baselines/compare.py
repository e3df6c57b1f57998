"""Drift comparison: is an existing baseline the desired one, and how to make it so.

:func:`canonical` and :func:`update_params` let the caller (the planner)
decide whether an existing baseline already matches the desired one, and if
not, build the ``UpdatePatchBaseline`` request that makes it match.  Pure:
no botocore, no I/O.

Sources: API reference, CreatePatchBaseline / UpdatePatchBaseline /
GetPatchBaseline (defaults UNSPECIFIED, false, ALLOW_AS_DEPENDENCY;
``Replace``):
https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_UpdatePatchBaseline.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patchsetup import aws_defaults
from patchsetup.baselines.messages import BaselineError

__all__ = ["canonical", "update_params"]

# What GetPatchBaseline reports for fields omitted at create time, and the OS a
# request without OperatingSystem gets: patchsetup/deploy/aws_defaults.py.
_DEFAULT_OS = aws_defaults.BASELINE_OS
_DEFAULT_COMPLIANCE_LEVEL = aws_defaults.COMPLIANCE_LEVEL
_DEFAULT_REJECTED_ACTION = aws_defaults.REJECTED_PATCHES_ACTION


def _get(mapping: Mapping[str, Any], key: str, default: Any) -> Any:
    """Return ``mapping[key]``, treating a missing key and None alike."""
    value = mapping.get(key)
    return default if value is None else value


def _canonical_filters(group: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Filters sorted by key, each with sorted values: their order carries no meaning."""
    filters = _get(group or {}, "PatchFilters", [])
    result = [{"Key": item["Key"], "Values": sorted(item["Values"])} for item in filters]
    return sorted(result, key=lambda item: (item["Key"], item["Values"]))


def _canonical_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "PatchFilterGroup": {"PatchFilters": _canonical_filters(rule.get("PatchFilterGroup"))},
        "ComplianceLevel": _get(rule, "ComplianceLevel", _DEFAULT_COMPLIANCE_LEVEL),
        "EnableNonSecurity": _get(rule, "EnableNonSecurity", False),
    }
    # A valid rule has exactly one of the two.  Should the service ever echo
    # a placeholder ApproveAfterDays next to a cutoff date, the date is what
    # governs the rule, so it alone is compared.
    if rule.get("ApproveUntilDate") is not None:
        result["ApproveUntilDate"] = rule["ApproveUntilDate"]
    elif rule.get("ApproveAfterDays") is not None:
        result["ApproveAfterDays"] = rule["ApproveAfterDays"]
    return result


def _canonical_source(source: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "Name": source["Name"],
        "Products": sorted(source["Products"]),
        "Configuration": source["Configuration"],
    }


def canonical(params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the comparable form of a baseline's rules.

    ``params`` is either a CreatePatchBaseline-shaped dict (desired state) or
    a GetPatchBaseline response (actual state).  The result holds only the
    rule fields, with the defaults GetPatchBaseline reports for fields
    omitted at create time filled in (OperatingSystem WINDOWS, compliance
    levels UNSPECIFIED, EnableNonSecurity false, RejectedPatchesAction
    ALLOW_AS_DEPENDENCY, empty lists, ``GlobalFilters == {"PatchFilters": []}``),
    and with filters, filter values, patch lists and sources in a stable
    order.  So ``canonical(desired) == canonical(actual)`` exactly when no
    update is needed.  Approval rules keep their order (the service keeps it
    too).  Description has no default and appears only when set; a Windows
    baseline's AvailableSecurityUpdatesComplianceStatus is filled with what
    AWS reports when it was not sent (patchsetup/deploy/aws_defaults.py).
    """
    sources = [_canonical_source(item) for item in _get(params, "Sources", [])]
    rules = _get(_get(params, "ApprovalRules", {}), "PatchRules", [])
    result: dict[str, Any] = {
        "OperatingSystem": _get(params, "OperatingSystem", _DEFAULT_OS),
        "GlobalFilters": {"PatchFilters": _canonical_filters(params.get("GlobalFilters"))},
        "ApprovalRules": {"PatchRules": [_canonical_rule(rule) for rule in rules]},
        "ApprovedPatches": sorted(_get(params, "ApprovedPatches", [])),
        "ApprovedPatchesComplianceLevel": _get(
            params, "ApprovedPatchesComplianceLevel", _DEFAULT_COMPLIANCE_LEVEL
        ),
        "ApprovedPatchesEnableNonSecurity": _get(params, "ApprovedPatchesEnableNonSecurity", False),
        "RejectedPatches": sorted(_get(params, "RejectedPatches", [])),
        "RejectedPatchesAction": _get(params, "RejectedPatchesAction", _DEFAULT_REJECTED_ACTION),
        "Sources": sorted(
            sources, key=lambda item: (item["Name"], item["Products"], item["Configuration"])
        ),
    }
    for optional in ("Description", "AvailableSecurityUpdatesComplianceStatus"):
        if params.get(optional) is not None:
            result[optional] = params[optional]
    if result["OperatingSystem"] == "WINDOWS":
        result = aws_defaults.filled(result, aws_defaults.WINDOWS_BASELINE)
    return result


def update_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the UpdatePatchBaseline fields that make an existing baseline equal ``params``.

    All fields but BaselineId, which the caller adds.

    Uses ``Replace=True`` and sends every rule field explicitly, defaults
    included, so that a field dropped from the desired state is cleared
    rather than left as it was.  With Replace the API requires every field
    CreatePatchBaseline requires, that is Name, so ``params`` must carry it
    (add it to a preset or a Name-less file first).  OperatingSystem is not
    sent: UpdatePatchBaseline cannot change it; when ``canonical()`` shows a
    different OS the baseline has to be recreated.

    Raises:
        BaselineError: ``params`` has no Name.
    """
    name = params.get("Name")
    if not name:
        raise BaselineError(
            "update_params: Name: required, because UpdatePatchBaseline with Replace=True "
            "needs every field CreatePatchBaseline needs"
        )
    rules = canonical(params)
    del rules["OperatingSystem"]
    # Never sent unless asked for: Replace=True leaves it to AWS's own default.
    if params.get("AvailableSecurityUpdatesComplianceStatus") is None:
        rules.pop("AvailableSecurityUpdatesComplianceStatus", None)
    return {"Name": name, "Replace": True, **rules}
