"""The run's botocore loader (patchsetup/aws/loader.py) loads what botocore's loads.

It skips botocore's listing of every service before each model (some 900 directory
listings per kind of file) and parses through the one parse the baseline validation
shares; everything it returns must be what botocore's own loader returns, from the
same search paths, with the same errors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.loaders
import pytest
from botocore.exceptions import DataNotFoundError, UnknownServiceError

from patchsetup.aws.loader import RunLoader
from patchsetup.baselines.service_model import parsed

SERVICES = ("ssm", "iam", "service-quotas", "sts", "ec2", "organizations")
KINDS = ("service-2", "paginators-1", "endpoint-rule-set-1")


class _Counting(RunLoader):
    listed = 0

    def list_available_services(self, type_name: str) -> Any:
        type(self).listed += 1
        return super().list_available_services(type_name)


@pytest.mark.parametrize("kind", KINDS)
def test_the_models_are_botocores(kind: str) -> None:
    ours, theirs = _Counting(), botocore.loaders.Loader()
    for service in SERVICES:
        version = theirs.determine_latest_version(service, kind)
        assert ours.load_service_model(service, kind) == theirs.load_service_model(service, kind)
        assert ours.load_service_model(service, kind, version) == theirs.load_service_model(
            service, kind, version
        )
    assert _Counting.listed == 0  # what it saves: no listing of every service


def test_the_endpoint_and_partition_data_are_botocores() -> None:
    ours, theirs = RunLoader(), botocore.loaders.Loader()
    for name in ("endpoints", "partitions", "_retry", "sdk-default-configuration"):
        assert ours.load_data(name) == theirs.load_data(name)


def test_an_unknown_service_is_botocores_error() -> None:
    ours, theirs = RunLoader(), botocore.loaders.Loader()
    with pytest.raises(UnknownServiceError) as mine:
        ours.load_service_model("no-such-service", "service-2")
    with pytest.raises(UnknownServiceError) as botocores:
        theirs.load_service_model("no-such-service", "service-2")
    assert str(mine.value) == str(botocores.value)
    with pytest.raises(DataNotFoundError):
        ours.load_service_model("ssm", "service-2", "1999-01-01")


def _model(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def test_a_users_models_and_extras_come_first_as_in_botocore(tmp_path: Path) -> None:
    """A newer SSM version in an extra search path (AWS_DATA_PATH, ~/.aws/models) wins,
    and sdk-extras are merged, in both; the file the run parsed once is not changed."""
    newer = tmp_path / "ssm" / "2099-01-01"
    base = {"metadata": {"apiVersion": "2099-01-01"}, "operations": {}, "shapes": {}}
    _model(newer / "service-2.json", base)
    _model(newer / "service-2.sdk-extras.json", {"merge": {"metadata": {"extra": "yes"}}})
    ours = RunLoader.create(str(tmp_path))
    theirs = botocore.loaders.create_loader(str(tmp_path))
    loaded = ours.load_service_model("ssm", "service-2")
    assert loaded == theirs.load_service_model("ssm", "service-2")
    assert loaded["metadata"] == {"apiVersion": "2099-01-01", "extra": "yes"}
    assert parsed(str(newer / "service-2.json")) == base
