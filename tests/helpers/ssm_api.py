"""SSM through boto3 with the raw response bodies kept (``Api``), for the tests of
tools/local_aws.py, and the requests that make resources through it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from tests.helpers.shapes import check_output

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
