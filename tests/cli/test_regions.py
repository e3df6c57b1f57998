"""-r is checked offline against botocore's partition data (``partitions.json``).

Every region of every partition is taken, the ones botocore's per-service endpoint
data does not list for SSM yet included (SSM opens with each region, and botocore
finds its endpoint from the partition's rules); a typo is refused with its closest
regions, and so are the partitions' global pseudo-regions (``aws-global``), which
are no region. The runs are the real console script against the local endpoint.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import botocore.session

from patchsetup.aws import session as aws
from tests.helpers.cli import JSON, ONE_WINDOW, assert_one_line_error, cli_env, setup

DATA = Path(botocore.__file__).parent / "data"


def _partition_regions() -> set[str]:
    partitions = json.loads((DATA / "partitions.json").read_text())["partitions"]
    return {
        region
        for partition in partitions
        for region in partition["regions"]
        if re.match(partition["regionRegex"], region)
    }


def _ssm_endpoint_regions() -> set[str]:
    core = botocore.session.get_session()
    return {
        region
        for partition in core.get_available_partitions()
        for region in core.get_available_regions("ssm", partition_name=partition)
    }


def test_every_region_of_every_partition_is_known() -> None:
    regions = _partition_regions()
    assert aws.known_regions() == regions
    assert {"us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"} <= regions
    # Every region botocore lists an SSM endpoint for is one of them.
    assert _ssm_endpoint_regions() <= regions
    assert not any(region.endswith("-global") for region in regions)


def test_a_region_without_ssm_endpoint_data_yet_is_taken(aws: Any) -> None:
    """A region in partitions.json that endpoints.json does not list for SSM (there is
    one in the botocore this suite pins, or the test says so) is taken: it was refused
    (exit 2). The local endpoint has no such region, so the run goes to a closed port:
    its one request fails there (exit 1), after the region was taken."""
    newer = sorted(_partition_regions() - _ssm_endpoint_regions())
    assert newer, "botocore lists SSM in every region it knows: pick another region here"
    once = cli_env("http://127.0.0.1:9", AWS_MAX_ATTEMPTS="1")
    result = setup(aws.url, "-r", newer[0], *JSON, *ONE_WINDOW, "--dry-run", env=once)
    assert result.returncode == 1, result.stderr
    assert "not a region" not in result.stderr
    assert "127.0.0.1:9" in result.stderr, result.stderr


def test_a_typo_is_refused_with_the_closest_regions(aws: Any) -> None:
    result = setup(aws.url, "-r", "eu-west-l", *JSON, *ONE_WINDOW, "--dry-run")
    assert_one_line_error(result, 2, "'eu-west-l' is not a region where SSM exists")
    assert re.search(r"\(did you mean [a-z0-9 -]*\beu-west-1\?\)", result.stderr), result.stderr


def test_a_global_pseudo_region_is_refused(aws: Any) -> None:
    result = setup(aws.url, "-r", "aws-global", *JSON, *ONE_WINDOW, "--dry-run")
    assert_one_line_error(result, 2, "'aws-global' is not a region where SSM exists")
