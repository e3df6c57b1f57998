"""Patch baselines, patch groups, default baselines and baseline tags in the SSM stand-in.

Create / get / update / delete / describe of baselines (custom and AWS-owned), patch
group registration with AWS's quota and errors, default baselines, and the two moto
backend methods replaced so that tags work on patch baselines (gaps 1-3 in the
docstring of tools/local_aws.py). The HTTP side is in handlers.py.
"""

from __future__ import annotations

from collections.abc import Callable

from moto.ssm.models import SimpleSystemManagerBackend

from .predefined import JSON
from .resources import (
    Backend,
    LocalBaseline,
    LocalSSMError,
    backend_extras,
    idempotent,
    utc_now,
    validation_error,
)
from .validation import validate_request


def create_patch_baseline(backend: Backend, p: JSON) -> str:
    validate_request("CreatePatchBaseline", p)

    def create() -> str:
        baseline = LocalBaseline(p)
        backend.baselines[baseline.id] = baseline
        if p.get("Tags"):
            tags = {t["Key"]: t["Value"] for t in p["Tags"]}
            backend.add_tags_to_resource("PatchBaseline", baseline.id, tags)
        return str(baseline.id)

    return idempotent(backend, "CreatePatchBaseline", p.get("ClientToken"), p, create)


def find_baseline(backend: Backend, baseline_id: str) -> LocalBaseline:
    found = backend.baselines.get(baseline_id) or backend_extras(backend).aws_baselines.get(
        baseline_id
    )
    if not isinstance(found, LocalBaseline):
        raise LocalSSMError(
            "DoesNotExistException", "Patch Baseline to be retrieved does not exist."
        )
    return found


def _groups_of(backend: Backend, baseline_id: str) -> list[str]:
    groups = backend_extras(backend).patch_groups
    return sorted(g for g, by_os in groups.items() if baseline_id in by_os.values())


def _is_default(backend: Backend, baseline: LocalBaseline) -> bool:
    return backend_extras(backend).defaults.get(baseline.operating_system) == baseline.id


def baseline_json(backend: Backend, baseline: LocalBaseline) -> JSON:
    return baseline.to_json(_groups_of(backend, baseline.id), _is_default(backend, baseline))


def _refuse_aws_owned(baseline: LocalBaseline, action: str) -> None:
    if baseline.aws_owned:
        raise LocalSSMError(
            "AccessDeniedException",
            f"Patch baseline {baseline.id} is owned by AWS and cannot be {action}.",
        )


def update_patch_baseline(backend: Backend, p: JSON) -> LocalBaseline:
    validate_request("UpdatePatchBaseline", p)
    baseline = find_baseline(backend, p["BaselineId"])
    _refuse_aws_owned(baseline, "updated")
    replace = bool(p.get("Replace"))
    if replace and not p.get("Name"):
        raise validation_error("When Replace is true, the following parameters are required: Name")
    baseline.apply(p, replace)
    baseline.modified_date = utc_now()
    return baseline


def delete_patch_baseline(backend: Backend, baseline_id: str) -> None:
    validate_request("DeletePatchBaseline", {"BaselineId": baseline_id})
    ex = backend_extras(backend)
    if baseline_id in ex.aws_baselines:
        _refuse_aws_owned(ex.aws_baselines[baseline_id], "deleted")
    baseline = backend.baselines.get(baseline_id)
    if baseline is None:
        return  # AWS: deleting an unknown baseline succeeds
    groups = _groups_of(backend, baseline_id)
    if groups:
        raise LocalSSMError(
            "ResourceInUseException",
            f"PatchBaseline to be deleted is used for Patch Group: {', '.join(groups)}",
        )
    if ex.defaults.get(baseline.operating_system) == baseline_id:
        raise LocalSSMError(
            "ResourceInUseException", "Default baseline cannot be deleted. Set another default."
        )
    del backend.baselines[baseline_id]
    backend._resource_tags["PatchBaseline"].pop(baseline_id, None)


_OWNERS = ("AWS", "Self", "All")


def _filter_baselines(backend: Backend, filters: list[JSON] | None) -> list[LocalBaseline]:
    ex = backend_extras(backend)
    custom = [b for b in backend.baselines.values() if isinstance(b, LocalBaseline)]
    owner = "All"
    baselines = list(ex.aws_baselines.values()) + custom
    for f in filters or []:
        key, values = f.get("Key"), [str(v) for v in f.get("Values") or []]
        if key == "OWNER":
            if len(values) != 1 or values[0] not in _OWNERS:
                raise validation_error(
                    "The OWNER filter takes exactly one value: AWS, Self or All."
                )
            owner = values[0]
        elif key == "NAME_PREFIX":
            baselines = [b for b in baselines if any(b.name.startswith(v) for v in values)]
        elif key == "OPERATING_SYSTEM":
            baselines = [b for b in baselines if b.operating_system in values]
        else:
            raise validation_error(
                f"Invalid filter key {key}. Supported filter keys are OWNER, NAME_PREFIX and "
                "OPERATING_SYSTEM."
            )
    if owner == "AWS":
        baselines = [b for b in baselines if b.aws_owned]
    elif owner == "Self":
        baselines = [b for b in baselines if not b.aws_owned]
    return baselines


def describe_patch_baselines(backend: Backend, filters: list[JSON] | None) -> list[JSON]:
    return [baseline_json(backend, b) for b in _filter_baselines(backend, filters)]


#: Patch groups one baseline may hold.
PATCH_GROUPS_PER_BASELINE = 25


def register_patch_group(backend: Backend, baseline_id: str, group: str) -> None:
    validate_request(
        "RegisterPatchBaselineForPatchGroup", {"BaselineId": baseline_id, "PatchGroup": group}
    )
    try:
        baseline = find_baseline(backend, baseline_id)
    except LocalSSMError:
        raise LocalSSMError(
            "DoesNotExistException", f"Patch Baseline {baseline_id} does not exist."
        ) from None
    groups = backend_extras(backend).patch_groups
    by_os = groups.get(group, {})
    if baseline.operating_system in by_os:
        raise LocalSSMError(
            "AlreadyExistsException",
            "Patch Group baseline already has a baseline registered for OperatingSystem "
            f"{baseline.operating_system}.",
        )
    # AWS's quota "Patch groups per patch baseline" (default 25, AWS General Reference).
    held = sum(1 for registered in groups.values() if baseline.id in registered.values())
    if held >= PATCH_GROUPS_PER_BASELINE:
        raise LocalSSMError(
            "ResourceLimitExceededException",
            f"Patch baseline {baseline.id} already has {held} patch groups registered, "
            f"the maximum of {PATCH_GROUPS_PER_BASELINE}.",
        )
    groups.setdefault(group, by_os)[baseline.operating_system] = baseline.id


def deregister_patch_group(backend: Backend, baseline_id: str, group: str) -> None:
    validate_request(
        "DeregisterPatchBaselineForPatchGroup", {"BaselineId": baseline_id, "PatchGroup": group}
    )
    groups = backend_extras(backend).patch_groups
    by_os = groups.get(group, {})
    for os_name, registered in list(by_os.items()):
        if registered == baseline_id:
            del by_os[os_name]
            if not by_os:
                del groups[group]
            return
    raise LocalSSMError(
        "InvalidResourceId",
        f"Patch Group {group} is not registered with Patch Baseline {baseline_id}.",
    )


def get_patch_group_baseline(backend: Backend, group: str, os_name: str) -> str:
    ex = backend_extras(backend)
    return ex.patch_groups.get(group, {}).get(os_name) or ex.defaults[os_name]


def describe_patch_groups(backend: Backend, filters: list[JSON] | None) -> list[JSON]:
    ex = backend_extras(backend)
    mappings: list[JSON] = []
    for group in sorted(ex.patch_groups):
        for _os, baseline_id in sorted(ex.patch_groups[group].items()):
            b = find_baseline(backend, baseline_id)
            identity = {
                "BaselineId": b.id,
                "BaselineName": b.name,
                "OperatingSystem": b.operating_system,
                "BaselineDescription": b.description,
                "DefaultBaseline": _is_default(backend, b),
            }
            mapping = {"PatchGroup": group, "BaselineIdentity": identity}
            mappings.append({k: v for k, v in mapping.items() if v is not None})
    for f in filters or []:
        key, values = f.get("Key"), [str(v) for v in f.get("Values") or []]
        if key == "NAME_PREFIX":
            mappings = [m for m in mappings if any(m["PatchGroup"].startswith(v) for v in values)]
        elif key == "OPERATING_SYSTEM":
            mappings = [m for m in mappings if m["BaselineIdentity"]["OperatingSystem"] in values]
        else:
            raise validation_error(
                f"Invalid filter key {key}. Supported filter keys are NAME_PREFIX and "
                "OPERATING_SYSTEM."
            )
    for m in mappings:
        m["BaselineIdentity"] = {k: v for k, v in m["BaselineIdentity"].items() if v is not None}
    return mappings


def register_default_baseline(backend: Backend, baseline_id: str) -> None:
    validate_request("RegisterDefaultPatchBaseline", {"BaselineId": baseline_id})
    baseline = find_baseline(backend, baseline_id)
    backend_extras(backend).defaults[baseline.operating_system] = baseline.id


# --------------------------------------------------------------------------------------
# Tags on patch baselines
# --------------------------------------------------------------------------------------

_original_validate: Callable[..., str] = SimpleSystemManagerBackend._validate_resource_type_and_id


def validate_resource_type_and_id(self: Backend, resource_type: str, resource_id: str) -> str:
    if resource_type == "PatchBaseline":
        if isinstance(self.baselines.get(resource_id), LocalBaseline):
            return resource_id
        raise LocalSSMError("InvalidResourceId", "Invalid Resource Id")
    return _original_validate(self, resource_type, resource_id)


def add_tags_to_resource(
    self: Backend, resource_type: str, resource_id: str, tags: dict[str, str]
) -> None:
    resource_id = self._validate_resource_type_and_id(resource_type, resource_id)
    current = self._resource_tags[resource_type][resource_id]
    if len(set(current) | set(tags)) > 50:
        raise LocalSSMError("TooManyTagsError", "A resource can have at most 50 tags.")
    current.update(tags)
