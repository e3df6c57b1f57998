"""The desired setup from command-line flags: the replaced seed tool's model and names.

One window per (week, day, hour), named and scheduled exactly as the seed tool
did, so instances already tagged for it keep working; every window's patch
group is registered to one baseline, or, past the 25 patch groups one baseline
may hold, to one of as many identical baselines as needed (``spread``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from patchsetup.baselines.presets import preset
from patchsetup.baselines.validate import load_baseline_file
from patchsetup.errors import BadInput
from patchsetup.fields import PATCH_GROUP_KEYS
from patchsetup.model import SERVICE_ROLE, BaselineSpec, Setup, TargetSpec, TaskSpec, WindowSpec
from patchsetup.quotas import PATCH_GROUPS_PER_BASELINE
from patchsetup.roles import default_role
from patchsetup.schedule.compose import seed_cron, seed_patch_group, seed_window_name

#: The seed tool's target key: instances are tagged "Patch Group" (not "PatchGroup").
PATCH_GROUP_TAG = f"tag:{PATCH_GROUP_KEYS[0]}"


@dataclass(frozen=True)
class FlagOptions:
    """The validated values of the setup command's model options."""

    weeks: tuple[int, ...] = (1, 2)
    days: tuple[int, ...] = (2, 3)
    hours: tuple[int, ...] = (3, 4)
    timezone: str | None = None
    duration: int = 1
    cutoff: int = 0
    name: str = "default"
    max_concurrency: str = "2"
    max_errors: str = "1"
    operation: str = "Install"
    create_service_role: bool = False


def baseline_name(setup_name: str, operating_system: str) -> str:
    """The name of the built-in baseline: ``ssm-patching-setup-default-amazon-linux-2``."""
    return f"ssm-patching-setup-{setup_name}-{operating_system.lower().replace('_', '-')}"


def baseline_rules(
    baseline_file: str | None, operating_system: str | None, warnings: list[str] | None = None
) -> dict[str, Any]:
    """The rules of the flags' one baseline: the -b file's, else the built-in preset of
    --operating-system (Amazon Linux 2 by default, as the replaced tool's).

    A file without OperatingSystem is a WINDOWS baseline to AWS: said as a warning
    unless --operating-system says so too; an --operating-system that contradicts the
    file is bad input.
    """
    if not baseline_file:
        return preset((operating_system or "AMAZON_LINUX_2").upper())
    rules = load_baseline_file(baseline_file)
    file_os = rules.get("OperatingSystem", "WINDOWS")
    if "OperatingSystem" not in rules and not operating_system and warnings is not None:
        warnings.append(
            f"-b/--baseline-file: {baseline_file} has no OperatingSystem, so "
            'AWS makes it a WINDOWS baseline; add "OperatingSystem" to the file, or '
            "pass --operating-system WINDOWS to say so"
        )
    if operating_system and operating_system.upper() != file_os:
        raise BadInput(
            f"--operating-system {operating_system.upper()} contradicts the baseline file's "
            f"OperatingSystem {file_os}: drop one"
        )
    return rules


def build_setup(options: FlagOptions, baseline_rules: Mapping[str, Any]) -> Setup:
    """The Setup the flags describe; ``baseline_rules`` is a preset or a loaded file.

    A baseline file's own Name and Tags are kept; otherwise the baseline is
    named after the setup and OS.
    """
    windows: list[WindowSpec] = []
    groups: list[str] = []
    for week in options.weeks:
        for day in options.days:
            for hour in options.hours:
                name = seed_window_name(week, day, hour)
                group = seed_patch_group(week, day, hour)
                groups.append(group)
                windows.append(
                    WindowSpec(
                        name=name,
                        schedule=seed_cron(week, day, hour),
                        duration=options.duration,
                        cutoff=options.cutoff,
                        timezone=options.timezone,
                        targets=(
                            TargetSpec(
                                name=f"{name}Targets", targets=((PATCH_GROUP_TAG, (group,)),)
                            ),
                        ),
                        tasks=(
                            TaskSpec(
                                name=f"{name}Patch",
                                target_names=(f"{name}Targets",),
                                max_concurrency=options.max_concurrency,
                                max_errors=options.max_errors,
                                parameters={"Operation": (options.operation,)},
                                service_role_arn=SERVICE_ROLE
                                if options.create_service_role
                                else None,
                            ),
                        ),
                    )
                )
    rules = {k: v for k, v in baseline_rules.items() if k not in ("Name", "Tags", "ClientToken")}
    operating_system = str(rules.get("OperatingSystem", "WINDOWS"))
    rules["OperatingSystem"] = operating_system
    file_tags = {t["Key"]: t["Value"] for t in baseline_rules.get("Tags", [])}
    first = str(baseline_rules.get("Name") or baseline_name(options.name, operating_system))
    baselines = tuple(
        BaselineSpec(
            name=spread_name(first, index),
            operating_system=operating_system,
            rules=rules,
            patch_groups=share,
            tags=file_tags,
        )
        for index, share in enumerate(spread(groups))
    )
    role = default_role(options.name) if options.create_service_role else None
    return Setup(name=options.name, baselines=baselines, windows=tuple(windows), service_role=role)


def spread(groups: Sequence[str]) -> list[tuple[str, ...]]:
    """The patch groups in shares of at most PATCH_GROUPS_PER_BASELINE, one per baseline.

    The user of the flags never named a baseline, so more windows than one baseline may
    hold (25 groups) get identical baselines rather than a failure half-way. Shares are
    cut from the groups in sorted order, so the order of -w/-d/-t does not move a group.
    """
    size = PATCH_GROUPS_PER_BASELINE
    share_of = {group: rank // size for rank, group in enumerate(sorted(groups))}
    shares: list[tuple[str, ...]] = []
    for index in range(max(share_of.values(), default=0) + 1):
        # Within a share the groups keep the windows' order, as with one baseline.
        shares.append(tuple(g for g in groups if share_of[g] == index))
    return shares


def spread_name(first: str, index: int) -> str:
    """The first baseline keeps its name (existing setups do not change); the n-th extra
    one is ``<first>-<n+1>``: ``ssm-patching-setup-default-amazon-linux-2-2``."""
    return first if index == 0 else f"{first}-{index + 1}"
