"""Patch baselines: built-in presets, baseline-file validation and drift comparison.

Three jobs live here:

* :func:`preset` returns, for every operating system the SSM API knows, a
  ``CreatePatchBaseline`` request that reproduces the rules of AWS's current
  predefined baseline for that OS (so a user can start from "what AWS does"
  and add compliance levels, rejected patches, and so on).
* :func:`load_baseline_file` reads a JSON file in ``CreatePatchBaseline``
  request shape (what the old tool's ``-b/--baseline-file`` read) and
  validates it strictly against botocore's SSM service model plus the
  semantic rules that the API reference states only in prose.  Every problem
  becomes a one-line :class:`BaselineError`, never a traceback.
* :func:`canonical` and :func:`update_params` let the caller decide whether
  an existing baseline already matches the desired one, and if not, build
  the ``UpdatePatchBaseline`` request that makes it match.

Sources (current AWS documentation; the preset rules follow the first page):

* Predefined and custom patch baselines, AWS Systems Manager User Guide:
  https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-predefined-and-custom-patch-baselines.html
* How patch baseline rules work on Linux-based systems (Debian/Raspberry Pi OS
  filter on Priority and Section; Ubuntu likewise):
  https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-linux-rules.html
* How security patches are selected (CentOS needs EnableNonSecurity):
  https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-selecting-patches.html
* API reference: PatchRule (ApproveAfterDays 0-360, ApproveUntilDate
  YYYY-MM-DD, one of the two required), PatchFilter and
  DescribePatchProperties (filter keys per OS), CreatePatchBaseline /
  UpdatePatchBaseline / GetPatchBaseline (defaults UNSPECIFIED, false,
  ALLOW_AS_DEPENDENCY; ``Replace``):
  https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchRule.html
  https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchFilter.html
  https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribePatchProperties.html
  https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_UpdatePatchBaseline.html

Where the documentation is silent or contradicts itself, the choice made is
stated in a comment next to the code that makes it.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import functools
import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

import botocore.loaders
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StringShape, StructureShape

from patchsetup import aws_defaults
from patchsetup.files import TextFileError, read_utf8

__all__ = [
    "NO_APPROVAL_DELAY",
    "OPERATING_SYSTEMS",
    "BaselineError",
    "canonical",
    "load_baseline_file",
    "preset",
    "update_params",
]


#: Where PatchRule's ApproveAfterDays and ApproveUntilDate have no effect (API
#: reference, PatchRule: "Not supported for Debian Server or Ubuntu Server").
NO_APPROVAL_DELAY = frozenset({"UBUNTU", "DEBIAN"})


class BaselineError(ValueError):
    """One-line user-facing message naming the file, the key path and the problem."""


# ---------------------------------------------------------------------------
# botocore's SSM service model, loaded once on first use.
# ---------------------------------------------------------------------------


@functools.cache
def _ssm_model() -> ServiceModel:
    """Return botocore's SSM service model, read from botocore's own data only.

    Loaded lazily because parsing the SSM model costs ~0.2 s, which a
    ``--help`` should not pay.  Only botocore's bundled data path is searched
    (not ``~/.aws/models``) so validation does not change with whatever a
    user has dropped into their home directory.
    """
    loader = botocore.loaders.Loader(
        extra_search_paths=[botocore.loaders.Loader.BUILTIN_DATA_PATH],
        include_default_search_paths=False,
    )
    return ServiceModel(loader.load_service_model("ssm", "service-2"), service_name="ssm")


def _create_input_shape() -> StructureShape:
    """Return the input shape of ``CreatePatchBaseline``."""
    shape = _ssm_model().operation_model("CreatePatchBaseline").input_shape
    if not isinstance(shape, StructureShape):  # pragma: no cover - botocore invariant
        raise TypeError("CreatePatchBaseline input is not a structure")
    return shape


@functools.cache
def _operating_systems() -> tuple[str, ...]:
    """Return the model's ``OperatingSystem`` enum in model order."""
    shape = _ssm_model().shape_for("OperatingSystem")
    if not isinstance(shape, StringShape):  # pragma: no cover - botocore invariant
        raise TypeError("OperatingSystem is not a string shape")
    return tuple(shape.enum)


# Declared here for type checkers and readers; the value is produced on first
# access by the module-level __getattr__ below, so importing this module does
# not load the SSM model.
OPERATING_SYSTEMS: tuple[str, ...]


def __getattr__(name: str) -> Any:
    """Resolve ``OPERATING_SYSTEMS`` lazily (PEP 562)."""
    if name == "OPERATING_SYSTEMS":
        value = _operating_systems()
        globals()[name] = value  # later lookups skip this hook
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------
# Knowledge the model does not carry (taken from the documentation above).
# ---------------------------------------------------------------------------

# What GetPatchBaseline reports for fields omitted at create time, and the OS a
# request without OperatingSystem gets: patchsetup/aws_defaults.py.
_DEFAULT_OS = aws_defaults.BASELINE_OS
_DEFAULT_COMPLIANCE_LEVEL = aws_defaults.COMPLIANCE_LEVEL
_DEFAULT_REJECTED_ACTION = aws_defaults.REJECTED_PATCHES_ACTION

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
_APT_PRIORITY_ORDER = ("Required", "Important", "Standard", "Optional", "Extra")
_APT_PRIORITIES = frozenset(_APT_PRIORITY_ORDER)

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
_WILDCARD = "*"

# Members of a GetPatchBaseline response that CreatePatchBaseline does not
# take; people often save `aws ssm get-patch-baseline` output as a file.
_GET_ONLY_KEYS = frozenset({"BaselineId", "PatchGroups", "CreatedDate", "ModifiedDate"})

# CreatePatchBaseline requires Name, but a baseline file may leave it out:
# the caller names the baseline, so one file can serve several baselines.
_OPTIONAL_IN_FILE = frozenset({"Name"})

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

# \p{Z} (Unicode separators) spelled out, since Python's re has no \p{...}.
_UNICODE_SEPARATORS = r"\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


# ---------------------------------------------------------------------------
# Presets.
# ---------------------------------------------------------------------------


def _rule(
    filters: Mapping[str, list[str]], *, days: int, non_security: bool = False
) -> dict[str, Any]:
    """Build one approval rule the way GetPatchBaseline reports AWS's own ones."""
    return {
        "PatchFilterGroup": {
            "PatchFilters": [
                {"Key": key, "Values": list(values)} for key, values in filters.items()
            ],
        },
        "ComplianceLevel": _DEFAULT_COMPLIANCE_LEVEL,
        "ApproveAfterDays": days,
        "EnableNonSecurity": non_security,
    }


def _baseline(
    operating_system: str,
    description: str,
    rules: list[dict[str, Any]],
    *,
    all_products: bool = True,
) -> dict[str, Any]:
    """Build a full CreatePatchBaseline request (without Name) around ``rules``.

    AWS's predefined baselines carry a global ``PRODUCT = *`` filter (except
    CentOS, whose only rule is a PRODUCT filter); ``all_products`` mirrors that.
    """
    global_filters = [{"Key": "PRODUCT", "Values": [_WILDCARD]}] if all_products else []
    return {
        "OperatingSystem": operating_system,
        "Description": description,
        "GlobalFilters": {"PatchFilters": global_filters},
        "ApprovalRules": {"PatchRules": rules},
        "ApprovedPatches": [],
        "ApprovedPatchesComplianceLevel": _DEFAULT_COMPLIANCE_LEVEL,
        "ApprovedPatchesEnableNonSecurity": False,
        "RejectedPatches": [],
        "RejectedPatchesAction": _DEFAULT_REJECTED_ACTION,
        "Sources": [],
    }


def _security_and_bugfix(
    operating_system: str, aws_name: str, severities: list[str]
) -> dict[str, Any]:
    """Security patches of ``severities`` plus all Bugfix patches, 7 days after release."""
    return _baseline(
        operating_system,
        f"Rules of {aws_name}: Security patches of severity {' or '.join(severities)}, "
        "and Bugfix patches, approved 7 days after release.",
        [
            _rule({"CLASSIFICATION": ["Security"], "SEVERITY": severities}, days=7),
            _rule({"CLASSIFICATION": ["Bugfix"]}, days=7),
        ],
    )


def _apt_priorities(operating_system: str, aws_name: str) -> dict[str, Any]:
    """Security-repo patches of every Debian priority, approved at once.

    The predefined Debian-family baselines "immediately approve" because the
    repositories have no reliable release dates.  PatchRule says
    ApproveAfterDays is "not supported" on Debian/Ubuntu yet one of
    ApproveAfterDays/ApproveUntilDate is required, so the preset states 0 days,
    which is what "immediately" means wherever the value is honoured.
    """
    return _baseline(
        operating_system,
        f"Rules of {aws_name}: security-repository patches of priority Required, "
        "Important, Standard, Optional or Extra, approved immediately.",
        [_rule({"PRIORITY": list(_APT_PRIORITY_ORDER)}, days=0)],
    )


_CRITICAL_IMPORTANT = ["Critical", "Important"]

_PRESETS: dict[str, dict[str, Any]] = {
    "WINDOWS": _baseline(
        "WINDOWS",
        "Rules of AWS-DefaultPatchBaseline: Windows Server CriticalUpdates and "
        "SecurityUpdates of MSRC severity Critical or Important, approved 7 days after "
        "release.",
        [
            _rule(
                {
                    "CLASSIFICATION": ["CriticalUpdates", "SecurityUpdates"],
                    "MSRC_SEVERITY": _CRITICAL_IMPORTANT,
                },
                days=7,
            )
        ],
    ),
    "AMAZON_LINUX": _security_and_bugfix(
        "AMAZON_LINUX", "AWS-AmazonLinuxDefaultPatchBaseline", _CRITICAL_IMPORTANT
    ),
    "AMAZON_LINUX_2": _security_and_bugfix(
        "AMAZON_LINUX_2", "AWS-AmazonLinux2DefaultPatchBaseline", _CRITICAL_IMPORTANT
    ),
    "AMAZON_LINUX_2022": _security_and_bugfix(
        "AMAZON_LINUX_2022", "AWS-AmazonLinux2022DefaultPatchBaseline", _CRITICAL_IMPORTANT
    ),
    "AMAZON_LINUX_2023": _security_and_bugfix(
        "AMAZON_LINUX_2023", "AWS-AmazonLinux2023DefaultPatchBaseline", _CRITICAL_IMPORTANT
    ),
    "UBUNTU": _apt_priorities("UBUNTU", "AWS-UbuntuDefaultPatchBaseline"),
    "REDHAT_ENTERPRISE_LINUX": _security_and_bugfix(
        "REDHAT_ENTERPRISE_LINUX", "AWS-RedHatDefaultPatchBaseline", _CRITICAL_IMPORTANT
    ),
    "SUSE": _baseline(
        "SUSE",
        "Rules of AWS-SuseDefaultPatchBaseline: Security patches of severity Critical or "
        "Important, approved 7 days after release.",
        [_rule({"CLASSIFICATION": ["Security"], "SEVERITY": _CRITICAL_IMPORTANT}, days=7)],
    ),
    # CentOS repositories carry no update notices, so AWS's baseline approves
    # every update (EnableNonSecurity) of every product after 7 days, with no
    # global filter.
    "CENTOS": _baseline(
        "CENTOS",
        "Rules of AWS-CentOSDefaultPatchBaseline: all updates, including non-security "
        "ones, approved 7 days after they become available.",
        [_rule({"PRODUCT": [_WILDCARD]}, days=7, non_security=True)],
        all_products=False,
    ),
    # Oracle publishes Important/Moderate rather than Critical/Important.
    "ORACLE_LINUX": _security_and_bugfix(
        "ORACLE_LINUX", "AWS-OracleLinuxDefaultPatchBaseline", ["Important", "Moderate"]
    ),
    "DEBIAN": _apt_priorities("DEBIAN", "AWS-DebianDefaultPatchBaseline"),
    # The documentation says only: approves "Security" patches, and "all
    # packages with a current update", with no delay mentioned.  Expressed as
    # a Security rule plus an all-classifications rule that allows
    # non-security updates, both approved at once.
    "MACOS": _baseline(
        "MACOS",
        "Rules of AWS-MacOSDefaultPatchBaseline: Security patches, and every package "
        "with a current update, approved immediately.",
        [
            _rule({"CLASSIFICATION": ["Security"]}, days=0),
            _rule({"CLASSIFICATION": [_WILDCARD]}, days=0, non_security=True),
        ],
    ),
    "RASPBIAN": _apt_priorities("RASPBIAN", "AWS-DefaultRaspbianPatchBaseline"),
    "ROCKY_LINUX": _security_and_bugfix(
        "ROCKY_LINUX", "AWS-RockyLinuxDefaultPatchBaseline", _CRITICAL_IMPORTANT
    ),
    "ALMA_LINUX": _security_and_bugfix(
        "ALMA_LINUX", "AWS-AlmaLinuxDefaultPatchBaseline", _CRITICAL_IMPORTANT
    ),
}


def preset(operating_system: str) -> dict[str, Any]:
    """Return a fresh CreatePatchBaseline request reproducing AWS's predefined baseline.

    The request has every rule field (OperatingSystem, Description,
    ApprovalRules, GlobalFilters, ApprovedPatches, ApprovedPatchesComplianceLevel,
    ApprovedPatchesEnableNonSecurity, RejectedPatches, RejectedPatchesAction,
    Sources) and no Name, Tags or ClientToken: the caller names it.

    Raises:
        BaselineError: ``operating_system`` is not a value of the model's
            OperatingSystem enum (the message lists the valid ones), or is a
            value botocore knows but this module has no preset for yet.
    """
    valid = _operating_systems()
    if operating_system not in valid:
        raise BaselineError(
            f"unknown operating system {_shown(operating_system)}"
            f"{_hint(operating_system, valid)}; valid values: {', '.join(valid)}"
        )
    spec = _PRESETS.get(operating_system)
    if spec is None:
        # A newer botocore added an OS whose predefined baseline is not
        # transcribed here yet; better to say so than to guess its rules.
        raise BaselineError(
            f"no preset for operating system {operating_system} yet; "
            "write a baseline file for it instead"
        )
    return copy.deepcopy(spec)


# ---------------------------------------------------------------------------
# Loading and validating baseline files.
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


def _one_line(text: str) -> str:
    """Collapse whitespace so that an error message stays on one line."""
    return " ".join(text.split())


def _fail(source: str, path: str, problem: str) -> NoReturn:
    """Raise the user-facing error for ``problem`` at ``path`` in ``source``."""
    where = f"{source}: {path}: " if path else f"{source}: "
    raise BaselineError(_one_line(where + problem))


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _shown(text: str) -> str:
    """Quote ``text`` for a message, shortened so one bad value cannot flood the terminal."""
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _describe(value: object) -> str:
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
        return f"string {_shown(value)}"
    if isinstance(value, list):
        return "array"
    return "object"


def _hint(word: str, candidates: Iterable[str]) -> str:
    """Return a " (did you mean 'X'?)" suffix when a candidate is close to ``word``."""
    options = list(candidates)
    folded = {option.casefold(): option for option in options}
    match = folded.get(word.casefold())
    if match is None:
        close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
        match = close[0] if close else None
    return f" (did you mean {match!r}?)" if match is not None else ""


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
    enum = shape.enum if isinstance(shape, StringShape) else []
    if enum and value not in enum:
        _fail(
            source,
            path,
            f"must be one of {', '.join(enum)}; got {_shown(value)}{_hint(value, enum)}",
        )
    meta = shape.metadata
    if "min" in meta and len(value) < meta["min"]:
        _fail(source, path, f"must be at least {meta['min']} characters long, got {len(value)}")
    if "max" in meta and len(value) > meta["max"]:
        _fail(source, path, f"must be at most {meta['max']} characters long, got {len(value)}")
    pattern = meta.get("pattern")
    if isinstance(pattern, str):
        compiled = _compile_pattern(pattern)
        if compiled is not None and compiled.fullmatch(value) is None:
            _fail(source, path, f"{_describe(value)} does not match the pattern {pattern}")


def _check_number(value: object, shape: Shape, path: str, source: str) -> None:
    integral = shape.type_name in ("integer", "long")
    # bool is an int subclass in Python, but true is no number of days.
    if isinstance(value, bool) or not isinstance(value, int if integral else int | float):
        kind = "an integer" if integral else "a number"
        _fail(source, path, f"must be {kind}, got {_describe(value)}")
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    too_low = low is not None and value < low
    too_high = high is not None and value > high
    if (too_low or too_high) and low is not None and high is not None:
        _fail(source, path, f"must be {low}-{high}, got {value}")
    if too_low:
        _fail(source, path, f"must be at least {low}, got {value}")
    if too_high:
        _fail(source, path, f"must be at most {high}, got {value}")


def _check_list(value: list[Any], shape: ListShape, path: str, source: str) -> None:
    meta = shape.metadata
    if "min" in meta and len(value) < meta["min"]:
        _fail(source, path, f"needs at least {meta['min']} item(s), got {len(value)}")
    if "max" in meta and len(value) > meta["max"]:
        _fail(source, path, f"at most {meta['max']} items allowed, got {len(value)}")
    for index, item in enumerate(value):
        _check_shape(item, shape.member, f"{path}[{index}]", source)


def _check_structure(
    value: dict[str, Any],
    shape: StructureShape,
    path: str,
    source: str,
    optional: frozenset[str] = frozenset(),
) -> None:
    members = shape.members
    for key in getattr(value, "duplicates", ()):
        _fail(source, _key_path(path, key), "key appears more than once")
    for key, item in value.items():
        member = members.get(key)
        if member is None:
            if not path and key in _GET_ONLY_KEYS:
                why = "is GetPatchBaseline output, not CreatePatchBaseline input; delete it"
            else:
                why = f"unknown key{_hint(key, members)}"
            _fail(source, _key_path(path, _shown(key) if _odd_key(key) else key), why)
        _check_shape(item, member, _key_path(path, key), source)
    for key in shape.required_members:
        if key not in value and key not in optional:
            _fail(source, _key_path(path, key), "required key is missing")


def _odd_key(key: str) -> bool:
    """Whether a key must be quoted to be readable inside a dotted key path."""
    return not key or len(key) > 40 or not key.isprintable() or any(ch in key for ch in ".[] ")


def _check_shape(value: object, shape: Shape, path: str, source: str) -> None:
    """Validate ``value`` against ``shape`` (types, enums, lengths, patterns, ranges)."""
    kind = shape.type_name
    if kind == "structure" and isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            _fail(source, path, f"must be an object, got {_describe(value)}")
        _check_structure(value, shape, path, source)
    elif kind == "list" and isinstance(shape, ListShape):
        if not isinstance(value, list):
            _fail(source, path, f"must be an array, got {_describe(value)}")
        _check_list(value, shape, path, source)
    elif kind == "map" and isinstance(shape, MapShape):  # pragma: no cover - not in this input
        if not isinstance(value, dict):
            _fail(source, path, f"must be an object, got {_describe(value)}")
        for key, item in value.items():
            _check_shape(key, shape.key, path, source)
            _check_shape(item, shape.value, _key_path(path, key), source)
    elif kind == "string":
        if not isinstance(value, str):
            _fail(source, path, f"must be a string, got {_describe(value)}")
        _check_string(value, shape, path, source)
    elif kind == "boolean":
        if not isinstance(value, bool):
            _fail(source, path, f"must be true or false, got {_describe(value)}")
    elif kind in ("integer", "long", "float", "double"):
        _check_number(value, shape, path, source)
    else:  # pragma: no cover - CreatePatchBaseline has no other member types
        _fail(source, path, f"has model type {kind}, which baseline files cannot express")


def _check_filters(
    filters: list[dict[str, Any]], path: str, operating_system: str, source: str
) -> None:
    """Check filter keys (and small documented value sets) against the OS."""
    allowed = _FILTER_KEYS.get(operating_system)
    for index, patch_filter in enumerate(filters):
        where = f"{path}.PatchFilters[{index}]"
        key = patch_filter["Key"]
        if allowed is not None and key not in allowed:
            _fail(
                source,
                f"{where}.Key",
                f"{key} is not a patch filter key for {operating_system} "
                f"(valid: {', '.join(sorted(allowed))})",
            )
        values = _FILTER_VALUES.get((operating_system, key))
        if values is None:
            continue
        for value_index, value in enumerate(patch_filter["Values"]):
            if value != _WILDCARD and value not in values:
                _fail(
                    source,
                    f"{where}.Values[{value_index}]",
                    f"{_shown(value)} is not a {key} value for {operating_system}"
                    f"{_hint(value, values)} (valid: {', '.join(sorted(values))}, or *)",
                )


def _check_rule(rule: dict[str, Any], path: str, source: str) -> None:
    """Apply PatchRule's prose-only rules: exactly one approval setting, date format."""
    has_days = "ApproveAfterDays" in rule
    has_date = "ApproveUntilDate" in rule
    if has_days and has_date:
        _fail(
            source,
            path,
            "ApproveAfterDays and ApproveUntilDate are mutually exclusive; set only one",
        )
    if not has_days and not has_date:
        _fail(source, path, "needs ApproveAfterDays or ApproveUntilDate")
    if has_date:
        date = rule["ApproveUntilDate"]
        valid = _DATE_RE.fullmatch(date) is not None
        if valid:
            try:
                datetime.date.fromisoformat(date)
            except ValueError:
                valid = False
        if not valid:
            _fail(
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
        _fail(source, "Sources", "patch source repositories apply to Linux only, not WINDOWS")
    if "AvailableSecurityUpdatesComplianceStatus" in data and operating_system != "WINDOWS":
        _fail(
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


def validate_rules(data: object, source: str) -> dict[str, Any]:
    """Validate a parsed baseline document; return it as plain data without ClientToken."""
    if not isinstance(data, dict):
        _fail(source, "", f"top level must be a JSON object, got {_describe(data)}")
    _check_structure(data, _create_input_shape(), "", source, optional=_OPTIONAL_IN_FILE)
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
    source = os.fsdecode(path)
    try:
        text = read_utf8(path)
    except OSError as error:
        _fail(source, "", f"cannot read file: {error.strerror or error}")
    except TextFileError as error:
        _fail(source, "", str(error))
    try:
        data = json.loads(text, object_pairs_hook=_object_pairs, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        _fail(
            source, "", f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        )
    except RecursionError:
        _fail(source, "", "not a baseline: JSON nested too deeply")
    except ValueError as error:  # e.g. NaN, or an integer too long to convert
        _fail(source, "", f"not valid JSON: {error}")
    return validate_rules(data, source)


# ---------------------------------------------------------------------------
# Drift comparison.
# ---------------------------------------------------------------------------


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
    AWS reports when it was not sent (patchsetup/aws_defaults.py).
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
