"""The run lock: one writer per setup and region, whoever and wherever the runs are.

Through the real CLI where a user would see it, and through ``patchsetup.lock``
over real HTTP (the local endpoint, or the fault proxy in front of it) where only
threads can line many runs up on the same moment.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from patchsetup.aws import lock
from patchsetup.aws.lock import parameter_name
from tests.helpers.account import custom_baselines, parameter_names, window_names, windows
from tests.helpers.cli import (
    JSON,
    ONE_WINDOW,
    assert_one_line_error,
    json_report,
    setup,
    target_json,
)
from tests.helpers.endpoint import client, direct_env
from tests.helpers.proxy import FaultProxy

LOCK = parameter_name("default")


def plant(ssm: Any, name: str = LOCK, age: timedelta = timedelta(0), **fields: Any) -> str:
    """A lock as another run holds it: its heartbeat ``age`` old."""
    beat = (datetime.now(UTC) - age).isoformat(timespec="seconds")
    value = {"token": "f" * 32, "host": "elsewhere", "pid": 1, "started": beat, "heartbeat": beat}
    value.update(fields)
    text = json.dumps(value)
    ssm.put_parameter(Name=name, Value=text, Type="String", Overwrite=True)
    return text


# -- who holds it ------------------------------------------------------------------------

SAME_ACCOUNT = ("arn:aws:iam::333333333333:role/ops-a", "arn:aws:iam::333333333333:role/ops-b")


def _assumed_ssm(aws: Any, role_arn: str) -> Any:
    creds = client(aws, "sts").assume_role(RoleArn=role_arn, RoleSessionName="check")
    c = creds["Credentials"]
    return boto3.session.Session().client(
        "ssm",
        region_name="us-east-1",
        endpoint_url=aws.url,
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
    )


def test_two_targets_into_one_account_in_one_run_write_once(aws: Any, proxied: FaultProxy) -> None:
    # Two role ARNs of one account, one region: the same account twice, in one process.
    # The holder was {host, pid, second}, the same for both, so both wrote: 16 windows.
    # Latency makes the two targets overlap as they do against AWS.
    proxied.configure(latency_ms=15)
    roles = [part for arn in SAME_ACCOUNT for part in ("--role-arn", arn)]
    result = setup(proxied.url, *JSON, "-r", "us-east-1", *roles)
    document = json_report(result)
    for target in document["targets"]:
        assert target["exit_code"] == 0 or (
            target["exit_code"] == 1 and "another run of setup 'default'" in target["error"]
        ), target
    ssm = _assumed_ssm(aws, SAME_ACCOUNT[0])
    made = window_names(ssm)
    assert len(made) == 8, made  # not each name twice
    assert len(custom_baselines(ssm)) == 1
    assert parameter_names(ssm) == []
    again = target_json(setup(aws.url, *JSON, "-r", "us-east-1", "--role-arn", SAME_ACCOUNT[1]))
    assert again["summary"]["create"] == 0


def test_a_live_lock_of_a_pid_unknown_here_is_respected(aws: Any, ssm: Any) -> None:
    # Containers sharing a hostname but not a PID namespace: the holder's PID is not a
    # process here, yet its heartbeat is fresh. It was taken as dead and taken over.
    plant(ssm, host=socket.gethostname(), pid=2**22 + 7)
    assert_one_line_error(setup(aws.url, *ONE_WINDOW), 1, "another run of setup 'default'", LOCK)
    assert windows(ssm) == {}


def test_a_long_run_with_a_fresh_heartbeat_is_not_taken_over(aws: Any, ssm: Any) -> None:
    # Started two hours ago, still beating: alive. Staleness was the start's age.
    plant(ssm, started=(datetime.now(UTC) - timedelta(hours=2)).isoformat())
    assert_one_line_error(setup(aws.url, *ONE_WINDOW), 1, "another run of setup 'default'")
    assert windows(ssm) == {}


def test_a_lock_whose_heartbeat_stopped_is_taken_over_and_released(aws: Any, ssm: Any) -> None:
    plant(ssm, age=lock.STALE_AFTER + timedelta(seconds=5), host=socket.gethostname())
    report = target_json(setup(aws.url, *JSON, *ONE_WINDOW))
    assert report["summary"]["create"] == 5
    assert parameter_names(ssm) == []  # the lock and every takeover claim are gone
    # Just short of stale: refused.
    plant(ssm, age=lock.STALE_AFTER - timedelta(seconds=30))
    assert_one_line_error(setup(aws.url, *ONE_WINDOW, "-w", "2"), 1, "another run")


# -- the heartbeat -------------------------------------------------------------------------


def test_the_heartbeat_refreshes_the_lock_and_notices_a_takeover(aws: Any, ssm: Any) -> None:
    with lock.held(ssm, "beating", heartbeat_every=0.2) as lease:
        name = parameter_name("beating")
        first = json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
        version = ssm.get_parameter(Name=name)["Parameter"]["Version"]
        deadline = time.monotonic() + 10
        while ssm.get_parameter(Name=name)["Parameter"]["Version"] < version + 2:
            assert time.monotonic() < deadline, "no heartbeat within 10 s"
            time.sleep(0.05)
        beating = json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
        assert beating["token"] == first["token"] and beating["started"] == first["started"]
        assert not lease.lost.is_set()
        # Someone else now holds it (it was judged stale elsewhere): the run must stop.
        plant(ssm, name=name)
        assert lease.lost.wait(10), "the heartbeat did not notice the lock was taken"
    # Not ours any more: released without touching the other run's lock.
    assert json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])["token"] == "f" * 32


def test_release_leaves_another_runs_lock_alone(aws: Any, ssm: Any) -> None:
    with lock.held(ssm, "mine", heartbeat_every=60):
        plant(ssm, name=parameter_name("mine"))
    assert parameter_names(ssm) == [parameter_name("mine")]


# -- the release's read, beside the run's last writes -----------------------------------


def test_a_release_confirmed_beside_the_last_writes_is_one_delete(proxied: FaultProxy) -> None:
    # The run reads the lock beside its last writes (lock.confirm): the release is then
    # the delete alone, one request in a row fewer.
    ssm = client(direct_env(proxied.url), "ssm")
    with lock.held(ssm, "confirmed", heartbeat_every=60) as lease:
        lock.confirm(lease)
        proxied.reset()
    stats = proxied.stats()
    assert (stats["reads"], stats["write_ops"]) == (0, ["ssm:DeleteParameter"]), stats
    assert parameter_names(ssm) == []


def test_a_release_still_reads_unless_the_confirm_found_this_run_just_now(
    aws: Any, ssm: Any
) -> None:
    name = parameter_name("mine")
    # The confirm found another run's token: the release reads and leaves it alone.
    with lock.held(ssm, "mine", heartbeat_every=60) as lease:
        plant(ssm, name=name)
        lock.confirm(lease)
    assert parameter_names(ssm) == [name]
    ssm.delete_parameter(Name=name)
    # Confirmed, then the heartbeat found the lock gone: the release reads.
    with lock.held(ssm, "mine", heartbeat_every=60) as lease:
        lock.confirm(lease)
        plant(ssm, name=name)
        lease.lost.set()
    assert parameter_names(ssm) == [name]
    ssm.delete_parameter(Name=name)
    # Confirmed longer ago than CONFIRMED_FOR: the release reads.
    with lock.held(ssm, "mine", heartbeat_every=60) as lease:
        lock.confirm(lease)
        assert lease.confirmed is not None
        lease.confirmed -= lock.CONFIRMED_FOR + 1
        plant(ssm, name=name)
    assert parameter_names(ssm) == [name]


# -- racing takeovers ----------------------------------------------------------------------

RACERS = 8
ROUNDS = 6


def _race(url: str, name: str, racers: int) -> tuple[int, list[str]]:
    """``racers`` threads, each its own client, take the lock at once; winners hold on
    until every racer has tried. Returns (winners, losers' errors)."""
    clients = [
        boto3.session.Session().client(
            "ssm",
            region_name="us-east-1",
            endpoint_url=url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        for _ in range(racers)
    ]
    start = threading.Barrier(racers)
    tried = threading.Semaphore(0)
    everyone_tried = threading.Event()
    winners: list[int] = []
    errors: list[str] = []

    def racer(n: int) -> None:
        start.wait()
        try:
            with lock.held(clients[n], name, heartbeat_every=60):
                winners.append(n)
                tried.release()
                everyone_tried.wait(60)
        except lock.LockHeld as exc:
            errors.append(str(exc))
            tried.release()
        except Exception as exc:  # reported, and fails the test
            errors.append(f"unexpected: {exc!r}")
            tried.release()

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(racers)]
    for thread in threads:
        thread.start()
    for _ in range(racers):
        assert tried.acquire(timeout=120)
    everyone_tried.set()
    for thread in threads:
        thread.join(60)
    return len(winners), errors


@pytest.mark.parametrize("seed", range(ROUNDS))
def test_of_many_runs_taking_over_a_stale_lock_exactly_one_proceeds(
    proxied: FaultProxy, seed: int
) -> None:
    ssm = client(direct_env(proxied.upstream), "ssm")
    name = f"race-{seed}"
    plant(ssm, name=parameter_name(name), age=lock.STALE_AFTER * 2)
    # Latency and random slow requests shuffle the racers' calls differently each round.
    proxied.configure(
        latency_ms=5, faults={"rate": 0.5, "kinds": ["slow"], "seed": seed, "slow_ms": 40}
    )
    winners, errors = _race(proxied.url, name, RACERS)
    assert winners == 1, (winners, errors)
    assert len(errors) == RACERS - 1 and all("another run" in e for e in errors), errors
    assert parameter_names(ssm) == []  # released; no claim left behind


def test_a_fresh_lock_raced_by_many_also_has_one_winner(proxied: FaultProxy) -> None:
    ssm = client(direct_env(proxied.upstream), "ssm")
    proxied.configure(latency_ms=5)
    winners, errors = _race(proxied.url, "fresh", RACERS)
    assert winners == 1, (winners, errors)
    assert parameter_names(ssm) == []


def test_a_claim_left_by_a_run_that_died_mid_takeover_is_passed_over(aws: Any, ssm: Any) -> None:
    stale = plant(ssm, age=lock.STALE_AFTER * 2)
    # The dead run had claimed the takeover of exactly this stale value, long ago.
    old = (datetime.now(UTC) - lock.STALE_AFTER * 2).isoformat(timespec="seconds")
    ssm.put_parameter(
        Name=lock.claim_name(LOCK, stale, 0),
        Value=json.dumps({"token": "e" * 32, "heartbeat": old}),
        Type="String",
    )
    report = target_json(setup(aws.url, *JSON, *ONE_WINDOW))
    assert report["summary"]["create"] == 5
    assert parameter_names(ssm) == []
