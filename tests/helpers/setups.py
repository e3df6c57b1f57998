"""The setups and configs the tests start from, as data and as ``Setup`` values.

* ``EXAMPLE_FILES`` (every examples/*.toml) and ``KITCHEN`` (tests/data/kitchen-sink.toml);
  ``BASES``: each of them parsed, by file name, for tests that mutate a valid config;
  ``nodes`` / ``at`` / ``put`` walk and edit such data by path.
* ``CASES`` / ``setup_of``: every example, the kitchen sink, flag-built setups and a
  setup of colliding names, as the ``Setup`` the tool would build (cached).
* ``flag_setup(**flags)``: the setup the flags build (Amazon Linux 2 preset);
  ``as_remote(setup)``: the state a flawless earlier run of it leaves behind.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from patchsetup.baselines.compare import canonical
from patchsetup.baselines.presets import preset
from patchsetup.config import load_config
from patchsetup.deploy.remote import (
    Registration,
    RemoteBaseline,
    RemoteState,
    RemoteTarget,
    RemoteTask,
    RemoteWindow,
)
from patchsetup.model import (
    OWNER_TAG,
    BaselineSpec,
    Setup,
    TargetSpec,
    TaskSpec,
    WindowSpec,
)
from patchsetup.seed import FlagOptions, build_setup
from tests.helpers.paths import DATA, EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.toml"))
KITCHEN = DATA / "kitchen-sink.toml"


# -- configs as data ----------------------------------------------------------------------


BASES: dict[str, Any] = {
    path.name: tomllib.loads(path.read_text(encoding="utf-8")) for path in [*EXAMPLE_FILES, KITCHEN]
}


PathKey = tuple[str | int, ...]


def nodes(data: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, Any]]:
    """Every value below ``data`` with its path (not ``data`` itself)."""
    items: Sequence[tuple[str | int, Any]]
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    else:
        return
    for key, value in items:
        yield (*path, key), value
        yield from nodes(value, (*path, key))


def at(data: Any, path: PathKey) -> Any:
    for key in path:
        data = data[key]
    return data


def put(data: Any, path: PathKey, value: Any) -> None:
    at(data, path[:-1])[path[-1]] = value


# -- setups ------------------------------------------------------------------------------


def _collisions() -> Setup:
    """Names that sanitise to the same logical ID: across kinds' windows and by punctuation."""

    def window(name: str) -> WindowSpec:
        return WindowSpec(
            name=name,
            schedule="cron(0 4 ? * SUN *)",
            targets=(TargetSpec("linux", (("tag:Patch Group", (f"{name}-linux",)),)),),
            tasks=(TaskSpec("patch", ("linux",)),),
        )

    rules = preset("AMAZON_LINUX_2")
    setup = Setup(
        name="clash",
        baselines=(
            BaselineSpec("rhel-test", "AMAZON_LINUX_2", rules, ("a",)),
            BaselineSpec("rhel_test", "AMAZON_LINUX_2", rules, ("b",)),
            BaselineSpec("solo", "AMAZON_LINUX_2", rules),
        ),
        windows=(window("test-0600"), window("test_0600"), window("prod")),
    )
    setup.validate()
    return setup


CASES: dict[str, Any] = {
    **{path.stem: path for path in EXAMPLE_FILES},
    "kitchen-sink": KITCHEN,
    "flags-default": FlagOptions(),
    "flags-service-role": FlagOptions(create_service_role=True),
    # 40 patch groups: more than one baseline holds (25), spread over two identical ones.
    "flags-forty-windows": FlagOptions(weeks=(1, 2, 3, 4), days=(1, 2, 3, 4, 5), hours=(2, 3)),
    "collisions": _collisions,
}


@functools.cache
def setup_of(case: str) -> Setup:
    source = CASES[case]
    if isinstance(source, Path):
        return load_config(source)
    if isinstance(source, FlagOptions):
        return build_setup(source, preset("AMAZON_LINUX_2"))
    result = source()
    assert isinstance(result, Setup)
    return result


def flag_setup(**kw: Any) -> Setup:
    return build_setup(FlagOptions(**kw), preset("AMAZON_LINUX_2"))


def as_remote(setup: Setup) -> RemoteState:
    """The state a flawless earlier run of ``setup`` leaves behind."""
    state = RemoteState()
    for n, spec in enumerate(setup.baselines):
        baseline_id = f"pb-{n:017x}"
        rules = {"BaselineId": baseline_id, "Name": spec.name, **canonical(spec.rules)}
        state.baselines.append(
            RemoteBaseline(
                baseline_id, spec.name, spec.operating_system, rules, {OWNER_TAG: setup.name}
            )
        )
        state.registrations += [
            Registration(g, spec.operating_system, baseline_id, spec.name)
            for g in spec.patch_groups
        ]
    for n, window in enumerate(setup.windows):
        remote = RemoteWindow(f"mw-{n:017x}", window.fields(), {OWNER_TAG: setup.name})
        ids = {}
        for m, target in enumerate(window.targets):
            ids[target.name] = f"{n:08x}-0000-0000-0000-{m:012x}"
            remote.targets.append(RemoteTarget(ids[target.name], target.fields()))
        for m, task in enumerate(window.tasks):
            fields = task.fields()
            fields["Targets"] = [
                {"Key": "WindowTargetIds", "Values": [ids[t] for t in task.target_names]}
            ]
            remote.tasks.append(RemoteTask(f"{n:08x}-1111-0000-0000-{m:012x}", fields))
        state.windows.append(remote)
    return state
