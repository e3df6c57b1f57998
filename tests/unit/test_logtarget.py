"""The log filter that names the target of the context a record is emitted in."""

from __future__ import annotations

import logging

from patchsetup.logtarget import TargetFilter, in_target


def test_the_target_filter_names_the_target_of_the_context() -> None:
    record = logging.LogRecord("patchsetup", logging.INFO, __file__, 1, "m", None, None)
    TargetFilter().filter(record)
    assert record.__dict__["target"] == ""
    with in_target("111111111111/eu-west-1"):
        TargetFilter().filter(record)
    assert record.__dict__["target"] == "[111111111111/eu-west-1] "
