"""The run protocol of one command in one target (an account x region).

Plan, show, get consent for adoptions and deletes, then lock, re-plan, check
quotas (pre-flight), execute, and release the lock: the one place that knows
this order. The fan-out of a command over accounts x regions, and what each
command reads and plans, are in runner_targets.py; the click layer (cli/)
parses the options into a ``Request`` and hands it over.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import NoReturn

import click

from patchsetup import colour, signals
from patchsetup.aws import lock
from patchsetup.aws.accounts import Clients
from patchsetup.aws.errors import aws_errors, describe_error
from patchsetup.aws.gate import Gate
from patchsetup.aws.service_quotas import quota_limits
from patchsetup.deploy import executor
from patchsetup.deploy.executor import Outcome
from patchsetup.deploy.plan import Plan
from patchsetup.errors import AwsError, Partial, Refused, Stopped
from patchsetup.progress import Progress
from patchsetup.quotas import plan_problems
from patchsetup.report import Report, other_setups, render_text
from patchsetup.runner.request import Common, PlanFn, Request

Show = Callable[[Report, Common], None]


def emit(report: Report, common: Common) -> None:
    """Print the report as text; JSON is one document at the end (patchsetup.document)."""
    if common.output != "json":
        echo(render_text(report, common.verbose), common)


def echo(text: str, common: Common) -> None:
    """A rendered report on stdout; a text one coloured on a terminal (colour.wanted)."""
    coloured = colour.wanted(sys.stdout, common.output, os.environ)
    click.echo(colour.paint(text) if coloured else text, color=coloured or None)


def quiet(report: Report, common: Common) -> None:
    """Several targets: reports are printed together at the end."""


@dataclass(frozen=True)
class Attempt:
    """The request in one target: its clients, gate, plan and report."""

    request: Request
    clients: Clients
    plan_fn: PlanFn
    gate: Gate
    report: Report
    #: How the report is shown; ``quiet`` when several targets print a summary.
    show: Show = emit
    #: Ask on the terminal before deleting; several targets refuse instead.
    ask: bool = True
    #: The live progress line the writes are counted on (draws nothing by default).
    progress: Progress = field(default_factory=lambda: Progress(None, 1))


def planned(plan: Plan) -> list[Outcome]:
    """Outcomes for a plan that is shown but not run."""
    return [Outcome(c, "planned" if c.writes else "unchanged", c.resource_id) for c in plan.changes]


def run(attempt: Attempt) -> None:
    """``_plan_and_apply``; a signal before the writes began still gets its report."""
    report, common = attempt.report, attempt.request.common
    try:
        _plan_and_apply(attempt)
    except signals.Interrupted as exc:
        report.outcomes = [
            replace(o, status="not-run") if o.status == "planned" else o for o in report.outcomes
        ]
        done = sum(o.status == "done" for o in report.outcomes)
        report.error = f"interrupted ({signals.name(exc.signum)}) " + (
            f"after the writes: {done} of {len(report.outcomes)} changes were made"
            if done
            else "before any write: nothing changed"
        )
        attempt.show(report, common)
        raise Stopped(report.error, signals.exit_code(exc.signum)) from None


def _plan_and_apply(attempt: Attempt) -> None:
    """Plan, show, get consent for adoptions and deletes, then lock, re-plan, check
    quotas, execute.

    The plan is made again under the lock: another run may have written between
    the first read and the lock, and acting on the old plan could duplicate.
    Service Quotas is asked while the re-read is on the wire, through the same gate.
    """
    clients, plan_fn, gate, report = attempt.clients, attempt.plan_fn, attempt.gate, attempt.report
    common, what, adopt = attempt.request.common, attempt.request.what, attempt.request.adopt
    show, ask = attempt.show, attempt.ask
    the_plan, state = plan_fn()
    report.outcomes = planned(the_plan)
    if not the_plan.changes:
        report.other_setups = other_setups(state)
    if common.dry_run or the_plan.is_empty:
        report.dry_run = common.dry_run
        if not common.dry_run:
            with aws_errors():
                lock.clear_stale(clients["ssm"], report.setup)
            report.outcomes = [replace(o, status="unchanged") for o in report.outcomes]
        show(report, common)
        return
    adopted = {(c.kind, c.resource_id) for c in the_plan.adoptions}
    if adopted and not adopt:
        _refuse(report, common, show, _adoption_refusal(the_plan))
    consented = _asked(the_plan)
    if consented and not common.yes:
        if not ask:
            _refuse(report, common, quiet, f"{what} would {_would(consented)}: pass --yes")
        _consent(consented, what, report, common, show)
    with aws_errors(), lock.held(clients["ssm"], report.setup) as lease:
        quotas = gate.background(lambda: gate.call(quota_limits, clients["service-quotas"]))
        the_plan, state = plan_fn()
        report.outcomes = planned(the_plan)
        new_deletes = _asked(the_plan) - consented
        if new_deletes and not common.yes:
            _refuse(
                report,
                common,
                show,
                f"{what}: the account changed while this run waited; it would now "
                f"{_would(new_deletes, ' more')}: run again to review them",
            )
        new_adoptions = {(c.kind, c.resource_id) for c in the_plan.adoptions} - adopted
        if new_adoptions and not adopt:
            _refuse(report, common, show, _adoption_refusal(the_plan))
        blocked = plan_problems(the_plan, state, quotas.result())
        if blocked:
            report.error = f"pre-flight: {blocked[0]}"
            if common.output == "json":
                show(report, common)
            raise AwsError(report.error)
        _execute(clients, the_plan, report, common, show, lease, attempt.progress)
    report.dry_run = False
    show(report, common)


def _refuse(report: Report, common: Common, show: Show, message: str) -> NoReturn:
    """Stop before any write: the report says what would have been done (exit 3)."""
    report.refused = True
    report.error = message
    show(report, common)
    raise Refused(message)


def _adoption_refusal(the_plan: Plan) -> str:
    """Name what the run would take over, and the two ways on."""
    kinds: dict[str, list[str]] = {}
    for change in the_plan.adoptions:
        kinds.setdefault(change.kind, []).append(change.label)
    listed = ", ".join(
        f"{len(names)} {kind.replace('-', ' ')}{'s' if len(names) != 1 else ''}"
        for kind, names in kinds.items()
    )
    windows = kinds.get("window") or kinds.get("patch-group") or []
    example = ", ".join(windows[:3]) + (", ..." if len(windows) > 3 else "")
    return (
        f"this setup would duplicate what it does not own: {listed} ({example}) already "
        "exist, made by another tool or by hand; pass --adopt to take them over in place "
        "(IDs kept), or remove them first with ssm-patching-cleanup --all-patching"
    )


def _execute(
    clients: Clients,
    the_plan: Plan,
    report: Report,
    common: Common,
    show: Show,
    lease: lock.Lease,
    progress: Progress,
) -> None:
    def stop() -> bool:
        return signals.STOP.is_set() or lease.lost.is_set()

    def wrote(outcome: Outcome) -> None:
        if outcome.status == "done":
            progress.wrote(len(outcome.change.calls))

    progress.add_writes(sum(len(c.calls) for c in the_plan.changes))

    try:
        # Writes in flight: a signal only asks the lanes to start nothing new.
        with signals.graceful():
            # Beside the last writes, the lock is read for its release: one round less.
            report.outcomes = executor.execute(
                clients,
                the_plan,
                on_outcome=wrote,
                concurrency=common.concurrency,
                stop=stop,
                tail=lambda: lock.confirm(lease),
            )
    except executor.ExecutionFailed as failed:
        report.outcomes = failed.outcomes
        done = sum(1 for o in failed.outcomes if o.status == "done")
        report.error = (
            f"{describe_error(failed.cause)}; {done} of {len(failed.outcomes)} "
            "changes were made before it; run again to finish"
        )
        _stopped_by_signal(report, common, show, done)
        show(report, common)
        raise (Partial if done else AwsError)(report.error) from None
    except executor.ExecutionStopped as stopped:
        report.outcomes = stopped.outcomes
        done = sum(1 for o in stopped.outcomes if o.status == "done")
        _stopped_by_signal(report, common, show, done)
        report.error = (
            f"another run took over this run's lock ({lock.parameter_name(report.setup)}): "
            f"stopped; {done} of {len(stopped.outcomes)} changes were made; run again to finish"
        )
        show(report, common)
        raise (Partial if done else AwsError)(report.error) from None
    _stopped_by_signal(report, common, show, sum(o.status == "done" for o in report.outcomes))


def _stopped_by_signal(report: Report, common: Common, show: Show, done: int) -> None:
    """After the writes: a signal that came during them ends the run with 128 + it."""
    signum = signals.received()
    if signum is None:
        return
    failed = f" ({report.error})" if report.error else ""
    report.error = (
        f"interrupted ({signals.name(signum)}): the calls in flight finished{failed}; "
        f"{done} of {len(report.outcomes)} changes were made, nothing else was started; "
        "run again to finish"
    )
    report.dry_run = False
    show(report, common)
    raise Stopped(report.error, signals.exit_code(signum))


Asked = set[tuple[str, str | None]]


def _asked(the_plan: Plan) -> Asked:
    """What needs --yes or a yes on the terminal: the deletes, the region's default
    baselines taken over from someone else, and the instances taken out of the patch
    group they are in (``assign``)."""
    asked = (*the_plan.deletes, *the_plan.takeovers, *the_plan.moves)
    return {(c.kind, c.resource_id) for c in asked}


def _would(asked: Asked, more: str = "", listed: bool = False) -> str:
    """``delete 3 resources``, ``move 2 instances out of their patch groups``, ``take over
    the region's default baseline for WINDOWS``, or several; ``listed``: ``delete the 3
    resources listed above``."""
    moves = sum(1 for kind, _ in asked if kind == "instance")
    taken = sorted(str(os_name) for kind, os_name in asked if kind == "default-baseline")
    deletes = len(asked) - moves - len(taken)
    the, above = ("the ", " listed above") if listed else ("", "")
    said = [f"delete {the}{deletes}{more} resources{above}"] if deletes else []
    if moves:
        nodes = "instance" if moves == 1 else "instances"
        out = "out of its patch group" if moves == 1 else "out of their patch groups"
        said.append(f"move {the}{moves}{more} {nodes}{above} {out}")
    if taken:
        mine = "" if listed else " (not this setup's)"
        said.append(f"take over the region's default baseline for {', '.join(taken)}{mine}")
    return " and ".join(said)


def _consent(asked: Asked, what: str, report: Report, common: Common, show: Show) -> None:
    if not sys.stdin.isatty():
        _refuse(
            report,
            common,
            show,
            f"{what} would {_would(asked)} and there is no terminal to ask on: "
            f"review with --dry-run, then pass --yes",
        )
    if common.output == "text":
        show(report, common)  # the plan to confirm
    if click.confirm(f"{what}: {_would(asked, listed=True)}?", default=False, err=True):
        return
    report.refused = True
    report.error = "nothing changed: not confirmed"
    if common.output == "json":
        show(report, common)
    raise Refused(report.error)


def release_locks() -> None:
    """Release every lock this process holds: a signal ended the run (or stopped it at once)."""
    lock.release_all()
