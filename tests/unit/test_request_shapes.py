"""What passes the tool's checks, AWS accepts: every write call of a plan fits its request shape.

Pure: no endpoint. A setup the tool accepts (every example, the kitchen sink, the
flag-built setups, and hypothesis' edits of any string in a config) is planned
against an empty account, and every call's parameters are checked against botocore's
input shape of the operation: types, lengths, ranges and the model's patterns (with
the `regex` module, which knows ``\\p{L}``). A value that passed the tool's checks and
failed this check is a run that would fail half-way (issue 10: patch groups, target
keys). The tool's own translation of the \\p{..} patterns is checked against `regex`
too.
"""

from __future__ import annotations

import copy
import importlib
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import pytest
from botocore import xform_name
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from patchsetup import fields, model
from patchsetup.config import load_config
from patchsetup.config.tables import ConfigError
from patchsetup.deploy.executor import resolve
from patchsetup.deploy.planner import plan
from patchsetup.deploy.remote import RemoteState
from tests.helpers.setups import BASES, CASES, nodes, put, setup_of
from tests.helpers.shapes import input_errors, service_model
from tests.helpers.toml import to_toml

regex: Any = importlib.import_module("regex")  # comes with cfn-lint, a test dependency

FAKE_IDS = {
    "WindowId": "mw-0123456789abcdef0",
    "BaselineId": "pb-0123456789abcdef0",
    "Role.Arn": "arn:aws:iam::123456789012:role/ssm-patching-setup/r",
}


def _operations(service: str) -> dict[str, str]:
    """boto3 method name -> API operation name."""
    return {xform_name(op): op for op in service_model(service).operation_names}


def call_errors(setup: model.Setup) -> list[str]:
    """Every shape violation of the calls that create ``setup`` in an empty account."""
    variables: dict[str, Any] = {}
    found: list[str] = []
    for change in plan(setup, RemoteState(), lambda: "token", region="us-east-1").changes:
        for call in change.calls:
            params = resolve(call.params, _Fake(variables))
            operation = _operations(call.service)[call.method]
            found += [f"{operation} {e}" for e in input_errors(operation, params, call.service)]
            if call.output is not None:
                var, key = call.output
                variables[var] = FAKE_IDS.get(key, str(uuid.uuid4()))
    return found


class _Fake(dict[str, Any]):
    """Variables of calls not made (a window target's ID): a plausible ID."""

    def __missing__(self, key: str) -> Any:
        return str(uuid.uuid4())


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_planned_call_fits_its_request_shape(case: str) -> None:
    assert call_errors(setup_of(case)) == []


def _string_paths(data: Any) -> list[tuple[str | int, ...]]:
    return [path for path, value in nodes(data) if isinstance(value, str)]


TEXT = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_accepted_string_makes_only_calls_aws_accepts(tmp_path: Path, data: Any) -> None:
    base = data.draw(st.sampled_from(sorted(BASES)), label="base")
    edited = copy.deepcopy(BASES[base])
    path = data.draw(st.sampled_from(_string_paths(edited)), label="path")
    put(edited, path, data.draw(TEXT, label="value"))
    config = tmp_path / "edited.toml"
    config.write_text(to_toml(edited), encoding="utf-8")
    try:
        setup = load_config(config)
    except ConfigError:
        return  # refused up front: fine
    assert call_errors(setup) == [], (base, path)


#: Characters this Python's Unicode database knows. The ``regex`` package carries a newer
#: database: a character assigned since (U+18D80, Unicode 16) is a letter to it and
#: unassigned to ``unicodedata``; which version AWS's service applies is not known here.
KNOWN_CHARACTERS = st.characters(codec="utf-8").filter(lambda c: unicodedata.category(c) != "Cn")


@given(value=st.text(alphabet=KNOWN_CHARACTERS, max_size=12))
@example(value="\u00e9\u4e2d\u0661")  # letters and a digit outside ASCII
@example(value="a\u0301")  # a combining mark
def test_the_unicode_classes_match_awss_patterns(value: str) -> None:
    """fields.py's unicodedata checks say exactly what the model's patterns say."""
    group = service_model().shape_for("PatchGroup")
    key = service_model().shape_for("TargetKey")
    group_ok = bool(regex.fullmatch(group.metadata["pattern"], value)) and 1 <= len(value) <= 256
    assert (fields.patch_group_problem(value) is None) == group_ok, value
    key_ok = bool(regex.fullmatch(key.metadata["pattern"], value)) and 1 <= len(value) <= 163
    assert (fields.target_key_problem(value) is None) == key_ok, value


def test_the_check_would_catch_what_aws_refuses() -> None:
    """Not vacuous: a Setup built past the tool's checks shows the violations."""
    flags = setup_of("flags-default")
    bad_group = model.BaselineSpec(
        "bad-groups", "UBUNTU", dict(flags.baselines[0].rules, OperatingSystem="UBUNTU"), ("a,b",)
    )
    window = flags.windows[0]
    target = model.TargetSpec(f"{window.name}Targets", (("tag:a+b", ("x",)),))
    bad = model.Setup(
        name="default",
        baselines=(bad_group,),
        windows=(model.WindowSpec(window.name, window.schedule, targets=(target,)),),
    )
    errors = call_errors(bad)
    assert any("RegisterPatchBaselineForPatchGroup" in e and "PatchGroup" in e for e in errors)
    assert any("RegisterTargetWithMaintenanceWindow" in e and "Key" in e for e in errors)
