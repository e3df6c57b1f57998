"""An AWS command parses each of botocore's data files once per run, in every thread.

The region check (-r, botocore's endpoint data), the run's session and every client
(SSM, IAM, Service Quotas, made by the threads that first call them) share one
loader, and botocore's loader caches what it parsed. The run is the real console
script against the local endpoint; botocore's own log of each file it loads (the
``botocore.loaders`` logger, at DEBUG, which the tool never turns on), the tool's of
each session it makes, and the files opened (an audit hook) are recorded by a probe
around the console script's entry. Counted: the files that cost (each
service's model, its endpoint rules, the endpoint data), not the paginator configs
(a tenth of a millisecond each, which botocore may parse once per thread that
first pages).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tests.helpers.cli import JSON, cli_env

#: The console script's entry, recording at exit: each data file botocore's loaders
#: parsed, with its thread (botocore's own DEBUG line); every data file of botocore's
#: opened (an audit hook: the baseline validation's reads too, which botocore's log does
#: not see); the botocore sessions made (the tool's DEBUG line); whether boto3 was
#: imported; the package's modules loaded. Loggers and an audit hook only: nothing of
#: the tool or botocore is replaced.
_PROBE = """\
import atexit, json, logging, sys
record = sys.argv[1]
lines = []
opened = []
class Lines(logging.Handler):
    def emit(self, rec):
        lines.append([rec.name, rec.threadName, rec.getMessage()])
for name in ("botocore.loaders", "patchsetup.aws.session"):
    logger = logging.getLogger(name)
    logger.addHandler(Lines())
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
def _audit(event, args):
    if event == "open" and isinstance(args[0], str) and "/botocore/data/" in args[0]:
        opened.append(args[0].split("/botocore/data/")[-1])
sys.addaudithook(_audit)
def _record():
    with open(record, "w") as out:
        modules = sorted(m for m in sys.modules if m.startswith("patchsetup."))
        json.dump({"lines": lines, "opened": opened, "boto3": "boto3" in sys.modules,
                   "modules": modules}, out)
atexit.register(_record)
sys.argv = ["ssm-patching-setup", *sys.argv[2:]]
from patchsetup import console
console.setup_main()
"""


def _probe(aws: Any, tmp_path: Path, *args: str) -> dict[str, Any]:
    """What the probe recorded of a run of the console script with ``args``."""
    record = tmp_path / "probe.json"
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(record), *args],
        env=cli_env(aws.url),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probed: dict[str, Any] = json.loads(record.read_text())
    return probed


def _loaded(aws: Any, tmp_path: Path, *args: str) -> list[tuple[str, str]]:
    """(thread, data file) for each costly file botocore's loaders parsed during the run."""
    loads = [
        (thread, message.removeprefix("Loading JSON file: ").split("/data/")[-1])
        for name, thread, message in _probe(aws, tmp_path, *args)["lines"]
        if name == "botocore.loaders" and message.startswith("Loading JSON file: ")
    ]
    return [(thread, path) for thread, path in loads if _costly(path)]


def _costly(path: str) -> bool:
    return path == "endpoints.json" or "/service-2." in path or "/endpoint-rule-set-1." in path


def test_a_setup_parses_each_model_and_the_endpoint_data_once(aws: Any, tmp_path: Path) -> None:
    loads = _loaded(aws, tmp_path, "-r", "us-east-1", *JSON, "--yes")
    files = Counter(path for _, path in loads)
    twice = {path: n for path, n in files.items() if n > 1}
    assert twice == {}
    # What the run needs, and from more than one thread: the region check on the main
    # thread, the clients in the threads that first call them.
    assert "endpoints.json" in files
    assert any(path.startswith("ssm/") and "/service-2." in path for path in files)
    assert any(path.startswith("iam/") for path in files)
    assert any(path.startswith("service-quotas/") for path in files)
    assert len({thread for thread, _ in loads}) > 1


def test_a_run_over_two_regions_parses_each_file_once(aws: Any, tmp_path: Path) -> None:
    loads = _loaded(aws, tmp_path, "-r", "us-east-1,eu-west-1", *JSON, "--yes", "--dry-run")
    files = Counter(path for _, path in loads)
    assert {path: n for path, n in files.items() if n > 1} == {}
    assert any(path.startswith("ssm/") and "/service-2." in path for path in files)


def _counted(aws: Any, tmp_path: Path, *args: str) -> dict[str, Any]:
    """The data files opened, the sessions made, whether boto3 was imported."""
    probed = _probe(aws, tmp_path, *args)
    made = [m for name, _, m in probed["lines"] if name == "patchsetup.aws.session"]
    sessions = sum(message == "botocore session made" for message in made)
    return {"opened": probed["opened"], "sessions": sessions, "boto3": probed["boto3"]}


def test_a_setup_reads_the_ssm_model_once_with_one_session_and_no_boto3(
    aws: Any, tmp_path: Path
) -> None:
    """The baseline validation (the default baselines' operating systems) and the SSM
    client share one parse of the model; the region check's session is the run's; only
    botocore is imported (boto3's session was a wrapper the tool did not need)."""
    counted = _counted(aws, tmp_path, "-r", "us-east-1", *JSON, "--yes")
    ssm_models = [path for path in counted["opened"] if re.match(r"ssm/[^/]+/service-2\.", path)]
    assert len(ssm_models) == 1, counted["opened"]
    assert Counter(counted["opened"])["endpoints.json"] == 1
    assert counted["sessions"] == 1
    assert counted["boto3"] is False


def test_each_region_has_its_session_and_the_files_are_read_once(aws: Any, tmp_path: Path) -> None:
    counted = _counted(aws, tmp_path, "-r", "us-east-1,eu-west-1", *JSON, "--yes", "--dry-run")
    assert {path: n for path, n in Counter(counted["opened"]).items() if n > 1} == {}
    # The caller's session (the region check's) and one per region's thread.
    assert counted["sessions"] == 3
    assert counted["boto3"] is False


#: status's and assign's own modules: a setup's run loads none of them.
OTHER_COMMANDS = (
    "patchsetup.status",
    "patchsetup.coverage",
    "patchsetup.runner.statuses",
    "patchsetup.runner.assigning",
    "patchsetup.aws.read_fleet",
    "patchsetup.aws.read_nodes",
    "patchsetup.fleet.assign",
)


def test_a_setup_loads_neither_status_nor_assign(aws: Any, tmp_path: Path) -> None:
    modules = set(_probe(aws, tmp_path, "-r", "us-east-1", *JSON, "--yes")["modules"])
    assert "patchsetup.runner.protocol" in modules  # the probe sees what the run loads
    assert [m for m in OTHER_COMMANDS if m in modules] == []
