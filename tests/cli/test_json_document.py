"""--output json: one document on stdout for every command, one target or many, on
success and on every failure, and always valid against the shipped JSON Schema."""

from __future__ import annotations

import copy
import fnmatch
import json
import tomllib
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest

from patchsetup.document import SCHEMA
from tests.helpers.cli import (
    JSON,
    ONE_WINDOW,
    REPORT_SCHEMA,
    assert_one_line_error,
    cleanup,
    cli_env,
    json_report,
    ok_json,
    setup,
    valid_report,
)
from tests.helpers.paths import ROOT


@pytest.mark.parametrize(
    ("run", "args", "command", "words"),
    [
        (setup, ("--output", "json", "-w", "9"), "apply", "week must be 1-5"),
        (setup, ("-o", "json", "-r", "nowhere"), "apply", "nowhere"),
        (setup, ("--output=json", "--bogus"), "apply", "--bogus"),
        (setup, ("status", "-ojson", "-r", "nope"), "status", "nope"),
        (cleanup, ("--output", "json", "--concurrency", "0"), "cleanup", "--concurrency"),
        (setup, ("cleanup", *JSON, "--role-arn", "arn:aws:iam::1:user/x"), "cleanup", "--role-arn"),
    ],
)
def test_bad_input_still_prints_one_document(
    aws: Any, run: Any, args: tuple[str, ...], command: str, words: str
) -> None:
    result = run(aws.url, *args)
    assert_one_line_error(result, 2, words)
    document = json_report(result)
    message = result.stderr.strip().removeprefix("error: ")
    assert document["error"] == {"message": message, "exit_code": 2}
    assert (document["command"], document["targets"]) == (command, [])
    assert document["summary"]["targets"] == 0


def test_without_json_bad_input_prints_nothing_on_stdout(aws: Any) -> None:
    result = setup(aws.url, "-w", "9")
    assert_one_line_error(result, 2, "week must be 1-5")
    assert result.stdout == ""


def test_an_aws_failure_in_one_target_prints_the_document(aws: Any) -> None:
    once = cli_env(aws.url, AWS_MAX_ATTEMPTS="1")  # the failure, without 20 s of backoff
    result = setup(aws.url, *JSON, *ONE_WINDOW, "--endpoint-url", "http://127.0.0.1:9", env=once)
    assert_one_line_error(result, 1, "cannot reach the AWS endpoint")
    document = json_report(result)
    message = result.stderr.strip().removeprefix("error: ")
    assert document["error"] == {"message": message, "exit_code": 1}
    [target] = document["targets"]
    assert (target["region"], target["exit_code"], target["error"]) == ("us-east-1", 1, message)
    assert document["summary"]["failed"] == 1 and document["summary"]["succeeded"] == 0


def test_a_held_lock_prints_the_document(aws: Any, ssm: Any) -> None:
    beat = datetime.now(UTC).isoformat(timespec="seconds")
    held = {"token": "f" * 32, "host": "elsewhere", "pid": 1, "started": beat, "heartbeat": beat}
    ssm.put_parameter(Name="/patchsetup/lock/default", Value=json.dumps(held), Type="String")
    result = setup(aws.url, *JSON, *ONE_WINDOW)
    assert_one_line_error(result, 1, "another run of setup 'default'")
    document = json_report(result)
    assert document["error"]["exit_code"] == 1
    assert "another run of setup 'default'" in document["targets"][0]["error"]


def test_one_target_and_several_have_the_same_shape(aws: Any) -> None:
    one = ok_json(setup(aws.url, *JSON, *ONE_WINDOW, "--dry-run"))
    many = ok_json(setup(aws.url, *JSON, *ONE_WINDOW, "--dry-run", "-r", "us-east-1,eu-west-1"))
    assert one.keys() == many.keys()
    assert one["targets"][0].keys() == many["targets"][0].keys()
    assert one["summary"].keys() == many["summary"].keys()
    assert (one["schema_version"], one["command"], one["setup"]) == (1, "apply", "default")
    # Resources by kind, then name; windows by name.
    resources = [(r["kind"], r["name"]) for r in one["targets"][0]["resources"]]
    assert resources == sorted(resources)
    status = ok_json(setup(aws.url, "status", *JSON))
    assert status.keys() == one.keys() and status["command"] == "status"
    gone = ok_json(cleanup(aws.url, *JSON, "--dry-run"))
    assert gone.keys() == one.keys() and gone["command"] == "cleanup"


def test_help_with_json_prints_no_document(aws: Any) -> None:
    result = setup(aws.url, *JSON, "--help")
    assert result.returncode == 0 and result.stdout.startswith("Usage:")


def test_the_schema_is_valid_and_shipped() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["patchsetup"]
    assert any(fnmatch.fnmatch("schemas/report.schema.json", p) for p in patterns), patterns


def test_the_validation_catches_a_broken_document(aws: Any) -> None:
    good = ok_json(setup(aws.url, *JSON, *ONE_WINDOW, "--dry-run"))
    valid_report(good)
    breakages = [
        lambda d: d.pop("schema_version"),
        lambda d: d.update(command="deploy"),
        lambda d: d["targets"][0].pop("exit_code"),
        lambda d: d["targets"][0].update(extra=1),
        lambda d: d["targets"][0]["summary"].update(create="5"),
        lambda d: d["targets"][0]["resources"][0].update(kind="bucket"),
        lambda d: d["summary"].pop("resources"),
        lambda d: d.update(error="failed"),
        lambda d: d["targets"][0]["windows"][0].update(next_runs=["not a date"]),
    ]
    for breakage in breakages:
        broken = copy.deepcopy(good)
        breakage(broken)
        with pytest.raises(jsonschema.ValidationError):
            valid_report(broken)
    assert REPORT_SCHEMA.is_valid(good)
