"""AWS's predefined patch baseline rules, one preset per operating system.

:func:`preset` returns, for every operating system the SSM API knows, a
``CreatePatchBaseline`` request that reproduces the rules of AWS's current
predefined baseline for that OS (so a user can start from "what AWS does"
and add compliance levels, rejected patches, and so on).  Pure data: the
operating systems are systems.py's (botocore's enum, written out); the model is
read only to explain why a value is refused.

Sources (current AWS documentation; the rules follow the first page):

* Predefined and custom patch baselines, AWS Systems Manager User Guide:
  https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-predefined-and-custom-patch-baselines.html
* How patch baseline rules work on Linux-based systems (Debian/Raspberry Pi OS
  filter on Priority and Section; Ubuntu likewise):
  https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-linux-rules.html
* How security patches are selected (CentOS needs EnableNonSecurity):
  https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-selecting-patches.html

Where the documentation is silent or contradicts itself, the choice made is
stated in a comment next to the code that makes it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from patchsetup import aws_defaults
from patchsetup.baselines.messages import BaselineError, hint, shown
from patchsetup.baselines.shapes import operating_systems
from patchsetup.baselines.systems import PRESET_SYSTEMS
from patchsetup.baselines.validate import APT_PRIORITY_ORDER, WILDCARD

__all__ = ["preset"]

# What GetPatchBaseline reports for fields omitted at create time:
# patchsetup/deploy/aws_defaults.py.
_DEFAULT_COMPLIANCE_LEVEL = aws_defaults.COMPLIANCE_LEVEL
_DEFAULT_REJECTED_ACTION = aws_defaults.REJECTED_PATCHES_ACTION


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
    global_filters = [{"Key": "PRODUCT", "Values": [WILDCARD]}] if all_products else []
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
        [_rule({"PRIORITY": list(APT_PRIORITY_ORDER)}, days=0)],
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
        [_rule({"PRODUCT": [WILDCARD]}, days=7, non_security=True)],
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
            _rule({"CLASSIFICATION": [WILDCARD]}, days=0, non_security=True),
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
    spec = _PRESETS.get(operating_system) if operating_system in PRESET_SYSTEMS else None
    if spec is not None:
        return copy.deepcopy(spec)
    valid = operating_systems()  # botocore's model, read only to explain the refusal
    if operating_system not in valid:
        raise BaselineError(
            f"unknown operating system {shown(operating_system)}"
            f"{hint(operating_system, valid)}; valid values: {', '.join(valid)}"
        )
    # A newer botocore added an OS whose predefined baseline is not
    # transcribed here yet; better to say so than to guess its rules.
    raise BaselineError(
        f"no preset for operating system {operating_system} yet; "
        "write a baseline file for it instead"
    )
