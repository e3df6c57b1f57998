"""What the export tests share: a case's CloudFormation template (built once per case, a
fresh copy per call), its resources and one resource's properties, and the reference to
the created service role's ARN."""

from __future__ import annotations

import functools
import json
from typing import Any

from patchsetup.export.template import cloudformation, dumps
from tests.helpers.setups import setup_of

GET_ROLE_ARN = {"Fn::GetAtt": ["ServiceRole", "Arn"]}


@functools.cache
def _template_json(case: str) -> str:
    return dumps(cloudformation(setup_of(case)))


def template_of(case: str) -> dict[str, Any]:
    """A fresh copy of the case's template (tests may change theirs)."""
    loaded = json.loads(_template_json(case))
    assert isinstance(loaded, dict)
    return loaded


def resources(case: str) -> dict[str, dict[str, Any]]:
    found = template_of(case)["Resources"]
    assert isinstance(found, dict)
    return found


def props(case: str, logical_id: str) -> dict[str, Any]:
    found = resources(case)[logical_id]["Properties"]
    assert isinstance(found, dict)
    return found
