"""AWS's predefined ("AWS-owned") patch baselines for the SSM stand-in, and botocore's SSM model.

Names, descriptions and approval rules as the Patch Manager user guide describes them
(approximations of the real rule sets), one default baseline per OperatingSystem enum
value of botocore's SSM model, plus the two extra predefined Windows baselines; ids are
AWS's ARNs from moto's per-region table (gap 3 in the docstring of tools/local_aws.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
from moto.utilities.utils import load_resource

JSON = dict[str, Any]

# Account that owns the predefined baselines when moto's per-region table has no entry.
FALLBACK_AWS_OWNER_ACCOUNT = "075727635805"
AWS_BASELINE_DATE = dt.datetime(2017, 3, 9, 17, 3, 45, tzinfo=dt.UTC)


@cache
def ssm_model() -> Any:
    """botocore's SSM service model (the authority for shapes and enums)."""
    return botocore.session.get_session().get_service_model("ssm")


@cache
def operating_systems() -> tuple[str, ...]:
    return tuple(ssm_model().shape_for("OperatingSystem").enum)


def _filters(**kv: list[str]) -> JSON:
    return {"PatchFilters": [{"Key": k, "Values": v} for k, v in kv.items()]}


def _rule(days: int, non_security: bool = False, **kv: list[str]) -> JSON:
    return {
        "PatchFilterGroup": _filters(**kv),
        "ComplianceLevel": "UNSPECIFIED",
        "ApproveAfterDays": days,
        "EnableNonSecurity": non_security,
    }


def _security_and_bugfix(severities: list[str]) -> list[JSON]:
    return [
        _rule(7, PRODUCT=["*"], CLASSIFICATION=["Security"], SEVERITY=severities),
        _rule(7, PRODUCT=["*"], CLASSIFICATION=["Bugfix"], SEVERITY=["*"]),
    ]


_DEB_PRIORITIES = ["Required", "Important", "Standard", "Optional", "Extra"]
_WINDOWS_RULE = _rule(
    7,
    PRODUCT=["*"],
    CLASSIFICATION=["CriticalUpdates", "SecurityUpdates"],
    MSRC_SEVERITY=["Critical", "Important"],
)

# OperatingSystem -> (name, human OS name for the description, approval rules)
_PREDEFINED: dict[str, tuple[str, str, list[JSON]]] = {
    "WINDOWS": ("AWS-DefaultPatchBaseline", "", [_WINDOWS_RULE]),
    "AMAZON_LINUX": (
        "AWS-AmazonLinuxDefaultPatchBaseline",
        "Amazon Linux",
        _security_and_bugfix(["Critical", "Important"]),
    ),
    "AMAZON_LINUX_2": (
        "AWS-AmazonLinux2DefaultPatchBaseline",
        "Amazon Linux 2",
        _security_and_bugfix(["Critical", "Important"]),
    ),
    "AMAZON_LINUX_2022": (
        "AWS-AmazonLinux2022DefaultPatchBaseline",
        "Amazon Linux 2022",
        _security_and_bugfix(["Critical", "Important"]),
    ),
    "AMAZON_LINUX_2023": (
        "AWS-AmazonLinux2023DefaultPatchBaseline",
        "Amazon Linux 2023",
        _security_and_bugfix(["Critical", "Important"]),
    ),
    "UBUNTU": (
        "AWS-UbuntuDefaultPatchBaseline",
        "Ubuntu",
        [_rule(0, PRODUCT=["*"], SECTION=["*"], PRIORITY=_DEB_PRIORITIES)],
    ),
    "DEBIAN": (
        "AWS-DebianDefaultPatchBaseline",
        "Debian",
        [_rule(0, PRODUCT=["*"], SECTION=["*"], PRIORITY=_DEB_PRIORITIES)],
    ),
    "RASPBIAN": (
        "AWS-RaspbianDefaultPatchBaseline",
        "Raspberry Pi OS",
        [_rule(0, PRODUCT=["*"], SECTION=["*"], PRIORITY=_DEB_PRIORITIES)],
    ),
    "REDHAT_ENTERPRISE_LINUX": (
        "AWS-RedHatDefaultPatchBaseline",
        "Redhat Enterprise Linux",
        _security_and_bugfix(["Critical", "Important"]),
    ),
    "ROCKY_LINUX": (
        "AWS-RockyLinuxDefaultPatchBaseline",
        "Rocky Linux",
        _security_and_bugfix(["Critical", "Important"]),
    ),
    "ALMA_LINUX": (
        "AWS-AlmaLinuxDefaultPatchBaseline",
        "Alma Linux",
        _security_and_bugfix(["Critical", "Important"]),
    ),
    "ORACLE_LINUX": (
        "AWS-OracleLinuxDefaultPatchBaseline",
        "Oracle Linux",
        _security_and_bugfix(["Important", "Moderate"]),
    ),
    "SUSE": (
        "AWS-SuseDefaultPatchBaseline",
        "Suse",
        [_rule(7, PRODUCT=["*"], CLASSIFICATION=["Security"], SEVERITY=["Critical", "Important"])],
    ),
    "CENTOS": (
        "AWS-CentOSDefaultPatchBaseline",
        "CentOS",
        [_rule(7, True, PRODUCT=["*"], CLASSIFICATION=["*"], SEVERITY=["*"])],
    ),
    "MACOS": (
        "AWS-MacOSDefaultPatchBaseline",
        "macOS",
        [_rule(0, True, PRODUCT=["*"], CLASSIFICATION=["*"])],
    ),
}

# Extra predefined Windows baselines (not the default for WINDOWS).
_EXTRA_WINDOWS: list[tuple[str, str, list[JSON]]] = [
    (
        "AWS-WindowsPredefinedPatchBaseline-OS",
        "Windows Server patch baseline for the operating system, provided by AWS.",
        [_WINDOWS_RULE],
    ),
    (
        "AWS-WindowsPredefinedPatchBaseline-OS-Applications",
        "Windows Server patch baseline for the operating system and Microsoft "
        "applications, provided by AWS.",
        [
            _WINDOWS_RULE,
            _rule(
                7,
                PATCH_SET=["APPLICATION"],
                PRODUCT=["*"],
                CLASSIFICATION=["CriticalUpdates", "SecurityUpdates"],
                MSRC_SEVERITY=["Critical", "Important"],
            ),
        ],
    ),
]


@dataclass(frozen=True)
class PredefinedBaseline:
    arn: str
    name: str
    operating_system: str
    description: str
    approval_rules: list[JSON]
    default_for_os: bool


def _camel(os_name: str) -> str:
    return "".join(part.capitalize() for part in os_name.split("_"))


@cache
def _moto_default_arns() -> dict[str, dict[str, str]]:
    try:
        data: dict[str, dict[str, str]] = load_resource("ssm/resources/default_baselines.json")
    except FileNotFoundError:  # pragma: no cover - moto always ships it
        data = {}
    return data


def _synth_arn(partition: str, region: str, account: str, key: str) -> str:
    digest = hashlib.sha256(f"{region}/{key}".encode()).hexdigest()
    return f"arn:{partition}:ssm:{region}:{account}:patchbaseline/pb-0{digest[:16]}"


def predefined_baselines(partition: str, region: str) -> list[PredefinedBaseline]:
    """The AWS-owned baselines of one region, ids as AWS's ARNs (moto's table when known)."""
    known = _moto_default_arns().get(region, {})
    account = FALLBACK_AWS_OWNER_ACCOUNT
    for arn in known.values():
        account = arn.split(":")[4]
        break
    result: list[PredefinedBaseline] = []
    for os_name in operating_systems():
        name, human, rules = _PREDEFINED.get(
            os_name, (f"AWS-{_camel(os_name)}DefaultPatchBaseline", _camel(os_name), [])
        )
        if os_name == "WINDOWS":
            description = "Default Patch Baseline Provided by AWS."
        else:
            description = f"Default Patch Baseline for {human} Provided by AWS."
        arn = known.get(os_name) or _synth_arn(partition, region, account, os_name)
        if known.get(os_name) and partition != "aws":
            arn = arn.replace("arn:aws:", f"arn:{partition}:", 1)
        result.append(PredefinedBaseline(arn, name, os_name, description, rules, True))
        if os_name == "WINDOWS":
            for extra_name, extra_desc, extra_rules in _EXTRA_WINDOWS:
                result.append(
                    PredefinedBaseline(
                        _synth_arn(partition, region, account, extra_name),
                        extra_name,
                        "WINDOWS",
                        extra_desc,
                        extra_rules,
                        False,
                    )
                )
    return result
