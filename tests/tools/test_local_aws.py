"""The local AWS stand-in (tools/local_aws.py): every gap it fills in moto, via boto3.

Each successful response of a filled-in operation is checked on the wire against
botocore's output shape (tests/helpers/shapes.py); each error is checked for its AWS code,
HTTP 400 and the JSON `__type`.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from tests.helpers.cli import cli_env
from tests.helpers.endpoint import AwsEnv, client, launch_local_aws, reset_local_aws, wait_ready
from tests.helpers.paths import ROOT
from tests.helpers.shapes import check_output, output_errors, service_model
from tools import launch
from tools.launch import Server

CUSTOM_ID = re.compile(r"^pb-[0-9a-f]{17}$")
AWS_ARN = re.compile(r"^arn:aws:ssm:us-east-1:\d{12}:patchbaseline/pb-[0-9a-f]{17}$")
NEXT_RUN = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
RULES = {
    "PatchRules": [
        {
            "PatchFilterGroup": {
                "PatchFilters": [
                    {"Key": "CLASSIFICATION", "Values": ["Security"]},
                    {"Key": "SEVERITY", "Values": ["Critical", "Important"]},
                ]
            },
            "ApproveAfterDays": 7,
            "ComplianceLevel": "CRITICAL",
        }
    ]
}


class Api:
    """Calls SSM through boto3, capturing each raw response body before botocore parses it."""

    def __init__(self, ssm_client: Any) -> None:
        self.client = ssm_client
        self.raw: dict[str, tuple[int, bytes]] = {}
        ssm_client.meta.events.register("before-parse.ssm", self._capture)

    @classmethod
    def of(cls, ssm_client: Any) -> Api:
        """One Api (one capture handler) per client; clients are shared across tests."""
        if id(ssm_client) not in _APIS:
            _APIS[id(ssm_client)] = cls(ssm_client)
        api = _APIS[id(ssm_client)]
        api.raw.clear()
        return api

    def _capture(self, operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
        self.raw[operation_model.name] = (response_dict["status_code"], response_dict["body"])

    def __call__(self, op: str, **params: Any) -> dict[str, Any]:
        result: dict[str, Any] = getattr(self.client, xform_name(op))(**params)
        status, body = self.raw[op]
        assert status == 200, (op, status, body)
        check_output(op, body)
        result.pop("ResponseMetadata", None)
        return result

    def error(self, op: str, code: str, **params: Any) -> str:
        with pytest.raises(ClientError) as info:
            getattr(self.client, xform_name(op))(**params)
        error = info.value.response["Error"]
        assert error["Code"] == code, f"{op}: expected {code}, got {error}"
        status, body = self.raw[op]
        assert status == 400, (op, status, body)
        assert json.loads(body)["__type"] == code
        return str(error.get("Message", ""))


_APIS: dict[int, Api] = {}


@pytest.fixture
def api(ssm: Any) -> Api:
    return Api.of(ssm)


def make_baseline(api: Api, name: str = "custom-al2", **kw: Any) -> str:
    params: dict[str, Any] = {"Name": name, "OperatingSystem": "AMAZON_LINUX_2"}
    params.update(kw)
    baseline_id = api("CreatePatchBaseline", **params)["BaselineId"]
    assert CUSTOM_ID.match(baseline_id)
    return str(baseline_id)


def make_window(api: Api, name: str = "patch-window", **kw: Any) -> str:
    params: dict[str, Any] = {
        "Name": name,
        "Schedule": "cron(0 3 ? * SUN *)",
        "Duration": 3,
        "Cutoff": 1,
        "AllowUnassociatedTargets": False,
    }
    params.update(kw)
    return str(api("CreateMaintenanceWindow", **params)["WindowId"])


def make_target(api: Api, window_id: str, **kw: Any) -> str:
    params: dict[str, Any] = {
        "WindowId": window_id,
        "ResourceType": "INSTANCE",
        "Targets": [{"Key": "tag:Patch Group", "Values": ["web"]}],
    }
    params.update(kw)
    return str(api("RegisterTargetWithMaintenanceWindow", **params)["WindowTargetId"])


def run_patch_task(window_id: str, target_id: str, **kw: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "WindowId": window_id,
        "Targets": [{"Key": "WindowTargetIds", "Values": [target_id]}],
        "TaskArn": "AWS-RunPatchBaseline",
        "TaskType": "RUN_COMMAND",
        "Priority": 1,
        "MaxConcurrency": "10%",
        "MaxErrors": "1",
        "Name": "install-patches",
        "Description": "Install approved patches",
        "CutoffBehavior": "CANCEL_TASK",
        "TaskInvocationParameters": {
            "RunCommand": {
                "Comment": "patch",
                "Parameters": {"Operation": ["Install"], "RebootOption": ["RebootIfNeeded"]},
                "TimeoutSeconds": 600,
            }
        },
        "LoggingInfo": {"S3BucketName": "patch-logs", "S3KeyPrefix": "mw", "S3Region": "us-east-1"},
        "ServiceRoleArn": "arn:aws:iam::123456789012:role/mw-role",
    }
    params.update(kw)
    return params


def all_pages(api: Api, op: str, key: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    while True:
        page = api(op, **params, **({"NextToken": token} if token else {}))
        items.extend(page[key])
        token = page.get("NextToken")
        if not token:
            return items


# ------------------------------------------------------------------ server and fixtures


def test_server_serves_sts_iam_and_resets(aws: AwsEnv, api: Api) -> None:
    assert re.match(r"^http://127\.0\.0\.1:\d+$", aws.url)
    assert aws.region == "us-east-1" and aws["AWS_ACCESS_KEY_ID"] == "testing"
    assert client(aws, "sts").get_caller_identity()["Account"].isdigit()
    iam = client(aws, "iam")
    iam.create_role(RoleName="mw-role", AssumeRolePolicyDocument="{}")
    make_window(api)
    reset_local_aws(aws.url)
    assert api("DescribeMaintenanceWindows")["WindowIdentities"] == []
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == []


@pytest.fixture(scope="module")
def spare_server() -> Iterator[Server]:
    """A second server, launched early so its start-up overlaps the other tests."""
    server = launch_local_aws()
    try:
        yield server
    finally:
        launch.stop(server)


@pytest.fixture(autouse=True, scope="module")
def _launch_spare_early(spare_server: Server) -> None:
    """Module-wide: request the spare server before the first test of this file."""


def test_shape_checker_is_strict() -> None:
    ok = {"BaselineIdentities": [{"BaselineId": "pb-0123456789abcdef0", "DefaultBaseline": True}]}
    check_output("DescribePatchBaselines", json.dumps(ok).encode())
    bad = {
        "BaselineIdentities": [
            {"BaselineId": "x", "OperatingSystem": "BEOS", "DefaultBaseline": "yes", "Extra": 1}
        ],
        "NextToken": 5,
    }
    errors = output_errors("DescribePatchBaselines", json.dumps(bad))
    joined = "\n".join(errors)
    assert "$.BaselineIdentities[0].Extra: not a member" in joined
    assert "$.BaselineIdentities[0].OperatingSystem: 'BEOS' is not one of" in joined
    assert "$.BaselineIdentities[0].DefaultBaseline: expected boolean" in joined
    assert "$.BaselineIdentities[0].BaselineId: length 1 < min 20" in joined
    assert "$.NextToken: expected string" in joined
    assert output_errors("GetMaintenanceWindow", {"CreatedDate": "2024-01-01"})  # not epoch
    assert output_errors("DescribeMaintenanceWindowTasks", {"Tasks": [{"TaskType": "X"}]})
    with pytest.raises(AssertionError, match="PatchFilters: required member"):
        check_output("GetPatchBaseline", {"GlobalFilters": {}})


# ------------------------------------------------------------------ 1. baseline tags


def test_patch_baseline_tags(api: Api) -> None:
    baseline_id = make_baseline(api, Tags=[{"Key": "Owner", "Value": "ssm-patching-setup"}])
    listed = api("ListTagsForResource", ResourceType="PatchBaseline", ResourceId=baseline_id)
    assert listed["TagList"] == [{"Key": "Owner", "Value": "ssm-patching-setup"}]
    api(
        "AddTagsToResource",
        ResourceType="PatchBaseline",
        ResourceId=baseline_id,
        Tags=[{"Key": "Env", "Value": "prod"}],
    )
    api(
        "RemoveTagsFromResource",
        ResourceType="PatchBaseline",
        ResourceId=baseline_id,
        TagKeys=["Owner"],
    )
    listed = api("ListTagsForResource", ResourceType="PatchBaseline", ResourceId=baseline_id)
    assert listed["TagList"] == [{"Key": "Env", "Value": "prod"}]
    aws_arn = api("GetDefaultPatchBaseline", OperatingSystem="UBUNTU")["BaselineId"]
    for bad_id in ("pb-0123456789abcdef0", aws_arn):
        api.error(
            "ListTagsForResource",
            "InvalidResourceId",
            ResourceType="PatchBaseline",
            ResourceId=bad_id,
        )
        api.error(
            "AddTagsToResource",
            "InvalidResourceId",
            ResourceType="PatchBaseline",
            ResourceId=bad_id,
            Tags=[{"Key": "k", "Value": "v"}],
        )
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    api.error(
        "AddTagsToResource",
        "TooManyTagsError",
        ResourceType="PatchBaseline",
        ResourceId=baseline_id,
        Tags=too_many,
    )


def test_maintenance_window_tags_still_work(api: Api) -> None:
    window_id = make_window(api, Tags=[{"Key": "Owner", "Value": "me"}])
    api(
        "AddTagsToResource",
        ResourceType="MaintenanceWindow",
        ResourceId=window_id,
        Tags=[{"Key": "Env", "Value": "dev"}],
    )
    api(
        "RemoveTagsFromResource",
        ResourceType="MaintenanceWindow",
        ResourceId=window_id,
        TagKeys=["Owner"],
    )
    listed = api("ListTagsForResource", ResourceType="MaintenanceWindow", ResourceId=window_id)
    assert listed["TagList"] == [{"Key": "Env", "Value": "dev"}]
    api.error(
        "ListTagsForResource",
        "InvalidResourceId",
        ResourceType="MaintenanceWindow",
        ResourceId="mw-0123456789abcdef0",
    )


# ------------------------------------------------------------------ 2. baselines, groups


def test_get_patch_baseline_full_shape(api: Api) -> None:
    baseline_id = make_baseline(
        api,
        Description="Custom AL2 baseline",
        GlobalFilters={"PatchFilters": [{"Key": "PRODUCT", "Values": ["AmazonLinux2"]}]},
        ApprovalRules=RULES,
        ApprovedPatches=["kernel"],
        ApprovedPatchesComplianceLevel="HIGH",
        RejectedPatches=["python2"],
        RejectedPatchesAction="BLOCK",
        Sources=[{"Name": "repo", "Products": ["AmazonLinux2"], "Configuration": "[main]"}],
    )
    api("RegisterPatchBaselineForPatchGroup", BaselineId=baseline_id, PatchGroup="web")
    got = api("GetPatchBaseline", BaselineId=baseline_id)
    assert got["BaselineId"] == baseline_id and got["Name"] == "custom-al2"
    assert got["OperatingSystem"] == "AMAZON_LINUX_2"
    assert got["Description"] == "Custom AL2 baseline"
    assert got["GlobalFilters"]["PatchFilters"][0]["Key"] == "PRODUCT"
    rule = got["ApprovalRules"]["PatchRules"][0]
    assert rule["ApproveAfterDays"] == 7 and rule["ComplianceLevel"] == "CRITICAL"
    assert rule["EnableNonSecurity"] is False
    assert got["ApprovedPatches"] == ["kernel"] and got["RejectedPatches"] == ["python2"]
    assert got["ApprovedPatchesComplianceLevel"] == "HIGH"
    assert got["ApprovedPatchesEnableNonSecurity"] is False
    assert got["RejectedPatchesAction"] == "BLOCK"
    assert got["PatchGroups"] == ["web"]
    assert got["Sources"][0]["Name"] == "repo"
    assert got["CreatedDate"] <= got["ModifiedDate"]
    windows = make_baseline(
        api,
        "win",
        OperatingSystem="WINDOWS",
        AvailableSecurityUpdatesComplianceStatus="NON_COMPLIANT",
    )
    got = api("GetPatchBaseline", BaselineId=windows)
    assert got["AvailableSecurityUpdatesComplianceStatus"] == "NON_COMPLIANT"
    assert got["ApprovalRules"] == {"PatchRules": []} and got["PatchGroups"] == []
    api.error("GetPatchBaseline", "DoesNotExistException", BaselineId="pb-0123456789abcdef0")
    api.error("CreatePatchBaseline", "ValidationException", Name="bad name!")
    both = {"PatchRules": [{**RULES["PatchRules"][0], "ApproveUntilDate": "2030-01-01"}]}
    api.error("CreatePatchBaseline", "ValidationException", Name="both", ApprovalRules=both)


def test_update_patch_baseline_replace_semantics(api: Api) -> None:
    baseline_id = make_baseline(
        api,
        Description="first",
        ApprovalRules=RULES,
        ApprovedPatches=["kernel"],
        RejectedPatchesAction="BLOCK",
    )
    updated = api("UpdatePatchBaseline", BaselineId=baseline_id, Description="second")
    assert updated["Description"] == "second" and updated["ApprovedPatches"] == ["kernel"]
    assert updated["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] == 7
    assert updated["RejectedPatchesAction"] == "BLOCK" and updated["Name"] == "custom-al2"
    assert updated["ModifiedDate"] >= updated["CreatedDate"]
    api.error("UpdatePatchBaseline", "ValidationException", BaselineId=baseline_id, Replace=True)
    replaced = api(
        "UpdatePatchBaseline",
        BaselineId=baseline_id,
        Name="renamed",
        ApprovedPatches=["openssl"],
        Replace=True,
    )
    assert replaced["Name"] == "renamed" and replaced["ApprovedPatches"] == ["openssl"]
    assert "Description" not in replaced
    assert replaced["ApprovalRules"] == {"PatchRules": []}
    assert replaced["RejectedPatchesAction"] == "ALLOW_AS_DEPENDENCY"
    assert replaced["OperatingSystem"] == "AMAZON_LINUX_2"
    assert api("GetPatchBaseline", BaselineId=baseline_id)["Name"] == "renamed"
    api.error(
        "UpdatePatchBaseline",
        "DoesNotExistException",
        BaselineId="pb-0123456789abcdef0",
        Name="x-y-z",
    )


def test_patch_group_registration(api: Api) -> None:
    al2 = make_baseline(api, "al2")
    al2_other = make_baseline(api, "al2-other")
    ubuntu = make_baseline(api, "ubuntu", OperatingSystem="UBUNTU")
    assert api("RegisterPatchBaselineForPatchGroup", BaselineId=al2, PatchGroup="web") == {
        "BaselineId": al2,
        "PatchGroup": "web",
    }
    for second in (al2_other, al2):
        message = api.error(
            "RegisterPatchBaselineForPatchGroup",
            "AlreadyExistsException",
            BaselineId=second,
            PatchGroup="web",
        )
        assert "AMAZON_LINUX_2" in message
    api("RegisterPatchBaselineForPatchGroup", BaselineId=ubuntu, PatchGroup="web")
    api.error(
        "RegisterPatchBaselineForPatchGroup",
        "DoesNotExistException",
        BaselineId="pb-0123456789abcdef0",
        PatchGroup="web",
    )
    got = api("GetPatchBaselineForPatchGroup", PatchGroup="web", OperatingSystem="AMAZON_LINUX_2")
    assert got == {"BaselineId": al2, "PatchGroup": "web", "OperatingSystem": "AMAZON_LINUX_2"}
    default_al2 = api("GetDefaultPatchBaseline", OperatingSystem="AMAZON_LINUX_2")["BaselineId"]
    other = api("GetPatchBaselineForPatchGroup", PatchGroup="db", OperatingSystem="AMAZON_LINUX_2")
    assert other["BaselineId"] == default_al2
    windows = api("GetPatchBaselineForPatchGroup", PatchGroup="web")
    assert windows["OperatingSystem"] == "WINDOWS" and AWS_ARN.match(windows["BaselineId"])

    api("DeregisterPatchBaselineForPatchGroup", BaselineId=al2, PatchGroup="web")
    api.error(
        "DeregisterPatchBaselineForPatchGroup",
        "InvalidResourceId",
        BaselineId=al2,
        PatchGroup="web",
    )
    got = api("GetPatchBaselineForPatchGroup", PatchGroup="web", OperatingSystem="AMAZON_LINUX_2")
    assert got["BaselineId"] == default_al2
    api("RegisterPatchBaselineForPatchGroup", BaselineId=al2_other, PatchGroup="web")
    aws_ubuntu = api("GetDefaultPatchBaseline", OperatingSystem="UBUNTU")["BaselineId"]
    api("RegisterPatchBaselineForPatchGroup", BaselineId=aws_ubuntu, PatchGroup="db")


def test_describe_patch_groups(api: Api) -> None:
    al2 = make_baseline(api, "al2", Description="AL2")
    ubuntu = make_baseline(api, "ubuntu", OperatingSystem="UBUNTU")
    for group in ("web-1", "web-2", "db-1"):
        api("RegisterPatchBaselineForPatchGroup", BaselineId=al2, PatchGroup=group)
    api("RegisterPatchBaselineForPatchGroup", BaselineId=ubuntu, PatchGroup="web-1")
    mappings = api("DescribePatchGroups")["Mappings"]
    assert len(mappings) == 4
    first = next(m for m in mappings if m["PatchGroup"] == "db-1")
    assert first["BaselineIdentity"] == {
        "BaselineId": al2,
        "BaselineName": "al2",
        "OperatingSystem": "AMAZON_LINUX_2",
        "BaselineDescription": "AL2",
        "DefaultBaseline": False,
    }
    web = api("DescribePatchGroups", Filters=[{"Key": "NAME_PREFIX", "Values": ["web"]}])
    assert sorted(m["PatchGroup"] for m in web["Mappings"]) == ["web-1", "web-1", "web-2"]
    ubuntu_only = api(
        "DescribePatchGroups", Filters=[{"Key": "OPERATING_SYSTEM", "Values": ["UBUNTU"]}]
    )["Mappings"]
    assert [(m["PatchGroup"], m["BaselineIdentity"]["BaselineId"]) for m in ubuntu_only] == [
        ("web-1", ubuntu)
    ]
    paged = all_pages(api, "DescribePatchGroups", "Mappings", MaxResults=1)
    assert paged == mappings
    api.error(
        "DescribePatchGroups", "ValidationException", Filters=[{"Key": "OWNER", "Values": ["AWS"]}]
    )


def test_delete_patch_baseline_rules(api: Api) -> None:
    baseline_id = make_baseline(api, Tags=[{"Key": "k", "Value": "v"}])
    api("RegisterPatchBaselineForPatchGroup", BaselineId=baseline_id, PatchGroup="web")
    message = api.error("DeletePatchBaseline", "ResourceInUseException", BaselineId=baseline_id)
    assert "web" in message
    api("DeregisterPatchBaselineForPatchGroup", BaselineId=baseline_id, PatchGroup="web")
    api("RegisterDefaultPatchBaseline", BaselineId=baseline_id)
    api.error("DeletePatchBaseline", "ResourceInUseException", BaselineId=baseline_id)
    aws_default = next(
        b["BaselineId"]
        for b in api(
            "DescribePatchBaselines",
            Filters=[{"Key": "NAME_PREFIX", "Values": ["AWS-AmazonLinux2DefaultPatchBaseline"]}],
        )["BaselineIdentities"]
    )
    api("RegisterDefaultPatchBaseline", BaselineId=aws_default)
    assert api("DeletePatchBaseline", BaselineId=baseline_id) == {"BaselineId": baseline_id}
    api.error("GetPatchBaseline", "DoesNotExistException", BaselineId=baseline_id)
    assert api("DeletePatchBaseline", BaselineId=baseline_id) == {"BaselineId": baseline_id}
    api.error("DeletePatchBaseline", "AccessDeniedException", BaselineId=aws_default)


# ------------------------------------------------------------------ 3. AWS-owned baselines


def test_aws_owned_baselines(api: Api) -> None:
    enum = service_model().shape_for("OperatingSystem").enum
    aws_owned = all_pages(
        api,
        "DescribePatchBaselines",
        "BaselineIdentities",
        Filters=[{"Key": "OWNER", "Values": ["AWS"]}],
        MaxResults=4,
    )
    defaults = {b["OperatingSystem"]: b for b in aws_owned if b["DefaultBaseline"]}
    assert sorted(defaults) == sorted(enum)
    assert all(AWS_ARN.match(b["BaselineId"]) for b in aws_owned)
    names = {b["BaselineName"] for b in aws_owned}
    assert {
        "AWS-DefaultPatchBaseline",
        "AWS-AmazonLinux2DefaultPatchBaseline",
        "AWS-AmazonLinux2023DefaultPatchBaseline",
        "AWS-UbuntuDefaultPatchBaseline",
        "AWS-RedHatDefaultPatchBaseline",
        "AWS-WindowsPredefinedPatchBaseline-OS",
    } <= names
    assert defaults["WINDOWS"]["BaselineName"] == "AWS-DefaultPatchBaseline"
    assert "Provided by AWS" in defaults["UBUNTU"]["BaselineDescription"]

    custom = make_baseline(api)
    everything = all_pages(api, "DescribePatchBaselines", "BaselineIdentities")
    assert len(everything) == len(aws_owned) + 1
    for owner in ("All",):
        assert (
            all_pages(
                api,
                "DescribePatchBaselines",
                "BaselineIdentities",
                Filters=[{"Key": "OWNER", "Values": [owner]}],
            )
            == everything
        )
    mine = api("DescribePatchBaselines", Filters=[{"Key": "OWNER", "Values": ["Self"]}])
    assert [b["BaselineId"] for b in mine["BaselineIdentities"]] == [custom]
    assert "NextToken" not in mine
    al2 = api(
        "DescribePatchBaselines",
        Filters=[
            {"Key": "OPERATING_SYSTEM", "Values": ["AMAZON_LINUX_2"]},
            {"Key": "NAME_PREFIX", "Values": ["AWS-"]},
        ],
    )["BaselineIdentities"]
    assert [b["BaselineName"] for b in al2] == ["AWS-AmazonLinux2DefaultPatchBaseline"]
    api.error(
        "DescribePatchBaselines",
        "ValidationException",
        Filters=[{"Key": "OWNER", "Values": ["Someone"]}],
    )
    api.error("DescribePatchBaselines", "ValidationException", NextToken="garbage")

    arn = al2[0]["BaselineId"]
    got = api("GetPatchBaseline", BaselineId=arn)
    assert got["BaselineId"] == arn and got["Name"] == "AWS-AmazonLinux2DefaultPatchBaseline"
    assert got["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] == 7
    api.error("GetPatchBaseline", "DoesNotExistException", BaselineId=arn.split("/")[-1])
    api.error("UpdatePatchBaseline", "AccessDeniedException", BaselineId=arn, Description="x")
    api.error("DeletePatchBaseline", "AccessDeniedException", BaselineId=arn)

    windows = api("GetDefaultPatchBaseline")
    assert windows == {
        "BaselineId": defaults["WINDOWS"]["BaselineId"],
        "OperatingSystem": "WINDOWS",
    }
    api("RegisterDefaultPatchBaseline", BaselineId=custom)
    assert api("GetDefaultPatchBaseline", OperatingSystem="AMAZON_LINUX_2")["BaselineId"] == custom
    flags = {
        b["BaselineId"]: b["DefaultBaseline"]
        for b in all_pages(
            api,
            "DescribePatchBaselines",
            "BaselineIdentities",
            Filters=[{"Key": "OPERATING_SYSTEM", "Values": ["AMAZON_LINUX_2"]}],
        )
    }
    assert flags == {arn: False, custom: True}


def test_aws_owned_baselines_are_per_region(aws: AwsEnv) -> None:
    east = Api.of(client(aws, "ssm"))("GetDefaultPatchBaseline")["BaselineId"]
    west = Api.of(client(aws, "ssm", "eu-west-1"))("GetDefaultPatchBaseline")["BaselineId"]
    assert ":us-east-1:" in east and ":eu-west-1:" in west


# ------------------------------------------------------------------ maintenance windows


def test_get_and_update_maintenance_window(api: Api) -> None:
    window_id = make_window(
        api,
        Description="weekly",
        Schedule="cron(0 3 ? * SUN *)",
        ScheduleTimezone="Europe/Berlin",
        ScheduleOffset=2,
        StartDate="2024-01-01T00:00:00Z",
        EndDate="2099-01-01T00:00:00Z",
        AllowUnassociatedTargets=True,
    )
    got = api("GetMaintenanceWindow", WindowId=window_id)
    assert got["WindowId"] == window_id and got["Name"] == "patch-window"
    assert got["Description"] == "weekly" and got["ScheduleTimezone"] == "Europe/Berlin"
    assert got["ScheduleOffset"] == 2 and got["Duration"] == 3 and got["Cutoff"] == 1
    assert got["AllowUnassociatedTargets"] is True and got["Enabled"] is True
    assert got["StartDate"] == "2024-01-01T00:00:00Z" and got["EndDate"].startswith("2099")
    assert NEXT_RUN.match(got["NextExecutionTime"]), got["NextExecutionTime"]
    assert got["NextExecutionTime"].endswith(("+01:00", "+02:00"))
    assert got["NextExecutionTime"][11:16] == "03:00"
    assert got["CreatedDate"] == got["ModifiedDate"]

    updated = api("UpdateMaintenanceWindow", WindowId=window_id, Duration=4, Enabled=False)
    assert updated["Duration"] == 4 and updated["Enabled"] is False
    assert updated["Description"] == "weekly" and updated["Cutoff"] == 1
    got = api("GetMaintenanceWindow", WindowId=window_id)
    assert "NextExecutionTime" not in got and got["ModifiedDate"] >= got["CreatedDate"]

    api.error(
        "UpdateMaintenanceWindow",
        "ValidationException",
        WindowId=window_id,
        Replace=True,
        Name="only-name",
    )
    replaced = api(
        "UpdateMaintenanceWindow",
        WindowId=window_id,
        Replace=True,
        Name="renamed",
        Schedule="rate(2 days)",
        Duration=2,
        Cutoff=0,
        AllowUnassociatedTargets=False,
    )
    for cleared in ("Description", "ScheduleTimezone", "ScheduleOffset", "StartDate", "EndDate"):
        assert cleared not in replaced, cleared
    assert replaced["Enabled"] is True and replaced["Schedule"] == "rate(2 days)"
    got = api("GetMaintenanceWindow", WindowId=window_id)
    assert got["Name"] == "renamed" and got["NextExecutionTime"].endswith("Z")
    api.error("GetMaintenanceWindow", "DoesNotExistException", WindowId="mw-0123456789abcdef0")
    api.error(
        "UpdateMaintenanceWindow",
        "DoesNotExistException",
        WindowId="mw-0123456789abcdef0",
        Name="abc",
    )


def test_describe_maintenance_windows(api: Api) -> None:
    ids = [make_window(api, f"window-{i:02d}") for i in range(12)]
    api("UpdateMaintenanceWindow", WindowId=ids[0], Enabled=False)
    listed = all_pages(api, "DescribeMaintenanceWindows", "WindowIdentities", MaxResults=10)
    assert [w["WindowId"] for w in listed] == ids
    assert all(w["Enabled"] is (w["WindowId"] != ids[0]) for w in listed)
    assert all(NEXT_RUN.match(w["NextExecutionTime"]) for w in listed[1:])
    assert listed[1]["Duration"] == 3 and listed[1]["Schedule"] == "cron(0 3 ? * SUN *)"
    disabled = api("DescribeMaintenanceWindows", Filters=[{"Key": "Enabled", "Values": ["False"]}])
    assert [w["WindowId"] for w in disabled["WindowIdentities"]] == [ids[0]]
    named = api("DescribeMaintenanceWindows", Filters=[{"Key": "Name", "Values": ["window-05"]}])
    assert [w["WindowId"] for w in named["WindowIdentities"]] == [ids[5]]


def test_delete_maintenance_window_cascades(api: Api) -> None:
    window_id = make_window(api, Tags=[{"Key": "k", "Value": "v"}])
    target_id = make_target(api, window_id)
    api("RegisterTaskWithMaintenanceWindow", **run_patch_task(window_id, target_id))
    assert api("DeleteMaintenanceWindow", WindowId=window_id) == {"WindowId": window_id}
    api.error("GetMaintenanceWindow", "DoesNotExistException", WindowId=window_id)
    api.error("DescribeMaintenanceWindowTargets", "DoesNotExistException", WindowId=window_id)
    api.error("DescribeMaintenanceWindowTasks", "DoesNotExistException", WindowId=window_id)
    api.error(
        "ListTagsForResource",
        "InvalidResourceId",
        ResourceType="MaintenanceWindow",
        ResourceId=window_id,
    )
    assert api("DeleteMaintenanceWindow", WindowId=window_id) == {"WindowId": window_id}


def test_window_targets(api: Api) -> None:
    window_id = make_window(api)
    target_id = make_target(
        api, window_id, OwnerInformation="team-a", Name="web", Description="web servers"
    )
    other_id = make_target(api, window_id)
    targets = api("DescribeMaintenanceWindowTargets", WindowId=window_id)["Targets"]
    assert targets[0] == {
        "WindowId": window_id,
        "WindowTargetId": target_id,
        "ResourceType": "INSTANCE",
        "Targets": [{"Key": "tag:Patch Group", "Values": ["web"]}],
        "OwnerInformation": "team-a",
        "Name": "web",
        "Description": "web servers",
    }
    assert "OwnerInformation" not in targets[1]
    filtered = api(
        "DescribeMaintenanceWindowTargets",
        WindowId=window_id,
        Filters=[{"Key": "WindowTargetId", "Values": [other_id]}],
    )["Targets"]
    assert [t["WindowTargetId"] for t in filtered] == [other_id]

    updated = api(
        "UpdateMaintenanceWindowTarget",
        WindowId=window_id,
        WindowTargetId=target_id,
        Description="changed",
    )
    assert updated["Description"] == "changed" and updated["OwnerInformation"] == "team-a"
    assert updated["Name"] == "web"
    api.error(
        "UpdateMaintenanceWindowTarget",
        "ValidationException",
        WindowId=window_id,
        WindowTargetId=target_id,
        Replace=True,
        Name="x-y-z",
    )
    new_targets = [{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}]
    replaced = api(
        "UpdateMaintenanceWindowTarget",
        WindowId=window_id,
        WindowTargetId=target_id,
        Targets=new_targets,
        Replace=True,
    )
    assert replaced == {"WindowId": window_id, "WindowTargetId": target_id, "Targets": new_targets}
    api.error(
        "UpdateMaintenanceWindowTarget",
        "DoesNotExistException",
        WindowId=window_id,
        WindowTargetId="00000000-0000-0000-0000-000000000000",
        Name="x-y-z",
    )

    api("RegisterTaskWithMaintenanceWindow", **run_patch_task(window_id, target_id))
    api.error(
        "DeregisterTargetFromMaintenanceWindow",
        "TargetInUseException",
        WindowId=window_id,
        WindowTargetId=target_id,
        Safe=True,
    )
    assert api(
        "DeregisterTargetFromMaintenanceWindow",
        WindowId=window_id,
        WindowTargetId=other_id,
        Safe=True,
    ) == {"WindowId": window_id, "WindowTargetId": other_id}
    api("DeregisterTargetFromMaintenanceWindow", WindowId=window_id, WindowTargetId=target_id)
    assert api("DescribeMaintenanceWindowTargets", WindowId=window_id)["Targets"] == []
    api.error(
        "DeregisterTargetFromMaintenanceWindow",
        "DoesNotExistException",
        WindowId=window_id,
        WindowTargetId=target_id,
    )


def test_window_tasks(api: Api) -> None:
    window_id = make_window(api)
    target_id = make_target(api, window_id)
    params = run_patch_task(window_id, target_id)
    task_id = api("RegisterTaskWithMaintenanceWindow", **params)["WindowTaskId"]

    got = api("GetMaintenanceWindowTask", WindowId=window_id, WindowTaskId=task_id)
    assert got["TaskType"] == "RUN_COMMAND" and got["TaskArn"] == "AWS-RunPatchBaseline"
    assert got["TaskInvocationParameters"] == params["TaskInvocationParameters"]
    assert got["LoggingInfo"] == params["LoggingInfo"]
    assert got["CutoffBehavior"] == "CANCEL_TASK" and got["Priority"] == 1
    assert got["MaxConcurrency"] == "10%" and got["MaxErrors"] == "1"
    assert got["ServiceRoleArn"] == params["ServiceRoleArn"] and got["Targets"] == params["Targets"]

    (described,) = api("DescribeMaintenanceWindowTasks", WindowId=window_id)["Tasks"]
    assert described["Type"] == "RUN_COMMAND" and described["WindowTaskId"] == task_id
    for key in (
        "TaskArn",
        "Targets",
        "Priority",
        "LoggingInfo",
        "ServiceRoleArn",
        "MaxConcurrency",
        "MaxErrors",
        "Name",
        "Description",
        "CutoffBehavior",
    ):
        assert described[key] == got[key], key
    by_type = api(
        "DescribeMaintenanceWindowTasks",
        WindowId=window_id,
        Filters=[{"Key": "TaskType", "Values": ["AUTOMATION"]}],
    )
    assert by_type["Tasks"] == []

    updated = api(
        "UpdateMaintenanceWindowTask",
        WindowId=window_id,
        WindowTaskId=task_id,
        MaxErrors="2",
        TaskInvocationParameters={"RunCommand": {"Comment": "new"}},
    )
    assert updated["MaxErrors"] == "2" and updated["MaxConcurrency"] == "10%"
    # Replaced wholesale; AWS fills in TimeoutSeconds again (its default, 600).
    assert updated["TaskInvocationParameters"] == {
        "RunCommand": {"Comment": "new", "TimeoutSeconds": 600}
    }
    assert updated["Name"] == "install-patches" and "TaskType" not in updated  # not in shape
    api.error(
        "UpdateMaintenanceWindowTask",
        "ValidationException",
        WindowId=window_id,
        WindowTaskId=task_id,
        Replace=True,
        Targets=params["Targets"],
    )
    api.error(
        "UpdateMaintenanceWindowTask",
        "ValidationException",
        WindowId=window_id,
        WindowTaskId=task_id,
        Replace=True,
        TaskArn="AWS-RunPatchBaseline",
    )
    replaced = api(
        "UpdateMaintenanceWindowTask",
        WindowId=window_id,
        WindowTaskId=task_id,
        Replace=True,
        TaskArn="AWS-RunShellScript",
        Targets=params["Targets"],
    )
    for cleared in (
        "Name",
        "Description",
        "MaxErrors",
        "LoggingInfo",
        "ServiceRoleArn",
        "TaskInvocationParameters",
    ):
        assert cleared not in replaced, cleared
    assert replaced["TaskArn"] == "AWS-RunShellScript"
    api.error(
        "UpdateMaintenanceWindowTask",
        "ValidationException",
        WindowId=window_id,
        WindowTaskId=task_id,
        MaxErrors="lots",
    )

    unknown = "00000000-0000-0000-0000-000000000000"
    api.error(
        "GetMaintenanceWindowTask",
        "DoesNotExistException",
        WindowId=window_id,
        WindowTaskId=unknown,
    )
    api.error(
        "DeregisterTaskFromMaintenanceWindow",
        "DoesNotExistException",
        WindowId=window_id,
        WindowTaskId=unknown,
    )
    assert api("DeregisterTaskFromMaintenanceWindow", WindowId=window_id, WindowTaskId=task_id) == {
        "WindowId": window_id,
        "WindowTaskId": task_id,
    }
    assert api("DescribeMaintenanceWindowTasks", WindowId=window_id)["Tasks"] == []
    no_targets = {k: v for k, v in params.items() if k != "Targets"}
    api.error("RegisterTaskWithMaintenanceWindow", "ValidationException", **no_targets)


def test_server_filled_task_defaults(api: Api) -> None:
    """What AWS reports for task members a request left out (aws-cli's published
    get-maintenance-window-task and describe-maintenance-window-tasks examples)."""
    window_id = make_window(api)
    target_id = make_target(api, window_id)
    sparse = run_patch_task(
        window_id,
        target_id,
        TaskInvocationParameters={"RunCommand": {"Parameters": {"Operation": ["Install"]}}},
    )
    for key in ("Priority", "CutoffBehavior", "Description", "LoggingInfo"):
        del sparse[key]
    task_id = api("RegisterTaskWithMaintenanceWindow", **sparse)["WindowTaskId"]
    got = api("GetMaintenanceWindowTask", WindowId=window_id, WindowTaskId=task_id)
    assert got["TaskInvocationParameters"]["RunCommand"] == {
        "Parameters": {"Operation": ["Install"]},
        "Comment": "",
        "TimeoutSeconds": 600,
    }
    assert got["TaskParameters"] == {}
    assert got["Priority"] == 1 and got["CutoffBehavior"] == "CONTINUE_TASK"
    (described,) = api("DescribeMaintenanceWindowTasks", WindowId=window_id)["Tasks"]
    assert described["TaskParameters"] == {} and described["Priority"] == 1
    # What a request sends is kept as sent.
    full = run_patch_task(window_id, target_id, Name="full")
    full_id = api("RegisterTaskWithMaintenanceWindow", **full)["WindowTaskId"]
    got = api("GetMaintenanceWindowTask", WindowId=window_id, WindowTaskId=full_id)
    assert got["TaskInvocationParameters"] == full["TaskInvocationParameters"]
    # Replace=True with a new RunCommand: the defaults are filled in again.
    replaced = api(
        "UpdateMaintenanceWindowTask",
        WindowId=window_id,
        WindowTaskId=full_id,
        Replace=True,
        TaskArn="AWS-RunPatchBaseline",
        Targets=full["Targets"],
        TaskInvocationParameters={"RunCommand": {"Parameters": {"Operation": ["Scan"]}}},
    )
    assert replaced["TaskInvocationParameters"]["RunCommand"]["TimeoutSeconds"] == 600
    assert replaced["TaskInvocationParameters"]["RunCommand"]["Comment"] == ""
    assert replaced["TaskParameters"] == {}


def test_server_filled_baseline_and_window_defaults(api: Api) -> None:
    """GetPatchBaseline / GetMaintenanceWindow defaults for members never sent
    (aws-cli's get-patch-baseline and get-maintenance-window examples)."""
    rule = {k: v for k, v in RULES["PatchRules"][0].items() if k != "ComplianceLevel"}
    windows_id = make_baseline(
        api, "win-sparse", OperatingSystem="WINDOWS", ApprovalRules={"PatchRules": [rule]}
    )
    got = api("GetPatchBaseline", BaselineId=windows_id)
    assert got["ApprovedPatchesComplianceLevel"] == "UNSPECIFIED"
    assert got["ApprovedPatchesEnableNonSecurity"] is False
    assert got["RejectedPatchesAction"] == "ALLOW_AS_DEPENDENCY"
    assert got["ApprovedPatches"] == [] and got["RejectedPatches"] == []
    assert got["GlobalFilters"] == {"PatchFilters": []} and got["Sources"] == []
    (reported,) = got["ApprovalRules"]["PatchRules"]
    assert reported["ComplianceLevel"] == "UNSPECIFIED" and reported["EnableNonSecurity"] is False
    assert got["AvailableSecurityUpdatesComplianceStatus"] == "COMPLIANT"
    # Replace=True without it: back to the default, not gone.
    api(
        "UpdatePatchBaseline",
        BaselineId=windows_id,
        Name="win-sparse",
        AvailableSecurityUpdatesComplianceStatus="NON_COMPLIANT",
    )
    got = api("GetPatchBaseline", BaselineId=windows_id)
    assert got["AvailableSecurityUpdatesComplianceStatus"] == "NON_COMPLIANT"
    api("UpdatePatchBaseline", BaselineId=windows_id, Name="win-sparse", Replace=True)
    got = api("GetPatchBaseline", BaselineId=windows_id)
    assert got["AvailableSecurityUpdatesComplianceStatus"] == "COMPLIANT"
    # Windows Server only: other operating systems do not report it.
    linux = api("GetPatchBaseline", BaselineId=make_baseline(api, "al2-sparse"))
    assert "AvailableSecurityUpdatesComplianceStatus" not in linux

    window_id = api(
        "CreateMaintenanceWindow",
        Name="sparse",
        Schedule="cron(0 3 ? * SUN *)",
        Duration=2,
        Cutoff=0,
        AllowUnassociatedTargets=False,
    )["WindowId"]
    window = api("GetMaintenanceWindow", WindowId=window_id)
    assert window["Enabled"] is True and window["AllowUnassociatedTargets"] is False


def test_describe_targets_and_tasks_paginate(api: Api) -> None:
    window_id = make_window(api)
    targets = [make_target(api, window_id) for _ in range(11)]
    listed = all_pages(
        api, "DescribeMaintenanceWindowTargets", "Targets", WindowId=window_id, MaxResults=10
    )
    assert [t["WindowTargetId"] for t in listed] == targets
    tasks = [
        api("RegisterTaskWithMaintenanceWindow", **run_patch_task(window_id, t))["WindowTaskId"]
        for t in targets
    ]
    listed = all_pages(
        api, "DescribeMaintenanceWindowTasks", "Tasks", WindowId=window_id, MaxResults=10
    )
    assert [t["WindowTaskId"] for t in listed] == tasks


# ------------------------------------------------------------------ 5. validation


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"ScheduleTimezone": "Mars/Olympus_Mons"}, "Mars/Olympus_Mons"),
        ({"ScheduleTimezone": "CEST"}, "CEST"),
        ({"Schedule": "every sunday"}, "every sunday"),
        ({"Schedule": "cron(0 3 * * SUN)"}, "6 fields"),
        ({"Schedule": "cron(0 3 * * SUN *)"}, "'?'"),
        ({"Schedule": "cron(0 25 ? * SUN *)"}, "out of range"),
        ({"Schedule": "rate(2 fortnights)"}, "rate(2 fortnights)"),
        ({"Schedule": "rate(1 day)", "ScheduleOffset": 2}, "ScheduleOffset"),
        ({"Duration": 3, "Cutoff": 3}, "cutoff"),
        ({"Duration": 25, "Cutoff": 1}, "less than or equal to 24"),
        ({"Name": "no spaces allowed"}, "regular expression"),
        ({"StartDate": "2030-01-01T00:00:00Z", "EndDate": "2029-01-01T00:00:00Z"}, "EndDate"),
    ],
)
def test_create_window_validation(api: Api, changes: dict[str, Any], fragment: str) -> None:
    params: dict[str, Any] = {
        "Name": "patch-window",
        "Schedule": "cron(0 3 ? * SUN *)",
        "Duration": 3,
        "Cutoff": 1,
        "AllowUnassociatedTargets": False,
    }
    params.update(changes)
    message = api.error("CreateMaintenanceWindow", "ValidationException", **params)
    assert fragment in message


def test_valid_schedules_and_update_validation(api: Api) -> None:
    for schedule in (
        "rate(1 day)",
        "rate(12 hours)",
        "cron(30 23 L * ? *)",
        "cron(0 4 ? JAN-DEC MON#2 *)",
        "cron(0/15 1-3 ? * MON-FRI 2099)",
    ):
        window_id = make_window(api, Schedule=schedule, ScheduleTimezone="America/New_York")
        got = api("GetMaintenanceWindow", WindowId=window_id)
        assert NEXT_RUN.match(got["NextExecutionTime"]), (schedule, got)
    api.error(
        "UpdateMaintenanceWindow",
        "ValidationException",
        WindowId=window_id,
        ScheduleTimezone="Not/AZone",
    )
    api.error(
        "UpdateMaintenanceWindow",
        "ValidationException",
        WindowId=window_id,
        Schedule="cron(nonsense)",
    )
    api.error(
        "UpdateMaintenanceWindow", "ValidationException", WindowId=window_id, Cutoff=3, Duration=2
    )
    assert api("GetMaintenanceWindow", WindowId=window_id)["Duration"] == 3


# ------------------------------------------------------------------ 6. ClientToken


def test_client_token_idempotency(api: Api) -> None:
    window_params: dict[str, Any] = {
        "Name": "patch-window",
        "Schedule": "rate(7 days)",
        "Duration": 2,
        "Cutoff": 1,
        "AllowUnassociatedTargets": False,
        "ClientToken": "tok-w",
    }
    window_id = api("CreateMaintenanceWindow", **window_params)["WindowId"]
    assert api("CreateMaintenanceWindow", **window_params)["WindowId"] == window_id
    assert len(api("DescribeMaintenanceWindows")["WindowIdentities"]) == 1
    api.error(
        "CreateMaintenanceWindow", "IdempotentParameterMismatch", **{**window_params, "Duration": 3}
    )

    target_params: dict[str, Any] = {
        "WindowId": window_id,
        "ResourceType": "INSTANCE",
        "ClientToken": "tok-t",
        "Targets": [{"Key": "tag:Patch Group", "Values": ["web"]}],
    }
    target_id = api("RegisterTargetWithMaintenanceWindow", **target_params)["WindowTargetId"]
    again = api("RegisterTargetWithMaintenanceWindow", **target_params)["WindowTargetId"]
    assert again == target_id
    assert len(api("DescribeMaintenanceWindowTargets", WindowId=window_id)["Targets"]) == 1
    api.error(
        "RegisterTargetWithMaintenanceWindow",
        "IdempotentParameterMismatch",
        **{**target_params, "Name": "other"},
    )

    task_params = run_patch_task(window_id, target_id, ClientToken="tok-task")
    task_id = api("RegisterTaskWithMaintenanceWindow", **task_params)["WindowTaskId"]
    assert api("RegisterTaskWithMaintenanceWindow", **task_params)["WindowTaskId"] == task_id
    assert len(api("DescribeMaintenanceWindowTasks", WindowId=window_id)["Tasks"]) == 1
    api.error(
        "RegisterTaskWithMaintenanceWindow",
        "IdempotentParameterMismatch",
        **{**task_params, "Priority": 5},
    )

    baseline_params: dict[str, Any] = {
        "Name": "custom-al2",
        "OperatingSystem": "AMAZON_LINUX_2",
        "ApprovalRules": RULES,
        "ClientToken": "tok-b",
    }
    baseline_id = api("CreatePatchBaseline", **baseline_params)["BaselineId"]
    assert api("CreatePatchBaseline", **baseline_params)["BaselineId"] == baseline_id
    mine = api("DescribePatchBaselines", Filters=[{"Key": "OWNER", "Values": ["Self"]}])
    assert len(mine["BaselineIdentities"]) == 1
    api.error(
        "CreatePatchBaseline",
        "IdempotentParameterMismatch",
        **{**baseline_params, "Description": "different"},
    )
    # Without a token every call creates a new resource.
    no_token = {k: v for k, v in baseline_params.items() if k != "ClientToken"}
    assert api("CreatePatchBaseline", **no_token)["BaselineId"] != baseline_id


def test_error_bodies_are_json_with_type(local_aws: Server, aws: AwsEnv) -> None:
    api = Api.of(client(aws, "ssm"))
    api.error("GetMaintenanceWindow", "DoesNotExistException", WindowId="mw-0123456789abcdef0")
    status, body = api.raw["GetMaintenanceWindow"]
    payload = json.loads(body)
    assert status == 400 and payload["__type"] == "DoesNotExistException"
    assert "mw-0123456789abcdef0" in payload["message" if "message" in payload else "Message"]
    assert local_aws.process.poll() is None


def test_server_exits_cleanly_on_sigint(spare_server: Server) -> None:
    """Ctrl-C: exit status 0, no traceback, nothing but the ready line on stdout.

    (SIGTERM is checked when the session's server is stopped: see conftest.)
    """
    server = wait_ready(spare_server)
    assert re.match(r"^http://127\.0\.0\.1:\d+$", server.url)
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=10) == 0
    assert server.process.stdout is not None
    assert server.process.stdout.read() == ""
    assert "Traceback" not in server.log_path.read_text()


# ------------------------------------------------------------------ tools/smoke_check.py


def _smoke(aws: AwsEnv, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(aws["AWS_ENDPOINT_URL"])
    url = env.pop("AWS_ENDPOINT_URL")  # the script's own option, as an operator gives it
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "smoke_check.py"), "--endpoint-url", url, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_smoke_check_reports_what_aws_filled_in_and_cleans_up(aws: AwsEnv, ssm: Any) -> None:
    result = _smoke(aws, "--region", "us-east-1", "--name", "smoke-test")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "smoke: setup 'smoke-test' in us-east-1"
    task = lines.index("task: 3 field(s) differ")
    assert lines[task + 1 : task + 4] == [
        '  + TaskInvocationParameters.RunCommand.Comment = ""',
        "  + TaskInvocationParameters.RunCommand.TimeoutSeconds = 600",
        "  + TaskParameters = {}",
    ]
    assert "window: 1 field(s) differ" in lines and "  + Enabled = true" in lines
    assert {"target: as sent", "baseline: as sent", "patch-group: as sent"} <= set(lines)
    assert lines[-2:] == ["re-run: plans nothing", "cleanup: complete"]
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []
    assert (
        ssm.describe_patch_baselines(Filters=[{"Key": "OWNER", "Values": ["Self"]}])[
            "BaselineIdentities"
        ]
        == []
    )


def test_smoke_check_keep_leaves_the_setup(aws: AwsEnv, ssm: Any) -> None:
    result = _smoke(aws, "--region", "us-east-1", "--keep")
    assert result.returncode == 0, result.stdout + result.stderr
    name = re.match(r"smoke: setup '(smoke-[0-9a-f]{8})' in us-east-1", result.stdout)
    assert name is not None, result.stdout
    assert result.stdout.splitlines()[-1] == (
        f"cleanup: skipped (--keep); remove it with ssm-patching-cleanup --name {name[1]}"
    )
    [window] = ssm.describe_maintenance_windows()["WindowIdentities"]
    assert window["Name"] == "Week1Day2Unattended0300"
