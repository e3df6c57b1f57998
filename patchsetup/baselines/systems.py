"""The operating systems the built-in baselines cover, in the order of botocore's model.

``--operating-system`` takes these (its help lists them, a TAB completes them): each
has a preset (presets.py), and a value without one could only be refused later. They
are written out, not read from the SSM model, so that ``--help`` and shell completion
parse no service model. tests/unit/test_baseline_presets.py holds this tuple equal to
the model's ``OperatingSystem`` enum and to the presets, so a botocore that adds an
operating system fails the suite until its preset is written.
"""

from __future__ import annotations

PRESET_SYSTEMS: tuple[str, ...] = (
    "WINDOWS",
    "AMAZON_LINUX",
    "AMAZON_LINUX_2",
    "AMAZON_LINUX_2022",
    "UBUNTU",
    "REDHAT_ENTERPRISE_LINUX",
    "SUSE",
    "CENTOS",
    "ORACLE_LINUX",
    "DEBIAN",
    "MACOS",
    "RASPBIAN",
    "ROCKY_LINUX",
    "ALMA_LINUX",
    "AMAZON_LINUX_2023",
)
