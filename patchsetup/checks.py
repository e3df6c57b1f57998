"""What AWS accepts but would silently not do what the setup says: warnings before a run.

Pure: looks only at the desired Setup. The refusals (exit 2) live where the input is
read, next to the key that caused them (patchsetup/config/, patchsetup/cli/); what is
here is legal and sometimes meant, so the operator is told and the run goes on.
The README's "Warnings and refusals" table lists every case and why it is one or
the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patchsetup.baselines.validate import NO_APPROVAL_DELAY
from patchsetup.fields import PATCH_GROUP_KEYS
from patchsetup.model import BaselineSpec, Setup

#: The tag keys Patch Manager reads an instance's patch group from.
PATCH_GROUP_TAGS = tuple(f"tag:{key}" for key in PATCH_GROUP_KEYS)
#: AWS-RunPatchBaselineWithHooks's parameters that name a document to run.
HOOK_PARAMETERS = ("PreInstallHookDocName", "PostInstallHookDocName", "OnExitHookDocName")
#: Document name prefixes AWS reserves for its own documents (CreateDocument's Name).
_AWS_PREFIXES = ("aws", "amazon", "amzn")


def hook_documents(setup: Setup) -> list[str]:
    """The hook documents the setup's tasks name that are not AWS's, each once.

    AWS-owned documents (reserved prefixes, e.g. the hooks' default AWS-Noop) are
    not looked up: nobody but AWS can make or remove them.
    """
    names = [
        name
        for window in setup.windows
        for task in window.tasks
        for parameter in HOOK_PARAMETERS
        for name in task.parameters.get(parameter, ())
    ]
    # A shared document may be named by its ARN; the prefix rule is about the name.
    return [
        name
        for name in dict.fromkeys(names)
        if not name.rsplit("document/", 1)[-1].lower().startswith(_AWS_PREFIXES)
    ]


def setup_warnings(setup: Setup) -> list[str]:
    """One line per problem, in the order of the setup's windows and baselines."""
    registered = {group for baseline in setup.baselines for group in baseline.patch_groups}
    found: list[str] = []
    for window in setup.windows:
        for target in window.targets:
            for key, values in target.targets:
                found.extend(
                    f"window {window.name}: target {target.name}: patch group {group!r} is "
                    "registered to no baseline of this setup, so its instances are patched "
                    "with AWS's default baseline for their OS (add it to a baseline's "
                    "patch_groups)"
                    for group in values
                    if key in PATCH_GROUP_TAGS and group not in registered
                )
    for baseline in setup.baselines:
        found.extend(_baseline_warnings(baseline))
    return found


def _baseline_warnings(baseline: BaselineSpec) -> list[str]:
    rules: list[Mapping[str, Any]] = baseline.rules.get("ApprovalRules", {}).get("PatchRules", [])
    found: list[str] = []
    if not rules and not baseline.rules.get("ApprovedPatches"):
        groups = ", ".join(repr(g) for g in baseline.patch_groups) or "none yet"
        found.append(
            f"baseline {baseline.name}: approves nothing (no approval rules and no approved "
            f"patches), so the instances of its patch groups ({groups}) install no patches"
        )
    if baseline.operating_system in NO_APPROVAL_DELAY:
        # The config refuses these keys; a baseline file (the old tool's Ubuntu sample
        # says ApproveAfterDays 7, as AWS's own baseline did) only gets this warning.
        for index, rule in enumerate(rules):
            ignored = [
                f"{field} {rule[field]}"
                for field in ("ApproveAfterDays", "ApproveUntilDate")
                if rule.get(field) not in (None, 0)
            ]
            if ignored:
                found.append(
                    f"baseline {baseline.name}: rule {index + 1}: {' and '.join(ignored)} "
                    f"is ignored on {baseline.operating_system} (the API reference: not "
                    "supported for Debian Server or Ubuntu Server): patches are approved "
                    "as soon as they are available"
                )
    return found
