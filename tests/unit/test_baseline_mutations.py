"""Tests for patchsetup.baselines: baseline-file validation (load_baseline_file) by
property: random mutations of valid files and arbitrary bytes raise BaselineError or
nothing.

Pure and offline: botocore's bundled SSM model is the only outside input.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patchsetup.baselines.compare import canonical
from patchsetup.baselines.messages import BaselineError
from patchsetup.baselines.presets import preset
from patchsetup.baselines.shapes import OPERATING_SYSTEMS
from patchsetup.baselines.validate import load_baseline_file
from tests.helpers.baselines import SEED_FILES, ssm_model, valid_update_request

# --------------------------------------------------------------------------
# Property: random mutations of valid files raise BaselineError or nothing.
# --------------------------------------------------------------------------

_BASES: list[Any] = [json.loads(p.read_text(encoding="utf-8")) for p in SEED_FILES] + [
    preset(os_name) for os_name in ("WINDOWS", "UBUNTU", "MACOS", "ORACLE_LINUX")
]
_MEMBER_NAMES = sorted(
    {
        name
        for shape in (
            "CreatePatchBaselineRequest",
            "PatchRule",
            "PatchFilter",
            "PatchSource",
            "Tag",
        )
        for name in ssm_model().shape_for(shape).members
    }
)
_INTERESTING = st.sampled_from(
    [
        *OPERATING_SYSTEMS,
        "*",
        "Security",
        "Critical",
        "SEVERITY",
        "PRIORITY",
        "MSRC_SEVERITY",
        "CVE_ID",
        "2024-01-31",
        "2024-13-01",
        "BLOCK",
        "UNSPECIFIED",
        "COMPLIANT",
        "a b",
        "",
    ]
)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-1000, 1000)
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | _INTERESTING,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(_MEMBER_NAMES) | st.text(max_size=8), children, max_size=4
        )
    ),
    max_leaves=8,
)


def _containers(node: Any, out: list[Any]) -> list[Any]:
    if isinstance(node, dict | list):
        out.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            _containers(child, out)
    return out


@st.composite
def _mutated(draw: st.DrawFn) -> Any:
    document = copy.deepcopy(draw(st.sampled_from(_BASES)))
    for _ in range(draw(st.integers(1, 3))):
        if not isinstance(document, dict | list) or draw(st.integers(0, 19)) == 0:
            document = draw(_JSON)  # occasionally replace the whole document
            continue
        target = draw(st.sampled_from(_containers(document, [])))
        operation = draw(st.sampled_from(["replace", "delete", "insert"]))
        if isinstance(target, dict):
            keys = sorted(target)
            if operation == "insert" or not keys:
                target[draw(st.sampled_from(_MEMBER_NAMES) | st.text(max_size=8))] = draw(_JSON)
            elif operation == "delete":
                del target[draw(st.sampled_from(keys))]
            else:
                target[draw(st.sampled_from(keys))] = draw(_JSON)
        else:
            if operation == "insert" or not target:
                target.insert(draw(st.integers(0, len(target))), draw(_JSON))
            elif operation == "delete":
                del target[draw(st.integers(0, len(target) - 1))]
            else:
                target[draw(st.integers(0, len(target) - 1))] = draw(_JSON)
    return document


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=_mutated())
def test_mutated_files_raise_only_baseline_error(document: Any, tmp_path: Path) -> None:
    path = tmp_path / "mutated.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    try:
        loaded = load_baseline_file(path)
    except BaselineError as error:
        message = str(error)
        assert message.startswith(f"{path}: ") and "\n" not in message
        return
    # Whatever passes validation must be usable downstream without surprises.
    assert isinstance(loaded, dict)
    canonical(loaded)
    valid_update_request({**loaded, "Name": loaded.get("Name", "mutated")})


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_raise_only_baseline_error(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "random.json"
    path.write_bytes(content)
    try:
        load_baseline_file(path)
    except BaselineError as error:
        assert str(error).startswith(f"{path}: ")
