"""The local AWS stand-in (tools/local_aws.py): patch baselines, their tags and patch groups,
and the AWS-owned baselines, via boto3.

Each successful response of a filled-in operation is checked on the wire against
botocore's output shape (tests/helpers/shapes.py); each error is checked for its AWS code,
HTTP 400 and the JSON `__type`.
"""

from __future__ import annotations

from tests.helpers.endpoint import AwsEnv, client
from tests.helpers.shapes import service_model
from tests.helpers.ssm_api import AWS_ARN, RULES, Api, all_pages, make_baseline, make_window

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
