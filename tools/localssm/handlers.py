"""Dispatch of the SSM stand-in: moto response handlers, pagination, and ``install()``.

``install()`` monkeypatches moto's ``SimpleSystemManagerResponse`` (one handler per
operation below), ``SimpleSystemManagerBackend`` (baseline tags) and
``ServiceQuotasResponse`` (never boto3/botocore). The list of gaps filled is in the
docstring of tools/local_aws.py.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.servicequotas.responses import ServiceQuotasResponse
from moto.ssm.models import SimpleSystemManagerBackend
from moto.ssm.responses import SimpleSystemManagerResponse

from .baselines import (
    add_tags_to_resource,
    baseline_json,
    create_patch_baseline,
    delete_patch_baseline,
    deregister_patch_group,
    describe_patch_baselines,
    describe_patch_groups,
    find_baseline,
    get_patch_group_baseline,
    register_default_baseline,
    register_patch_group,
    update_patch_baseline,
    validate_resource_type_and_id,
)
from .compliance import (
    describe_instance_patch_states,
    patch_group_state,
    states_for_patch_group,
    window_executions,
)
from .fleet import describe_instance_information, validate_managed_instance
from .predefined import JSON, operating_systems
from .resources import LOCK, Backend, LocalSSMError, backend_extras, validation_error
from .validation import validate_request
from .windows import (
    create_maintenance_window,
    delete_maintenance_window,
    deregister_target,
    deregister_task,
    describe_maintenance_windows,
    describe_targets,
    describe_tasks,
    find_task,
    find_window,
    register_target,
    register_task,
    update_maintenance_window,
    update_target,
    update_task,
)

Response = SimpleSystemManagerResponse


# --------------------------------------------------------------------------------------
# Response handlers
# --------------------------------------------------------------------------------------


def _params(self: Response) -> JSON:
    body = self.body
    if not body:
        return {}
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    data = json.loads(body)
    return data if isinstance(data, dict) else {}


def _paginate(
    op: str,
    items: list[JSON],
    p: JSON,
    lo: int,
    hi: int,
    dflt: int,
    token_error: str = "ValidationException",
    cap: int | None = None,
) -> tuple[list[JSON], str | None]:
    max_results = p.get("MaxResults")
    if max_results is None:
        max_results = dflt
    elif not lo <= int(max_results) <= hi:
        raise validation_error(
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to "
            f"satisfy constraint: Member must have value between {lo} and {hi}"
        )
    if cap is not None:
        max_results = min(int(max_results), cap)
    start = 0
    if p.get("NextToken"):
        try:
            kind, _, offset = base64.urlsafe_b64decode(p["NextToken"]).decode().partition(":")
            start = int(offset)
            if kind != op or start < 0:
                raise ValueError(kind)
        except (ValueError, UnicodeDecodeError):
            raise LocalSSMError(token_error, "The specified NextToken is not valid.") from None
    end = start + int(max_results)
    token = None
    if end < len(items):
        token = base64.urlsafe_b64encode(f"{op}:{end}".encode()).decode()
    return items[start:end], token


def _result(body: JSON) -> ActionResult:
    return ActionResult({k: v for k, v in body.items() if v is not None})


_HANDLERS: dict[str, Callable[[Response], ActionResult]] = {}


def handler(op_snake: str) -> Callable[[Callable[[Response], ActionResult]], Any]:
    def deco(fn: Callable[[Response], ActionResult]) -> Callable[[Response], ActionResult]:
        _HANDLERS[op_snake] = fn
        return fn

    return deco


@handler("create_maintenance_window")
def _h_create_window(self: Response) -> ActionResult:
    return _result({"WindowId": create_maintenance_window(self.ssm_backend, _params(self))})


@handler("get_maintenance_window")
def _h_get_window(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("GetMaintenanceWindow", p)
    return _result(find_window(self.ssm_backend, p["WindowId"]).to_json())


@handler("update_maintenance_window")
def _h_update_window(self: Response) -> ActionResult:
    return _result(update_maintenance_window(self.ssm_backend, _params(self)).to_json())


@handler("describe_maintenance_windows")
def _h_describe_windows(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DescribeMaintenanceWindows", p)
    items = describe_maintenance_windows(self.ssm_backend, p.get("Filters"))
    page, token = _paginate("DescribeMaintenanceWindows", items, p, 10, 100, 50)
    return _result({"WindowIdentities": page, "NextToken": token})


@handler("delete_maintenance_window")
def _h_delete_window(self: Response) -> ActionResult:
    window_id = _params(self).get("WindowId", "")
    delete_maintenance_window(self.ssm_backend, window_id)
    return _result({"WindowId": window_id})


@handler("register_target_with_maintenance_window")
def _h_register_target(self: Response) -> ActionResult:
    return _result({"WindowTargetId": register_target(self.ssm_backend, _params(self))})


@handler("update_maintenance_window_target")
def _h_update_target(self: Response) -> ActionResult:
    return _result(update_target(self.ssm_backend, _params(self)).to_json())


@handler("deregister_target_from_maintenance_window")
def _h_deregister_target(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DeregisterTargetFromMaintenanceWindow", p)
    deregister_target(
        self.ssm_backend, p["WindowId"], p["WindowTargetId"], bool(p.get("Safe", False))
    )
    return _result({"WindowId": p["WindowId"], "WindowTargetId": p["WindowTargetId"]})


@handler("describe_maintenance_window_targets")
def _h_describe_targets(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DescribeMaintenanceWindowTargets", p)
    items = describe_targets(self.ssm_backend, p["WindowId"], p.get("Filters"))
    page, token = _paginate("DescribeMaintenanceWindowTargets", items, p, 10, 100, 50)
    return _result({"Targets": page, "NextToken": token})


@handler("register_task_with_maintenance_window")
def _h_register_task(self: Response) -> ActionResult:
    return _result({"WindowTaskId": register_task(self.ssm_backend, _params(self))})


@handler("get_maintenance_window_task")
def _h_get_task(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("GetMaintenanceWindowTask", p)
    return _result(find_task(self.ssm_backend, p["WindowId"], p["WindowTaskId"]).to_json())


@handler("update_maintenance_window_task")
def _h_update_task(self: Response) -> ActionResult:
    return _result(update_task(self.ssm_backend, _params(self)).to_json())


@handler("describe_maintenance_window_tasks")
def _h_describe_tasks(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DescribeMaintenanceWindowTasks", p)
    items = describe_tasks(self.ssm_backend, p["WindowId"], p.get("Filters"))
    page, token = _paginate("DescribeMaintenanceWindowTasks", items, p, 10, 100, 50)
    return _result({"Tasks": page, "NextToken": token})


@handler("deregister_task_from_maintenance_window")
def _h_deregister_task(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DeregisterTaskFromMaintenanceWindow", p)
    deregister_task(self.ssm_backend, p["WindowId"], p["WindowTaskId"])
    return _result({"WindowId": p["WindowId"], "WindowTaskId": p["WindowTaskId"]})


@handler("create_patch_baseline")
def _h_create_baseline(self: Response) -> ActionResult:
    return _result({"BaselineId": create_patch_baseline(self.ssm_backend, _params(self))})


@handler("get_patch_baseline")
def _h_get_baseline(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("GetPatchBaseline", p)
    backend = self.ssm_backend
    return _result(baseline_json(backend, find_baseline(backend, p["BaselineId"])))


@handler("update_patch_baseline")
def _h_update_baseline(self: Response) -> ActionResult:
    backend = self.ssm_backend
    return _result(baseline_json(backend, update_patch_baseline(backend, _params(self))))


@handler("delete_patch_baseline")
def _h_delete_baseline(self: Response) -> ActionResult:
    baseline_id = _params(self).get("BaselineId", "")
    delete_patch_baseline(self.ssm_backend, baseline_id)
    return _result({"BaselineId": baseline_id})


@handler("describe_patch_baselines")
def _h_describe_baselines(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DescribePatchBaselines", p)
    items = describe_patch_baselines(self.ssm_backend, p.get("Filters"))
    page, token = _paginate("DescribePatchBaselines", items, p, 1, 100, 100)
    return _result({"BaselineIdentities": page, "NextToken": token})


@handler("describe_patch_groups")
def _h_describe_groups(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DescribePatchGroups", p)
    items = describe_patch_groups(self.ssm_backend, p.get("Filters"))
    page, token = _paginate("DescribePatchGroups", items, p, 1, 100, 100)
    return _result({"Mappings": page, "NextToken": token})


@handler("register_patch_baseline_for_patch_group")
def _h_register_group(self: Response) -> ActionResult:
    p = _params(self)
    register_patch_group(self.ssm_backend, p.get("BaselineId", ""), p.get("PatchGroup", ""))
    return _result({"BaselineId": p["BaselineId"], "PatchGroup": p["PatchGroup"]})


@handler("deregister_patch_baseline_for_patch_group")
def _h_deregister_group(self: Response) -> ActionResult:
    p = _params(self)
    deregister_patch_group(self.ssm_backend, p.get("BaselineId", ""), p.get("PatchGroup", ""))
    return _result({"BaselineId": p["BaselineId"], "PatchGroup": p["PatchGroup"]})


@handler("get_patch_baseline_for_patch_group")
def _h_get_group_baseline(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("GetPatchBaselineForPatchGroup", p)
    os_name = p.get("OperatingSystem") or "WINDOWS"
    baseline_id = get_patch_group_baseline(self.ssm_backend, p["PatchGroup"], os_name)
    return _result(
        {"BaselineId": baseline_id, "PatchGroup": p["PatchGroup"], "OperatingSystem": os_name}
    )


@handler("get_default_patch_baseline")
def _h_get_default(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("GetDefaultPatchBaseline", p)
    os_name = p.get("OperatingSystem") or "WINDOWS"
    baseline_id = backend_extras(self.ssm_backend).defaults[os_name]
    return _result({"BaselineId": baseline_id, "OperatingSystem": os_name})


@handler("register_default_patch_baseline")
def _h_register_default(self: Response) -> ActionResult:
    baseline_id = _params(self).get("BaselineId", "")
    register_default_baseline(self.ssm_backend, baseline_id)
    return _result({"BaselineId": baseline_id})


@handler("describe_instance_information")
def _h_describe_instance_information(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DescribeInstanceInformation", p)
    items = describe_instance_information(self.ssm_backend, p)
    # MaxResults 5-50 (MaxResultsEC2Compatible); the default is undocumented: 10 here.
    page, token = _paginate(
        "DescribeInstanceInformation", items, p, 5, 50, 10, token_error="InvalidNextToken"
    )
    return _result({"InstanceInformationList": page, "NextToken": token})


@handler("describe_instance_patch_states")
def _h_describe_instance_patch_states(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DescribeInstancePatchStates", p)
    items = describe_instance_patch_states(self.ssm_backend, p["InstanceIds"])
    page, token = _paginate(
        "DescribeInstancePatchStates", items, p, 10, 100, 50, token_error="InvalidNextToken"
    )
    return _result({"InstancePatchStates": page, "NextToken": token})


@handler("describe_instance_patch_states_for_patch_group")
def _h_describe_states_for_group(self: Response) -> ActionResult:
    p, op = _params(self), "DescribeInstancePatchStatesForPatchGroup"
    validate_request(op, p)
    items = states_for_patch_group(self.ssm_backend, p["PatchGroup"], p.get("Filters"))
    # botocore's InstancePatchStatesList holds 1-5 items: pages of at most 5, none empty.
    page, token = _paginate(op, items, p, 10, 100, 50, token_error="InvalidNextToken", cap=5)
    return _result({"InstancePatchStates": page or None, "NextToken": token})


@handler("describe_patch_group_state")
def _h_describe_patch_group_state(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DescribePatchGroupState", p)
    return _result(patch_group_state(self.ssm_backend, p["PatchGroup"]))


@handler("describe_maintenance_window_executions")
def _h_describe_window_executions(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DescribeMaintenanceWindowExecutions", p)
    items = window_executions(self.ssm_backend, p["WindowId"], p.get("Filters"))
    page, token = _paginate("DescribeMaintenanceWindowExecutions", items, p, 10, 100, 50)
    return _result({"WindowExecutions": page, "NextToken": token})


def _validate_resource(self: Backend, resource_type: str, resource_id: str) -> str:
    """Hybrid nodes (``mi-``) take SSM tags; EC2 instances' tags are EC2's."""
    if resource_type == "ManagedInstance":
        return validate_managed_instance(self, resource_id)
    return validate_resource_type_and_id(self, resource_type, resource_id)


def _list_service_quotas(self: Any) -> str:
    """ListServiceQuotas: moto has no handler (HTTP 500, which botocore retries ten
    times). Answer from the default quotas moto knows (VPC only); for any other
    service, NoSuchResourceException, as AWS answers for a service it has no
    quotas for. The tool then falls back to the documented defaults."""
    params = json.loads(self.body or "{}")
    quotas = self.backend.list_aws_default_service_quotas(str(params.get("ServiceCode")))
    return json.dumps({"Quotas": quotas})


_installed = False


def install() -> None:
    """Apply every patch to moto's SSM classes (idempotent)."""
    global _installed
    with LOCK:
        if _installed:
            return
        assert set(operating_systems()), "botocore's SSM model has no OperatingSystem enum"
        for name, fn in _HANDLERS.items():
            setattr(SimpleSystemManagerResponse, name, fn)
        setattr(  # noqa: B010
            SimpleSystemManagerBackend,
            "_validate_resource_type_and_id",
            _validate_resource,
        )
        setattr(SimpleSystemManagerBackend, "add_tags_to_resource", add_tags_to_resource)  # noqa: B010
        setattr(ServiceQuotasResponse, "list_service_quotas", _list_service_quotas)  # noqa: B010
        _installed = True
