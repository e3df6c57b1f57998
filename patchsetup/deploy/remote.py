"""What exists: the part of an account's SSM state the planner compares against.

Plain data filled in by the reader; no boto3 here. Fields are in the same
comparable form as the model's ``fields()`` so the planner can diff them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: A field the reader did not fetch (to save a call per window): never a difference.
UNKNOWN = "<not read>"


@dataclass
class RemoteTarget:
    window_target_id: str
    fields: dict[str, Any]


@dataclass
class RemoteTask:
    window_task_id: str
    #: Targets hold window target IDs, as AWS reports them.
    fields: dict[str, Any]


@dataclass
class RemoteWindow:
    window_id: str
    fields: dict[str, Any]
    tags: dict[str, str]
    targets: list[RemoteTarget] = field(default_factory=list)
    tasks: list[RemoteTask] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.fields["Name"])


@dataclass
class RemoteBaseline:
    baseline_id: str
    name: str
    operating_system: str
    #: The GetPatchBaseline response (rule fields).
    rules: dict[str, Any]
    tags: dict[str, str]


@dataclass
class RemoteRole:
    name: str
    arn: str
    description: str | None
    trust_policy: dict[str, Any]
    #: Inline policy name -> document.
    policies: dict[str, dict[str, Any]]
    tags: dict[str, str]
    #: The ARN of the role's permissions boundary (GetRole), None without one.
    permissions_boundary: str | None = None


@dataclass(frozen=True)
class Registration:
    """One patch group registered to one baseline (one per group per OS in AWS)."""

    patch_group: str
    operating_system: str
    baseline_id: str
    baseline_name: str
    #: The setup name the baseline is tagged with; None for untagged or AWS-owned ones.
    baseline_owner: str | None = None


@dataclass
class RemoteState:
    """What the reader found in one region for one setup name."""

    windows: list[RemoteWindow] = field(default_factory=list)
    baselines: list[RemoteBaseline] = field(default_factory=list)
    #: Every patch-group registration in the region, not only ours: a group we
    #: want may be registered to a baseline that is not ours.
    registrations: list[Registration] = field(default_factory=list)
    #: Service roles this setup owns (IAM is global: found from any region).
    roles: list[RemoteRole] = field(default_factory=list)
    #: Every window and custom baseline in the region, anyone's: for quota checks.
    account_windows: int = 0
    account_baselines: int = 0
    #: Windows this setup does not own that it might duplicate: the same name as a
    #: desired window, or the same schedule (read in full, for adoption).
    foreign_windows: list[RemoteWindow] = field(default_factory=list)
    #: Other setups in the region: name -> (windows, baselines) they own.
    other_setups: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Custom baselines (anyone's) that are the region's default for their OS.
    default_baselines: set[str] = field(default_factory=set)
    #: AWS's predefined default baseline per OS (read only when one of the account's
    #: own baselines is a default, or the setup wants one: deleting it needs AWS's put
    #: back first).
    aws_defaults: dict[str, str] = field(default_factory=dict)
    #: The region's current default baseline per OS (GetDefaultPatchBaseline), read
    #: for the OSes the setup wants a default for.
    current_defaults: dict[str, str] = field(default_factory=dict)
    #: Names of the baselines listed (custom ones anyone's, and AWS's when read), by ID.
    baseline_names: dict[str, str] = field(default_factory=dict)
    #: The owner tag of every custom baseline listed (None: untagged), by ID.
    baseline_owners: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class RemoteNode:
    """A managed node (DescribeInstanceInformation): an EC2 instance or a hybrid ``mi-``."""

    instance_id: str
    #: PlatformType: "Linux", "Windows" or "MacOS".
    platform: str
    #: Its value of the setup's patch-group tag key; None without that tag.
    group: str | None = None
    name: str | None = None
    #: Its value of the other patch-group key (Patch Manager reads either); None without.
    other_group: str | None = None

    @property
    def hybrid(self) -> bool:
        """A hybrid node (tagged through SSM), not an EC2 instance (tagged through EC2)."""
        return self.instance_id.startswith("mi-")
