"""Tests for patchsetup.config: every way a [baselines] table can be wrong names its file,
key and problem (the operating system, approval rules and dates, filters, patch lists,
sources, tags, baseline files).

Pure and fast: no endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.helpers.configs import (
    BASE,
    BASELINE,
    ErrorCase,
    add,
    assert_error_at,
    edit,
    error_cases,
)

ERRORS: list[ErrorCase] = [
    (
        "unknown operating system",
        edit('"AMAZON_LINUX_2"', '"AMAZON_LINUX3"'),
        "baselines.linux.operating_system",
        "unknown operating system 'AMAZON_LINUX3' (did you mean",
    ),
    (
        "baseline without OS or file",
        edit('operating_system = "AMAZON_LINUX_2"\n', ""),
        "baselines.linux.operating_system",
        "required key is missing (or set file)",
    ),
    (
        "approval delay out of range",
        add(BASELINE, "approve_after_days = 400"),
        "baselines.linux.approve_after_days",
        "must be 0-360, got 400",
    ),
    (
        "both approval shorthands",
        add(BASELINE, 'approve_after_days = 4\napprove_until_date = "2027-01-01"'),
        "baselines.linux.approve_until_date",
        "cannot be combined with approve_after_days",
    ),
    (
        "bad approval date, found by the baseline validator",
        add(BASELINE, 'approve_until_date = "2027-13-01"'),
        "baselines.linux.approve_until_date",
        "must be a date in YYYY-MM-DD format, got '2027-13-01'",
    ),
    (
        "bad compliance level, found by the baseline validator",
        add(BASELINE, 'compliance_level = "HIH"'),
        "baselines.linux.compliance_level",
        "got 'HIH' (did you mean 'HIGH'?)",
    ),
    (
        "filter key not for this OS",
        add(BASELINE, 'rules = [{ msrc_severity = ["Critical"], approve_after_days = 7 }]'),
        "baselines.linux.rules[0].msrc_severity",
        "MSRC_SEVERITY is not a patch filter key for AMAZON_LINUX_2",
    ),
    (
        "filter value, by its index",
        lambda text: add(
            BASELINE, "rules = [{ filters = { PRIORITY = ['Required', 'Importnt'] } }]"
        )(edit('"AMAZON_LINUX_2"', '"UBUNTU"')(add(BASELINE, "approve_after_days = 0")(text))),
        "baselines.linux.rules[0].filters.PRIORITY[1]",
        "'Importnt' is not a PRIORITY value for UBUNTU (did you mean 'Important'?)",
    ),
    (
        "rule without approval",
        add(BASELINE, 'rules = [{ classification = ["Security"] }]'),
        "baselines.linux.rules[0]",
        "needs approve_after_days or approve_until_date",
    ),
    (
        "filter given twice in a rule",
        add(
            BASELINE,
            'rules = [{ severity = ["Critical"], filters = { SEVERITY = ["Low"] }, '
            "approve_after_days = 1 }]",
        ),
        "baselines.linux.rules[0].filters.SEVERITY",
        "is already set by severity in this rule",
    ),
    (
        "bad patch list type, found by the baseline validator",
        add(BASELINE, 'rejected_patches_action = "DENY"'),
        "baselines.linux.rejected_patches_action",
        "must be one of ALLOW_AS_DEPENDENCY, BLOCK",
    ),
    (
        "sources on Windows",
        lambda text: add(
            BASELINE,
            "sources = [{ name = 'repo', products = ['p'], configuration = 'c' }]",
        )(edit('"AMAZON_LINUX_2"', '"WINDOWS"')(text)),
        "baselines.linux.sources",
        "patch source repositories apply to Linux only, not WINDOWS",
    ),
    (
        "reserved tag",
        add(BASELINE, 'tags = { "ssm-patching-setup:setup" = "x" }'),
        'baselines.linux.tags."ssm-patching-setup:setup"',
        "reserved tag key",
    ),
    (
        "baseline file missing",
        edit('operating_system = "AMAZON_LINUX_2"', 'file = "nope.json"'),
        "baselines.linux.file",
        "nope.json: cannot read file",
    ),
    (
        "file combined with rule keys",
        lambda text: edit(
            'operating_system = "AMAZON_LINUX_2"', 'file = "x.json"\napprove_after_days = 3'
        )(text),
        "baselines.linux.approve_after_days",
        "cannot be combined with file",
    ),
]


@error_cases(ERRORS)
def test_invalid_config_names_file_key_and_problem(
    tmp_path: Path, mutate: Callable[[str], str], where: str, fragment: str
) -> None:
    assert_error_at(tmp_path, mutate(BASE), where, fragment)
