"""Fixtures of the tools/ tests: ``api``, the SSM client of the ``ssm`` fixture as an ``Api``
(tests/helpers/ssm_api.py) that keeps each raw response body."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.ssm_api import Api


@pytest.fixture
def api(ssm: Any) -> Api:
    return Api.of(ssm)
