"""The targets of a window in the config file (``[[windows.<key>.targets]]``).

A target selects instances by exactly one of a patch group, tags, or a resource
group, and becomes a :class:`~patchsetup.model.TargetSpec` directly ("target"
here is always a maintenance-window target, never an account x region).
"""

from __future__ import annotations

import re

from patchsetup.config.tables import Table, check_name, fail, unique
from patchsetup.fields import PATCH_GROUP_KEYS, PATCH_GROUP_MAX, target_key_problem
from patchsetup.model import TargetSpec

__all__ = ["TARGET_VALUES_MAX", "read_target", "read_targets"]

TARGET_KEYS = frozenset(
    {
        "name",
        "patch_group",
        "patch_group_key",
        "tags",
        "resource_group",
        "resource_types",
        "owner_information",
        "description",
    }
)
SELECTORS = ("patch_group", "tags", "resource_group")
# Shapes AWS documents for these values; checked here so a typo fails before any call.
RESOURCE_TYPE_RE = re.compile(r"AWS::\w+::\w+")
#: Target.Values holds at most 50 values (SSM API reference, Target).
TARGET_VALUES_MAX = 50
#: A window target's Targets holds at most 5 key/value entries (same reference).
_TARGET_ENTRIES_MAX = 5


def read_targets(window: Table, default_key: str) -> list[TargetSpec]:
    """A window's ``targets`` tables, each name used once."""
    targets: list[TargetSpec] = []
    paths: dict[str, str] = {}
    for table in window.tables("targets", TARGET_KEYS):
        target = read_target(table, default_key)
        unique(paths, target.name, table, "target")
        targets.append(target)
    return targets


def read_target(table: Table, default_key: str) -> TargetSpec:
    """One ``[[windows.<key>.targets]]``: exactly one of patch_group, tags, resource_group."""
    name = table.required_string("name")
    check_name(table, "target", name)
    chosen = [key for key in SELECTORS if table.has(key)]
    if len(chosen) != 1:
        got = f"; got {' and '.join(chosen)}" if chosen else ""
        table.fail("", f"needs exactly one of patch_group, tags or resource_group{got}")
    selector = chosen[0]
    for key, needs in (("patch_group_key", "patch_group"), ("resource_types", "resource_group")):
        if table.has(key) and selector != needs:
            table.fail(key, f"applies with {needs} only, not {selector}")
    resource_type = "INSTANCE"
    entries: list[tuple[str, tuple[str, ...]]] = []
    if selector == "patch_group":
        group = table.required_string("patch_group", max_len=PATCH_GROUP_MAX)
        key = table.choice("patch_group_key", PATCH_GROUP_KEYS) or default_key
        entries.append((f"tag:{key}", (group,)))
    elif selector == "tags":
        tags = table.free_table("tags")
        assert tags is not None  # chosen above because the key is set
        if not 1 <= len(tags.data) <= _TARGET_ENTRIES_MAX:
            table.fail("tags", f"needs 1-{_TARGET_ENTRIES_MAX} tags, got {len(tags.data)}")
        for tag, values in tags.data.items():
            if not tag or len(tag) > 128:
                tags.fail(tag, "tag keys are 1-128 characters")
            problem = target_key_problem(f"tag:{tag}")
            if problem is not None:
                tags.fail(tag, f"as a target key: {problem}")
            found = tags.string_list(tag, values, max_items=TARGET_VALUES_MAX, single=True)
            if not found:
                tags.fail(tag, "needs at least one value")
            entries.append((f"tag:{tag}", found))
    else:
        resource_type = "RESOURCE_GROUP"
        entries.append(("resource-groups:Name", (table.required_string("resource_group"),)))
        types = table.strings("resource_types")
        for index, kind in enumerate(types or ()):
            if not RESOURCE_TYPE_RE.fullmatch(kind):
                fail(
                    table.source,
                    f"{table.key('resource_types')}[{index}]",
                    f"must be a type like AWS::EC2::Instance, got {kind!r}",
                )
        if types:
            entries.append(("resource-groups:ResourceTypeFilters", types))
    return TargetSpec(
        name=name,
        targets=tuple(entries),
        resource_type=resource_type,
        owner_information=table.string("owner_information", max_len=128),
        description=table.string("description", max_len=128),
    )
