"""The config file's JSON Schema (patchsetup/schemas/config.schema.json) cannot drift.

* The shipped file is exactly what patchsetup.config.schema builds (tools/config_schema.py
  writes it), and that build refuses a table whose keys differ from its reader's.
* Read from the file itself, every table's properties are the allowed keys of the reader
  of that table, and its rules are the ones of patchsetup/fields.py.
* Every example config, the kitchen sink, the sample (as it is and with its commented keys
  on) and the full test config are valid; a wrong key, type, choice or range is not.
* The sample's first line is taplo's ``#:schema`` directive, pointing at the file.
"""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import patchsetup.config as config
from patchsetup import fields
from patchsetup.config import (
    baseline_rules,
    baselines,
    sample_config,
    settings,
    targets,
    tasks,
    windows,
)
from patchsetup.config.schema import config_schema, schema_text
from tests.helpers.configs import FULL, uncomment
from tests.helpers.paths import DATA, EXAMPLES, ROOT

SCHEMA_FILE = ROOT / "patchsetup" / "schemas" / "config.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
CONFIGS = [*sorted(EXAMPLES.glob("*.toml")), DATA / "kitchen-sink.toml"]


def as_json(value: Any) -> Any:
    """A parsed TOML value as taplo hands it to the schema: dates and times as strings."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def problems(text: str) -> list[str]:
    """What the schema finds wrong with a config text, as ``path: message`` lines."""
    data = as_json(tomllib.loads(text))
    return [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in VALIDATOR.iter_errors(data)
    ]


def at(*path: str) -> dict[str, Any]:
    """The schema node of a table, following properties / additionalProperties / items."""
    node = SCHEMA
    for step in path:
        if step == "*":
            node = node["additionalProperties"]
        elif step == "[]":
            node = node["items"]
        else:
            node = node["properties"][step]
        if "anyOf" in node:  # `false` or the table (output, notifications)
            node = next(part for part in node["anyOf"] if part.get("type") == "object")
    return node


def test_the_shipped_file_is_the_generated_schema() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()
    assert config_schema() == SCHEMA
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


TABLES = [
    ((), config.TOP_KEYS),
    (("defaults",), config.DEFAULTS_KEYS),
    (("service_role",), settings.ROLE_KEYS),
    (("scan",), windows.SCAN_KEYS),
    (("windows", "*"), windows.WINDOW_KEYS),
    (("windows", "*", "targets", "[]"), targets.TARGET_KEYS),
    (("windows", "*", "tasks", "[]"), tasks.TASK_KEYS),
    (("windows", "*", "tasks", "[]", "hooks"), frozenset(tasks.HOOKS)),
    (("windows", "*", "tasks", "[]", "output"), tasks.OUTPUT_KEYS),
    (("windows", "*", "tasks", "[]", "notifications"), tasks.NOTIFY_KEYS),
    (("defaults", "output"), tasks.OUTPUT_KEYS),
    (("baselines", "*"), baselines.BASELINE_KEYS),
    (("baselines", "*", "rules", "[]"), baseline_rules.RULE_KEYS),
    (("baselines", "*", "sources", "[]"), baseline_rules.SOURCE_KEYS),
]


@pytest.mark.parametrize(
    ("path", "allowed"), TABLES, ids=[".".join(path) or "top" for path, _ in TABLES]
)
def test_every_table_has_exactly_the_readers_keys(path: tuple[str, ...], allowed: Any) -> None:
    node = at(*path)
    assert node["additionalProperties"] is False
    assert set(node["properties"]) == set(allowed)
    assert all(part["description"] for part in node["properties"].values())


def test_a_key_the_schema_does_not_describe_fails_the_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(windows, "WINDOW_KEYS", windows.WINDOW_KEYS | {"new_key"})
    with pytest.raises(ValueError, match=r"A maintenance window.*undescribed keys \['new_key'\]"):
        config_schema()


def test_rules_come_from_the_fields_and_the_readers() -> None:
    window = at("windows", "*")["properties"]
    assert window["duration"]["minimum"] == fields.DURATION_MIN
    assert window["duration"]["maximum"] == fields.DURATION_MAX
    assert window["cutoff"]["maximum"] == fields.CUTOFF_MAX
    task = at("windows", "*", "tasks", "[]")["properties"]
    assert task["operation"]["enum"] == list(fields.OPERATIONS)
    assert task["priority"]["maximum"] == fields.PRIORITY_MAX
    assert task["document"]["enum"] == list(tasks.DOCUMENTS)
    assert task["cutoff_behavior"]["enum"] == list(tasks.CUTOFF_BEHAVIORS)
    assert task["max_errors"]["pattern"] == "^" + fields.ERRORS_RE.pattern[2:-2] + "$"
    defaults = at("defaults")["properties"]
    assert defaults["patch_group_key"]["enum"] == list(fields.PATCH_GROUP_KEYS)
    baseline = at("baselines", "*")["properties"]
    assert "AMAZON_LINUX_2" in baseline["operating_system"]["enum"]
    assert "WINDOWS" in baseline["operating_system"]["enum"]
    # The schema's patterns agree with Python's on names either side of the rule.
    name = re.compile(at("windows", "*")["properties"]["name"]["pattern"])
    for candidate in ("ab", "abc", "a" * 128, "a" * 129, "web.prod-1_x", "a b c"):
        assert bool(name.search(candidate)) == bool(fields.NAME_RE.match(candidate)), candidate


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_example_config_is_valid(path: Path) -> None:
    assert problems(path.read_text(encoding="utf-8")) == []


BASELINE_KEYS = (
    "description",
    "compliance_level",
    "approved_patches",
    "rejected_patches",
    "global_filters",
    "sources",
    "tags = { Team",
)
WINDOW_KEYS = (
    "rules",
    "  {",
    "]",
    "document",
    "hooks",
    "schedule_offset",
    "start_date",
    "end_date",
    "enabled",
    "allow_unassociated_targets",
    "timeout_seconds",
    "comment",
)


def test_the_sample_and_the_full_config_are_valid() -> None:
    sample = sample_config()
    assert problems(sample) == []
    # The sample's commented keys turned on, in the groups tests/unit/test_config_sample.py
    # and test_config_full.py load.
    for keys in (BASELINE_KEYS, WINDOW_KEYS, ("[scan]", 'time = "01:00"'), ("schedule =",)):
        turned_on = uncomment(sample, *(f"# {key}" for key in keys))
        assert turned_on != sample
        assert problems(turned_on) == []
    assert problems(FULL) == []


def test_the_sample_names_the_schema_for_editors() -> None:
    first = sample_config().splitlines()[0]
    assert first == "#:schema ../schemas/config.schema.json"
    sample = ROOT / "patchsetup" / "config" / "sample.toml"
    assert (sample.parent / first.removeprefix("#:schema ")).resolve() == SCHEMA_FILE


BASE = '[windows.w]\nschedule = "rate(1 day)"\n'


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (BASE + "duraton = 2\n", "windows.w", "'duraton' was unexpected"),
        (BASE + 'duration = "2"\n', "windows.w.duration", "is not of type 'integer'"),
        (BASE + "duration = 25\n", "windows.w.duration", "greater than the maximum of 24"),
        ('[defaults]\noperation = "install"\n', "defaults.operation", "is not one of"),
        ('[defaults]\nmax_errors = "101%"\n', "defaults.max_errors", "does not match"),
        ('naem = "x"\n', "", "'naem' was unexpected"),
        (
            BASE + '[[windows.w.targets]]\nname = "tgt"\n',
            "windows.w.targets.0",
            "is not valid under",
        ),
        (
            '[baselines.b]\noperating_system = "AMAZON_LINUX_3"\n',
            "baselines.b.operating_system",
            "is not one of",
        ),
    ],
)
def test_a_wrong_key_or_type_fails_the_schema(text: str, where: str, words: str) -> None:
    found = problems(text)
    assert len(found) == 1, found
    assert found[0].startswith(f"{where}: ") and words in found[0], found
