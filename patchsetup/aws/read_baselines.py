"""A region's patch baselines and patch-group registrations as ``RemoteBaseline``/``Registration``.

Read calls only, one small function per AWS action: custom baselines (never
AWS-owned ones) in full, AWS's own defaults by ID, every registration.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from patchsetup.aws.listing import PAGE, strip
from patchsetup.deploy.remote import Registration, RemoteBaseline

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient
else:
    SSMClient = Any


def describe_custom_baselines(ssm: SSMClient) -> Iterator[dict[str, Any]]:
    """Baselines this account owns (never AWS-owned ones)."""
    paginator = ssm.get_paginator("describe_patch_baselines")
    for page in paginator.paginate(Filters=[{"Key": "OWNER", "Values": ["Self"]}], **PAGE):
        yield from page.get("BaselineIdentities", [])  # type: ignore[misc]


def aws_default_baselines(ssm: SSMClient) -> tuple[dict[str, str], dict[str, str]]:
    """AWS's predefined default baseline per OS (``AWS-...DefaultPatchBaseline``, its ARN),
    and the names of all of AWS's baselines by ARN."""
    found: dict[str, str] = {}
    names: dict[str, str] = {}
    paginator = ssm.get_paginator("describe_patch_baselines")
    for page in paginator.paginate(Filters=[{"Key": "OWNER", "Values": ["AWS"]}], **PAGE):
        for identity in page.get("BaselineIdentities", []):
            names[identity["BaselineId"]] = identity.get("BaselineName", "")
            if identity.get("BaselineName", "").endswith("DefaultPatchBaseline"):
                found.setdefault(identity.get("OperatingSystem", "WINDOWS"), identity["BaselineId"])
    return found, names


def default_baseline(ssm: SSMClient, operating_system: str) -> str:
    """The region's default baseline for ``operating_system`` (an ARN when AWS's)."""
    response = ssm.get_default_patch_baseline(OperatingSystem=operating_system)  # type: ignore[arg-type]
    return str(response["BaselineId"])


def read_baseline(ssm: SSMClient, baseline_id: str, tags: dict[str, str]) -> RemoteBaseline:
    """A baseline's rules as GetPatchBaseline reports them."""
    response = strip(dict(ssm.get_patch_baseline(BaselineId=baseline_id)))
    return RemoteBaseline(
        baseline_id=baseline_id,
        name=str(response["Name"]),
        operating_system=str(response.get("OperatingSystem", "WINDOWS")),
        rules=response,
        tags=tags,
    )


def describe_patch_groups(ssm: SSMClient) -> Iterator[Registration]:
    """Every patch-group registration in the region."""
    for page in ssm.get_paginator("describe_patch_groups").paginate(**PAGE):
        for mapping in page.get("Mappings", []):
            identity = mapping["BaselineIdentity"]
            yield Registration(
                patch_group=mapping["PatchGroup"],
                operating_system=identity.get("OperatingSystem", "WINDOWS"),
                baseline_id=identity["BaselineId"],
                baseline_name=identity.get("BaselineName", ""),
            )
