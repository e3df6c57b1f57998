"""Fixtures of the CLI tests: ``recorder``, a recording tools/local_aws.py of the module's own
(the bad-input tests: tests/helpers/bad_input.py), and ``workdir``, a directory for the
module's files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.bad_input import Recorder
from tests.helpers.endpoint import start_local_aws
from tests.plugins.least_privilege import record_file
from tools import launch


@pytest.fixture(scope="module")
def recorder(pytestconfig: pytest.Config) -> Iterator[Recorder]:
    path = record_file(pytestconfig, "bad-input")
    server = start_local_aws(record=path)
    try:
        yield Recorder(server, path)
    finally:
        problem = launch.stop(server)
    assert problem is None, f"tools/local_aws.py did not shut down cleanly: {problem}"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bad-input")
