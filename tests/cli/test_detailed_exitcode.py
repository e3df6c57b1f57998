"""--detailed-exitcode (Terraform's name): exit 5 when there are changes, 0 when there are none.

apply --dry-run: the plan has changes; apply: changes were made; cleanup --dry-run: something
would be deleted; status --config: drift. With several targets, changes in any one target
give 5; a failure's own code still wins over 5.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers.cli import (
    JSON,
    ONE_WINDOW,
    assert_one_line_error,
    cleanup,
    json_report,
    ok_json,
    setup,
)
from tests.helpers.configs import one_window, write

CHANGES = 5
FLAG = "--detailed-exitcode"
TWO = ("-r", "us-east-1,eu-west-1")


def _code(result: Any) -> int:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    code: int = result.returncode
    return code


def test_exit_changes_is_distinct_from_every_other_code() -> None:
    from patchsetup import errors

    others = {
        value
        for name, value in vars(errors).items()
        if name.startswith("EXIT_") and name != "EXIT_CHANGES"
    }
    assert errors.EXIT_CHANGES == CHANGES
    assert CHANGES not in others | {130, 143}


def test_apply_dry_run_exits_5_while_the_plan_has_changes(aws: Any) -> None:
    assert _code(setup(aws.url, *ONE_WINDOW, "--dry-run")) == 0  # without the flag: as before
    assert _code(setup(aws.url, *ONE_WINDOW, "--dry-run", FLAG)) == CHANGES
    pending = setup(aws.url, *ONE_WINDOW, "--dry-run", FLAG, *JSON)
    assert _code(pending) == CHANGES
    assert '"create": 5' in pending.stdout  # the report is printed as usual
    ok_json(setup(aws.url, *ONE_WINDOW, *JSON))
    assert _code(setup(aws.url, *ONE_WINDOW, "--dry-run", FLAG)) == 0  # nothing to do
    # An update pending (another time zone) is a change too.
    assert _code(setup(aws.url, *ONE_WINDOW, "-z", "Europe/London", "--dry-run", FLAG)) == CHANGES


def test_apply_exits_5_when_it_made_changes_and_0_when_nothing_changed(aws: Any) -> None:
    made = setup(aws.url, *ONE_WINDOW, FLAG, *JSON)
    assert _code(made) == CHANGES, made.stderr
    assert '"create": 5' in made.stdout
    assert _code(setup(aws.url, *ONE_WINDOW, FLAG)) == 0
    assert _code(setup(aws.url, *ONE_WINDOW, "-z", "Europe/London", FLAG)) == CHANGES
    assert _code(setup(aws.url, *ONE_WINDOW, "-z", "Europe/London", FLAG)) == 0


def test_cleanup_dry_run_exits_5_when_something_would_be_deleted(aws: Any) -> None:
    assert _code(cleanup(aws.url, "--dry-run", FLAG)) == 0  # nothing owned: nothing to do
    ok_json(setup(aws.url, *ONE_WINDOW, *JSON))
    assert _code(cleanup(aws.url, "--dry-run")) == 0
    assert _code(cleanup(aws.url, "--dry-run", FLAG)) == CHANGES
    # Refused (no terminal, no --yes) keeps its own code.
    assert_one_line_error(cleanup(aws.url, FLAG), 3, "--yes")
    assert _code(cleanup(aws.url, "--yes", FLAG)) == CHANGES
    assert _code(cleanup(aws.url, "--dry-run", FLAG)) == 0


def test_status_config_exits_5_on_drift(aws: Any, tmp_path: Path) -> None:
    config = str(write(tmp_path, one_window()))
    assert _code(setup(aws.url, "status", "--config", config)) == 0
    assert _code(setup(aws.url, "status", "--config", config, FLAG)) == CHANGES
    ok_json(setup(aws.url, "--config", config, *JSON))
    assert _code(setup(aws.url, "status", "--config", config, FLAG)) == 0
    assert _code(setup(aws.url, "status", "--config", config)) == 0
    # An edit of the file is drift again.
    edited = str(write(tmp_path, one_window().replace('"03:00"', '"04:00"'), "edited.toml"))
    assert _code(setup(aws.url, "status", "--config", edited, FLAG)) == CHANGES


def test_status_without_config_is_bad_input(aws: Any) -> None:
    result = setup(aws.url, "status", FLAG)
    assert_one_line_error(result, 2, "--detailed-exitcode", "--config")


def test_bad_input_keeps_exit_2(aws: Any) -> None:
    assert_one_line_error(setup(aws.url, "-w", "9", "--dry-run", FLAG), 2, "week")


def test_several_targets_changes_in_any_target(aws: Any, tmp_path: Path) -> None:
    ok_json(setup(aws.url, *ONE_WINDOW, "-r", "us-east-1", *JSON))
    # us-east-1 is done, eu-west-1 is not: the run has changes.
    pending = setup(aws.url, *ONE_WINDOW, *TWO, "--dry-run", FLAG, *JSON)
    assert _code(pending) == CHANGES, pending.stderr
    creates = {t["region"]: t["summary"]["create"] for t in json_report(pending)["targets"]}
    assert creates == {"us-east-1": 0, "eu-west-1": 5}
    assert _code(setup(aws.url, *ONE_WINDOW, *TWO, FLAG)) == CHANGES  # made in eu-west-1
    assert _code(setup(aws.url, *ONE_WINDOW, *TWO, "--dry-run", FLAG)) == 0
    assert _code(setup(aws.url, *ONE_WINDOW, *TWO, FLAG)) == 0
    # status over both regions: drift in one of them.
    config = str(write(tmp_path, one_window()))
    assert _code(setup(aws.url, "status", "--config", config, *TWO, FLAG)) == CHANGES
    ok_json(setup(aws.url, "--config", config, "-r", "eu-west-1", *JSON))
    assert _code(setup(aws.url, "status", "--config", config, "-r", "eu-west-1", FLAG)) == 0
    assert _code(setup(aws.url, "status", "--config", config, *TWO, FLAG)) == CHANGES
    # cleanup over both regions, with something to delete in one only.
    ok_json(cleanup(aws.url, "-r", "us-east-1", "--yes", *JSON))
    assert _code(cleanup(aws.url, *TWO, "--dry-run", FLAG)) == CHANGES
    assert _code(cleanup(aws.url, *TWO, "--yes", FLAG)) == CHANGES
    assert _code(cleanup(aws.url, *TWO, "--dry-run", FLAG)) == 0


def test_changes_pending_is_no_error_in_the_json_document(aws: Any) -> None:
    """Exit 5 is success with changes: the document says so, with no error in it."""
    pending = setup(aws.url, *ONE_WINDOW, "--dry-run", FLAG, *JSON)
    assert pending.returncode == CHANGES, pending.stderr
    document = json_report(pending)
    assert document["error"] is None and pending.stderr == ""
    assert [t["exit_code"] for t in document["targets"]] == [0]
    assert document["summary"]["failed"] == 0 and document["summary"]["succeeded"] == 1
    assert document["summary"]["resources"]["create"] == 5
