"""Baseline files: reading them and the rules the API reference states only in prose.

:func:`load_baseline_file` reads a JSON file in ``CreatePatchBaseline``
request shape (what the old tool's ``-b/--baseline-file`` read) and
:func:`validate_rules` validates a parsed document strictly: first against
botocore's SSM service model (:mod:`patchsetup.baselines.shapes`), then
against the semantic rules here (filter keys and small value sets per OS,
one approval setting per rule, date format, fields that apply to one OS
family only).  Every problem becomes a one-line
:class:`~patchsetup.baselines.messages.BaselineError`, never a traceback.

Sources (current AWS documentation):

* How patch baseline rules work on Linux-based systems (Debian/Raspberry Pi OS
  filter on Priority and Section; Ubuntu likewise):
  https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-linux-rules.html
* API reference: PatchRule (ApproveAfterDays 0-360, ApproveUntilDate
  YYYY-MM-DD, one of the two required), PatchFilter and
  DescribePatchProperties (filter keys per OS):
  https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchRule.html
  https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchFilter.html
  https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribePatchProperties.html

Where the documentation is silent or contradicts itself, the choice made is
stated in a comment next to the code that makes it.
"""

from __future__ import annotations

import datetime
import os
import re
from typing import Any, NoReturn

from patchsetup import aws_defaults
from patchsetup.baselines.messages import describe, fail, hint, shown
from patchsetup.baselines.shapes import check_structure, create_input_shape
from patchsetup.files import TextFileError, read_text

__all__ = [
    "APT_PRIORITY_ORDER",
    "NO_APPROVAL_DELAY",
    "WILDCARD",
    "load_baseline_file",
    "validate_rules",
]


#: Where PatchRule's ApproveAfterDays and ApproveUntilDate have no effect (API
#: reference, PatchRule: "Not supported for Debian Server or Ubuntu Server").
NO_APPROVAL_DELAY = frozenset({"UBUNTU", "DEBIAN"})


# ---------------------------------------------------------------------------
# Knowledge the model does not carry (taken from the documentation above).
# ---------------------------------------------------------------------------

# What GetPatchBaseline reports, and the OS a request without OperatingSystem
# gets: patchsetup/deploy/aws_defaults.py.
_DEFAULT_OS = aws_defaults.BASELINE_OS

_YUM_KEYS = frozenset({"PRODUCT", "CLASSIFICATION", "SEVERITY"})
_APT_KEYS = frozenset({"PRODUCT", "PRIORITY", "SECTION"})

# Patch filter keys a baseline may use, per OS.  Windows' list is quoted in the
# PatchFilter reference; the Debian family's (Priority, Section) in "How patch
# baseline rules work on Linux-based systems"; macOS's and the RPM family's in
# DescribePatchProperties (which does not list AMAZON_LINUX_2022, ROCKY_LINUX
# or ALMA_LINUX; they get their RPM siblings' keys).  The model's
# PatchFilterKey enum also has keys such as CVE_ID or ARCH, but those are for
# patch queries, and the documentation names none of them as baseline
# filters, so a baseline file using them is rejected here rather than by the
# service later.
_FILTER_KEYS: dict[str, frozenset[str]] = {
    "WINDOWS": frozenset(
        {"PATCH_SET", "PRODUCT", "PRODUCT_FAMILY", "CLASSIFICATION", "MSRC_SEVERITY"}
    ),
    "UBUNTU": _APT_KEYS,
    "DEBIAN": _APT_KEYS,
    "RASPBIAN": _APT_KEYS,
    "MACOS": frozenset({"PRODUCT", "CLASSIFICATION"}),
    "AMAZON_LINUX": _YUM_KEYS,
    "AMAZON_LINUX_2": _YUM_KEYS,
    "AMAZON_LINUX_2022": _YUM_KEYS,
    "AMAZON_LINUX_2023": _YUM_KEYS,
    "REDHAT_ENTERPRISE_LINUX": _YUM_KEYS,
    "SUSE": _YUM_KEYS,
    "CENTOS": _YUM_KEYS,
    "ORACLE_LINUX": _YUM_KEYS,
    "ROCKY_LINUX": _YUM_KEYS,
    "ALMA_LINUX": _YUM_KEYS,
}

# Debian package priorities, most to least important (the order AWS lists them).
APT_PRIORITY_ORDER = ("Required", "Important", "Standard", "Optional", "Extra")
_APT_PRIORITIES = frozenset(APT_PRIORITY_ORDER)

# Filter values checked only where the documented set is small and stable.
# PRODUCT, SECTION and the Linux CLASSIFICATION/SEVERITY values differ per
# distribution release and change over time, so they are left to the service.
_FILTER_VALUES: dict[tuple[str, str], frozenset[str]] = {
    ("WINDOWS", "PATCH_SET"): frozenset({"OS", "APPLICATION"}),
    ("WINDOWS", "MSRC_SEVERITY"): frozenset(
        {"Critical", "Important", "Moderate", "Low", "Unspecified"}
    ),
    ("WINDOWS", "CLASSIFICATION"): frozenset(
        {
            "CriticalUpdates",
            "DefinitionUpdates",
            "Drivers",
            "FeaturePacks",
            "SecurityUpdates",
            "ServicePacks",
            "Tools",
            "UpdateRollups",
            "Updates",
            "Upgrades",
        }
    ),
    ("UBUNTU", "PRIORITY"): _APT_PRIORITIES,
    ("DEBIAN", "PRIORITY"): _APT_PRIORITIES,
    ("RASPBIAN", "PRIORITY"): _APT_PRIORITIES,
}

# PatchFilter reference: "The filter values can be exact values for the patch
# property given as a key, or a wildcard (*), which matches all values."
WILDCARD = "*"

# CreatePatchBaseline requires Name, but a baseline file may leave it out:
# the caller names the baseline, so one file can serve several baselines.
_OPTIONAL_IN_FILE = frozenset({"Name"})

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


# ---------------------------------------------------------------------------
# Checking the rules stated in prose.
# ---------------------------------------------------------------------------


def _check_filters(
    filters: list[dict[str, Any]], path: str, operating_system: str, source: str
) -> None:
    """Check filter keys (and small documented value sets) against the OS."""
    allowed = _FILTER_KEYS.get(operating_system)
    for index, patch_filter in enumerate(filters):
        where = f"{path}.PatchFilters[{index}]"
        key = patch_filter["Key"]
        if allowed is not None and key not in allowed:
            fail(
                source,
                f"{where}.Key",
                f"{key} is not a patch filter key for {operating_system} "
                f"(valid: {', '.join(sorted(allowed))})",
            )
        values = _FILTER_VALUES.get((operating_system, key))
        if values is None:
            continue
        for value_index, value in enumerate(patch_filter["Values"]):
            if value != WILDCARD and value not in values:
                fail(
                    source,
                    f"{where}.Values[{value_index}]",
                    f"{shown(value)} is not a {key} value for {operating_system}"
                    f"{hint(value, values)} (valid: {', '.join(sorted(values))}, or *)",
                )


def _check_rule(rule: dict[str, Any], path: str, source: str) -> None:
    """Apply PatchRule's prose-only rules: exactly one approval setting, date format."""
    has_days = "ApproveAfterDays" in rule
    has_date = "ApproveUntilDate" in rule
    if has_days and has_date:
        fail(
            source,
            path,
            "ApproveAfterDays and ApproveUntilDate are mutually exclusive; set only one",
        )
    if not has_days and not has_date:
        fail(source, path, "needs ApproveAfterDays or ApproveUntilDate")
    if has_date:
        date = rule["ApproveUntilDate"]
        valid = _DATE_RE.fullmatch(date) is not None
        if valid:
            try:
                datetime.date.fromisoformat(date)
            except ValueError:
                valid = False
        if not valid:
            fail(
                source,
                f"{path}.ApproveUntilDate",
                f"must be a date in YYYY-MM-DD format, got {date!r}",
            )


def _check_semantics(data: dict[str, Any], source: str) -> None:
    """Rules the API reference states in prose, checked after the shape is known good."""
    operating_system = data.get("OperatingSystem", _DEFAULT_OS)
    if "GlobalFilters" in data:
        _check_filters(
            data["GlobalFilters"]["PatchFilters"], "GlobalFilters", operating_system, source
        )
    rules = data.get("ApprovalRules", {}).get("PatchRules", [])
    for index, rule in enumerate(rules):
        path = f"ApprovalRules.PatchRules[{index}]"
        _check_filters(
            rule["PatchFilterGroup"]["PatchFilters"],
            f"{path}.PatchFilterGroup",
            operating_system,
            source,
        )
        _check_rule(rule, path, source)
    # Both fields are documented as applying to one family only; a request
    # that uses them elsewhere is a mistake worth catching before the call.
    if data.get("Sources") and operating_system == "WINDOWS":
        fail(source, "Sources", "patch source repositories apply to Linux only, not WINDOWS")
    if "AvailableSecurityUpdatesComplianceStatus" in data and operating_system != "WINDOWS":
        fail(
            source,
            "AvailableSecurityUpdatesComplianceStatus",
            f"is supported for WINDOWS only, not {operating_system}",
        )


def _plain(value: Any) -> Any:
    """Deep-copy parsed JSON into plain dicts and lists (dropping parse bookkeeping)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


# ---------------------------------------------------------------------------
# Validating a parsed document, and reading a file.
# ---------------------------------------------------------------------------


class _JsonObject(dict[str, Any]):
    """A parsed JSON object that remembers which of its keys appeared twice.

    ``json`` silently keeps the last of repeated keys; recording them lets the
    validator report the duplicate with its key path instead.
    """

    duplicates: list[str]


def _object_pairs(pairs: list[tuple[str, Any]]) -> _JsonObject:
    obj = _JsonObject()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


def _reject_constant(name: str) -> NoReturn:
    """Refuse NaN and Infinity, which Python's json accepts but JSON does not have."""
    raise ValueError(f"{name} is not valid JSON")


def validate_rules(data: object, source: str) -> dict[str, Any]:
    """Validate a parsed baseline document; return it as plain data without ClientToken."""
    if not isinstance(data, dict):
        fail(source, "", f"top level must be a JSON object, got {describe(data)}")
    check_structure(data, create_input_shape(), "", source, optional=_OPTIONAL_IN_FILE)
    _check_semantics(data, source)
    result: dict[str, Any] = _plain(data)
    # An idempotency token saved in a file would make every later create with
    # different content fail as a token reuse, so it never reaches the caller.
    result.pop("ClientToken", None)
    return result


def load_baseline_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and strictly validate a JSON baseline file in CreatePatchBaseline request shape.

    Validation follows botocore's CreatePatchBaseline input shape (unknown
    keys with a "did you mean" hint, JSON types, enum values, required
    members, length/pattern/range constraints, the 10-rule and 4-filter
    limits) plus the API reference's prose rules: one of ApproveAfterDays
    (0-360) and ApproveUntilDate (YYYY-MM-DD) per rule, filter keys valid for
    the file's OperatingSystem.  Name is optional here (the caller names the
    baseline) and kept if present; Tags are kept; ClientToken is dropped.
    OperatingSystem is not filled in: like the API, an absent value means
    WINDOWS, and filters are checked as such.

    Raises:
        BaselineError: the file is missing or unreadable, not UTF-8 JSON, not
            a JSON object, or breaks any rule above.  The message is one line
            of the form ``"<file>: <key path>: <problem>"``.
    """
    import json  # a baseline file's reader only: presets are Python data

    source = os.fsdecode(path)
    try:
        text = read_text(path)
    except TextFileError as error:
        fail(source, "", str(error))
    try:
        data = json.loads(text, object_pairs_hook=_object_pairs, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        fail(source, "", f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}")
    except RecursionError:
        fail(source, "", "not a baseline: JSON nested too deeply")
    except ValueError as error:  # e.g. NaN, or an integer too long to convert
        fail(source, "", f"not valid JSON: {error}")
    return validate_rules(data, source)
