"""One command over accounts x regions: the targets side by side, each with its report.

``for_each_target`` runs a ``runner.Request`` in every target the options chose
(one alone, as before; several concurrently, with one summary line each), and
orders the regions of an account so that its service role is made once and
deleted once. status's read-only fan-out is statuses.py, calendar's deployed.py.
"""

from __future__ import annotations

import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import botocore.session
import click

from patchsetup import document, logtarget, progress, signals
from patchsetup.aws.accounts import (
    AccountRegion,
    Clients,
    account_regions,
    clients_for,
    org_account_regions,
    role_arns,
)
from patchsetup.aws.errors import aws_errors
from patchsetup.aws.gate import Gate
from patchsetup.aws.organization import org_scope
from patchsetup.aws.redact import redact
from patchsetup.aws.session import make_session
from patchsetup.deploy.plan import Plan
from patchsetup.deploy.remote import RemoteState
from patchsetup.errors import EXIT_CHANGES, EXIT_FAILURE, EXIT_PARTIAL, Stopped
from patchsetup.model import role_regions
from patchsetup.report import Report, render_targets, summary
from patchsetup.runner.protocol import Attempt, echo, emit, quiet, run
from patchsetup.runner.request import Common, PlanFn, Request

log = logging.getLogger("patchsetup")


def for_each_target(request: Request) -> None:
    """Run in one target as before, or in several concurrently with a summary.

    With ``role_first``, the first region of each account runs before the others.
    With ``role_last``, the last region of each account that finds the service role
    still tagged for the account's other regions of this run waits for them and
    reads again: it then sees only its own tag and deletes the role, once.
    Accounts, not role ARNs: two ARNs may lead into one account.
    """
    common, plan_for = request.common, request.plan_for
    session = make_session(common.profile)
    chosen = targets(session, common)

    def report_for(target: AccountRegion) -> Report:
        return Report(
            request.what,
            request.setup_name,
            target.region,
            common.dry_run,
            [],
            request.windows,
            account=target.account,
            warnings=list(request.warnings),
        )

    # The live progress line on stderr (a terminal, text output only): progress.py.
    live = progress.for_stream(sys.stderr, len(chosen), common.output, request.what)
    if len(chosen) == 1:

        def show(report: Report, common: Common) -> None:
            live.pause()  # the report (or the question after it) stands alone
            emit(report, common)

        report = report_for(chosen[0])
        # Its exit code is the command's: the entry point ends the document.
        document.record_run(request.setup_name, request.warnings, [(report, None)])
        with progress.shown(live), logtarget.in_target(chosen[0].label):
            with aws_errors():
                clients = clients_for(session, chosen[0], common.endpoint_url)
            gate = Gate(common.concurrency)
            plan_fn = plan_for(clients, gate)
            run(Attempt(request, clients, plan_fn, gate, report, show=show, progress=live))
        if common.detailed_exitcode and _changed(report):
            raise click.exceptions.Exit(EXIT_CHANGES)
        return

    first_of: dict[str | None, AccountRegion] = {}
    last_of: dict[str | None, AccountRegion] = {}
    for target in chosen:
        first_of.setdefault(target.account, target)  # None: the caller's own account
        last_of[target.account] = target
    finished = {target: threading.Event() for target in chosen}

    def plan_in(target: AccountRegion, clients: Clients, gate: Gate) -> PlanFn:
        plan_fn = plan_for(clients, gate)
        if not request.role_last or common.dry_run or last_of[target.account] is not target:
            return plan_fn
        siblings = [t for t in chosen if t.account == target.account and t is not target]
        return _after(plan_fn, [finished[t] for t in siblings], {t.region for t in siblings})

    def one(target: AccountRegion) -> tuple[AccountRegion, Report, int]:
        with logtarget.in_target(target.label):
            return in_one(target)

    def in_one(target: AccountRegion) -> tuple[AccountRegion, Report, int]:
        report = report_for(target)
        try:
            signals.check()  # a signal came: targets not started yet do not start
            # A session per thread: botocore sessions are not thread-safe, clients are.
            own = make_session(common.profile)
            with aws_errors():
                clients = clients_for(own, target, common.endpoint_url)
            gate = Gate(common.concurrency)
            plan_fn = plan_in(target, clients, gate)
            run(Attempt(request, clients, plan_fn, gate, report, quiet, ask=False, progress=live))
        except click.ClickException as exc:
            report.error = report.error or exc.format_message()
            return target, report, exc.exit_code
        except signals.Interrupted as exc:
            report.error = f"interrupted ({signals.name(exc.signum)}): nothing changed here"
            return target, report, signals.exit_code(exc.signum)
        except Exception as exc:  # one target's bug must not hide the others' results
            log.debug("internal error in %s", target.label, exc_info=True)
            report.error = f"internal error: {type(exc).__name__}: {redact(str(exc))}"
            return target, report, EXIT_FAILURE
        finally:
            finished[target].set()
            live.target_done()
        return target, report, 0

    waves = [chosen]
    if request.role_first:
        firsts = list(first_of.values())
        waves = [firsts, [t for t in chosen if t not in firsts]]
    lasts = set(last_of.values())
    done: dict[AccountRegion, tuple[AccountRegion, Report, int]] = {}
    # --concurrency bounds the targets too: --concurrency 1 is one call at a time.
    with (
        progress.shown(live),
        signals.graceful(),
        ThreadPoolExecutor(max_workers=min(len(chosen), common.concurrency)) as pool,
    ):
        for wave in waves:
            # The last region of each account goes in last: when it starts waiting for
            # its account's other regions, they have all started (the pool is FIFO).
            ordered = [t for t in wave if t not in lasts] + [t for t in wave if t in lasts]
            done.update((result[0], result) for result in pool.map(one, ordered))
    results = [done[t] for t in chosen]
    if common.output == "json":
        document.record_run(request.setup_name, request.warnings, [(r, c) for _, r, c in results])
    else:
        rows = [(t.label, r, code) for t, r, code in results]
        echo(render_targets(rows, common.verbose), common)
    codes = {code for _, _, code in results}
    signum = signals.received()
    if signum is not None:
        raise Stopped(
            f"interrupted ({signals.name(signum)}): each target's report says what was "
            "done; run again to finish",
            signals.exit_code(signum),
        )
    if codes == {0}:
        if common.detailed_exitcode and any(_changed(r) for _, r, _ in results):
            raise click.exceptions.Exit(EXIT_CHANGES)
        return
    raise click.exceptions.Exit(EXIT_PARTIAL if 0 in codes else max(codes))


def targets(session: botocore.session.Session, common: Common) -> list[AccountRegion]:
    """The accounts x regions of the run: --role-arn's, --org's, or the caller's own.
    --org's skipped accounts and warnings go to stderr, one line each, and into the
    JSON document."""
    scope = org_scope(
        common.org,
        common.ous,
        common.role_name,
        common.exclude_accounts,
        common.role_arns,
        common.role_arns_file,
    )
    if scope is None:
        roles = role_arns(common.role_arns, common.role_arns_file)
        return account_regions(session, common.regions, common.all_regions, roles)
    with aws_errors():
        chosen, found = org_account_regions(
            session, common.regions, common.all_regions, scope, common.endpoint_url
        )
    for line in found.lines():
        click.echo(f"warning: {line}", err=True)
    document.record_accounts(found.skipped, found.warnings)
    return chosen


def _changed(report: Report) -> bool:
    """The run made changes, or with --dry-run would make them (--detailed-exitcode)."""
    counts = summary(report.outcomes)
    return any(counts[action] for action in ("create", "update", "delete", "adopt"))


def _after(plan_fn: PlanFn, others: list[threading.Event], regions: set[str]) -> PlanFn:
    """``plan_fn``, but when a role it reads is tagged for ``regions`` (the account's other
    regions in this run), first wait until those are done (``others``), then read again."""

    def plan_after() -> tuple[Plan, RemoteState]:
        the_plan, state = plan_fn()
        held = any(role_regions(role.tags) & regions for role in state.roles)
        if held and not all(event.is_set() for event in others):
            for event in others:
                event.wait()
            the_plan, state = plan_fn()
        return the_plan, state

    return plan_after
