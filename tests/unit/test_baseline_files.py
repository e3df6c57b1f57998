"""Tests for patchsetup.baselines: baseline-file loading (load_baseline_file): what is kept,
what is dropped, and files that are not JSON, not UTF-8 or not there.

Invalid documents are in test_baseline_documents.py, random mutations in
test_baseline_mutations.py. Pure and offline.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patchsetup.baselines.compare import canonical
from patchsetup.baselines.messages import BaselineError
from patchsetup.baselines.presets import preset
from patchsetup.baselines.validate import load_baseline_file
from tests.helpers.baselines import write_document

# --------------------------------------------------------------------------
# load_baseline_file: what is kept, what is dropped
# --------------------------------------------------------------------------


def test_client_token_is_stripped_and_name_and_tags_kept(tmp_path: Path) -> None:
    document = {
        **preset("UBUNTU"),
        "Name": "web-servers.prod",
        "ClientToken": "abc",
        "Tags": [{"Key": "team", "Value": "ops"}],
    }
    loaded = load_baseline_file(write_document(tmp_path, document))
    assert "ClientToken" not in loaded
    assert loaded["Name"] == "web-servers.prod"
    assert loaded["Tags"] == [{"Key": "team", "Value": "ops"}]


def test_operating_system_is_optional_and_means_windows(tmp_path: Path) -> None:
    document = preset("WINDOWS")
    del document["OperatingSystem"]
    loaded = load_baseline_file(write_document(tmp_path, document))
    assert "OperatingSystem" not in loaded  # passed through as written
    assert canonical(loaded)["OperatingSystem"] == "WINDOWS"
    # ...and filters are checked as Windows ones:
    document["ApprovalRules"]["PatchRules"][0]["PatchFilterGroup"]["PatchFilters"][0]["Key"] = (
        "SEVERITY"
    )
    with pytest.raises(BaselineError, match="SEVERITY is not a patch filter key for WINDOWS"):
        load_baseline_file(write_document(tmp_path, document))


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(preset("SUSE")).encode())
    assert load_baseline_file(path) == preset("SUSE")


INVALID_TEXTS: list[tuple[str, bytes, str]] = [
    ("not JSON", b'{"Name": ', "not valid JSON: Expecting value at line 1 column 10"),
    ("empty file", b"", "not valid JSON: Expecting value at line 1 column 1"),
    ("YAML instead of JSON", b"Name: x\n", "not valid JSON"),
    (
        "NaN",
        b'{"ApprovalRules": {"PatchRules": [{"ApproveAfterDays": NaN}]}}',
        "not valid JSON: NaN is not valid JSON",
    ),
    ("not UTF-8", b'{"Description": "\xff"}', "not UTF-8 text"),
    ("duplicate key", b'{"Name": "abc", "Name": "abcd"}', "Name: key appears more than once"),
    (
        "duplicate nested key",
        b'{"ApprovalRules": {"PatchRules": [{"ApproveAfterDays": 1, "ApproveAfterDays": 2}]}}',
        "ApprovalRules.PatchRules[0].ApproveAfterDays: key appears more than once",
    ),
    ("deeply nested", b"[" * 100_000 + b"]" * 100_000, "not a baseline: JSON nested too deeply"),
]


@pytest.mark.parametrize(
    ("label", "content", "expected"), INVALID_TEXTS, ids=[case[0] for case in INVALID_TEXTS]
)
def test_invalid_text_is_rejected_with_file_name(
    label: str, content: bytes, expected: str, tmp_path: Path
) -> None:
    path = tmp_path / "baseline.json"
    path.write_bytes(content)
    with pytest.raises(BaselineError) as caught:
        load_baseline_file(path)
    assert str(caught.value).startswith(f"{path}: {expected}"), str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(BaselineError) as caught:
        load_baseline_file(path)
    assert str(caught.value) == f"{path}: cannot read file: No such file or directory"


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="cannot read file"):
        load_baseline_file(tmp_path)
