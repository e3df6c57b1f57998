"""Tests for patchsetup.config by property: mutated configs load or raise only ConfigError.

Pure and fast: no endpoint.
"""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patchsetup import quotas
from patchsetup.config import load_config
from patchsetup.config.tables import ConfigError
from tests.helpers.configs import FULL, WINDOWS_BASELINE, error, write
from tests.helpers.toml import to_toml

# ---------------------------------------------------------------------------- fuzzing


def test_tiny_toml_writer_round_trips(tmp_path: Path) -> None:
    data = tomllib.loads(FULL)
    assert tomllib.loads(to_toml(data)) == data
    odd = {'k\x7f\n"': ["\x00\\", 1.5, -(2**63), {"": datetime.date(2026, 1, 2)}]}
    assert tomllib.loads(to_toml(odd)) == odd


KNOWN_WORDS = [
    "create", "last", "SAT", "06:00", "rate(1 day)", "cron(0 6 ? * SAT#3 *)", "Install",
    "Scan", "NoReboot", "Patch Group", "PatchGroup", "CANCEL_TASK", "WINDOWS", "UBUNTU",
    "AWS-RunPatchBaselineWithHooks", "linux", "windows", "g1", "Europe/London", "HIGH",
    "BLOCK", "2027-01-31", "2026-12-01T00:00:00Z", "10%", "0", "*", "Security",
    "name", "targets", "tasks", "hooks", "rules", "filters", "schedule", "file",
    "patch_group", "tags", "resource_group", "approve_after_days", "notifications",
    "output", "service_role", "scan", "defaults", "baselines", "priority", "week", "day",
]  # fmt: skip

scalars = st.one_of(
    st.sampled_from(KNOWN_WORDS),
    st.text(max_size=12),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, 2, 5, 6, 24, 25, 51, 360, 361, -1]),
    st.booleans(),
    st.floats(allow_nan=True),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, datetime.UTC])),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KNOWN_WORDS) | st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=8,
)


def slots(data: Any) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) in a parsed TOML document, depth first."""
    found: list[tuple[Any, Any]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found.append((data, key))
            found += slots(value)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.append((data, index))
            found += slots(value)
    return found


@st.composite
def mutated_configs(draw: st.DrawFn) -> dict[str, Any]:
    data = tomllib.loads(FULL)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        places = slots(data)
        container, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            container[key] = draw(values)
        elif action == "delete":
            del container[key]
        else:
            target = container[key] if isinstance(container[key], dict) else container
            if isinstance(target, dict):
                target[draw(st.sampled_from(KNOWN_WORDS) | st.text(max_size=8))] = draw(values)
            else:
                target.append(draw(values))
    return data


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("fuzz")
    (directory / "windows.json").write_text(json.dumps(WINDOWS_BASELINE), encoding="utf-8")
    return directory


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=mutated_configs())
def test_mutated_configs_load_or_raise_only_config_error(
    fuzz_dir: Path, data: dict[str, Any]
) -> None:
    path = write(fuzz_dir, to_toml(data))
    try:
        setup = load_config(path)
    except ConfigError as caught:
        message = str(caught)
        assert message.startswith(f"{path}: ") and "\n" not in message
        assert re.match(rf"{re.escape(str(path))}: \S", message)
    else:
        setup.validate()
        assert quotas.check_counts(setup) == []


def test_a_setup_name_too_long_for_the_default_role_name_is_refused(tmp_path: Path) -> None:
    long_name = "n" * 50  # "ssm-patching-setup-" + 50 characters > IAM's 64
    text = f'name = "{long_name}"\n\n[service_role]\ncreate = true\n'
    message = error(tmp_path, text)
    assert "service role name" in message and "[service_role] name" in message, message
    named = f'name = "{long_name}"\n\n[service_role]\ncreate = true\nname = "patch-role"\n'
    assert load_config(write(tmp_path, named), windows_required=False).service_role is not None
