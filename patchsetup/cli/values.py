"""Click callbacks that parse and check option values, and the replaced tool's list syntax.

Each callback turns what was typed into the value a command works with, calling
the one rule for the field where it lives (schedule's day and time-zone rules,
the AWS session's region and endpoint checks), and reports a bad value as a
click usage error. ``SeedCompatCommand`` accepts ``-w 1 2 -d 2 3``.

The region and endpoint checks are botocore's (``patchsetup.aws.session``), loaded
only when a region or an endpoint URL is given, and not while the shell completes a
word (click parses resiliently then, and uses no value): no other command loads the
AWS SDK. The schedule's rules are imported by the callbacks that use them, and not
used while completing either, so that ``--help`` and a TAB load only click and the
option declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from patchsetup.errors import BadInput
from patchsetup.fields import setup_name_problem

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


def check_setup_name(name: str) -> str:
    """--name, checked for every command: cleanup and status look resources up by it,
    and a name no setup can have finds nothing, silently."""
    problem = setup_name_problem(name)
    if problem is not None:
        raise BadInput(f"--name: {problem}")
    return name


def _split(values: Sequence[str]) -> list[str]:
    """``-w 1 -w 2,3`` -> ["1", "2", "3"]."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def int_list(
    low: int, high: int, what: str
) -> Callable[[click.Context, click.Parameter, Any], tuple[int, ...]]:
    def convert(
        ctx: click.Context, param: click.Parameter, values: Sequence[str]
    ) -> tuple[int, ...]:
        result: list[int] = []
        for value in _split(values):
            # isdigit() admits "²"; only ASCII digits are numbers here.
            if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
                raise click.BadParameter(f"{what} must be {low}-{high}, got {value!r}")
            result.append(int(value))
        if not result:
            raise click.BadParameter(f"give at least one {what}")
        return _unique(result)

    return convert


def _unique(values: Sequence[int]) -> tuple[int, ...]:
    """Values in first-seen order without repeats (``-w 1 -w 1`` means week 1 once)."""
    return tuple(dict.fromkeys(values))


def parse_days(
    ctx: click.Context, param: click.Parameter, values: Sequence[str]
) -> tuple[int, ...]:
    if ctx.resilient_parsing:  # the shell completes a word: no value is used
        return ()
    from patchsetup.schedule.compose import parse_day
    from patchsetup.schedule.errors import ScheduleError

    try:
        days = _unique([parse_day(v) for v in _split(values)])
    except ScheduleError as exc:
        raise click.BadParameter(str(exc)) from None
    if not days:
        raise click.BadParameter("give at least one day")
    if 0 in days and 7 in days:
        raise click.BadParameter("0 and 7 both mean Sunday: give one of them")
    return days


def parse_timezone(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None or ctx.resilient_parsing:  # completing: tzdata is not listed
        return value
    from patchsetup.schedule.errors import ScheduleError
    from patchsetup.schedule.zones import validate_timezone

    try:
        return validate_timezone(value)
    except ScheduleError as exc:
        raise click.BadParameter(str(exc)) from None


def parse_regions(
    ctx: click.Context, param: click.Parameter, values: Sequence[str]
) -> tuple[str, ...]:
    if any(not _split([v]) for v in values):
        raise click.BadParameter("empty: give a region, e.g. -r eu-west-1")
    if not values or ctx.resilient_parsing:
        return tuple(dict.fromkeys(_split(values)))
    from patchsetup.aws.session import check_region  # loads botocore: a region was given

    try:
        return tuple(dict.fromkeys(check_region(r) for r in _split(values)))
    except BadInput as exc:
        raise click.BadParameter(str(exc).removeprefix("--region: ")) from None


def complete_regions(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """-r's TAB: the regions the check takes (botocore's, loaded only for this), after
    the ones already typed in a comma list (``-r us-east-1,eu-w`` -> ``...,eu-west-1``)."""
    from click.shell_completion import CompletionItem

    from patchsetup.aws.session import known_regions  # loads botocore

    typed, comma, last = incomplete.rpartition(",")
    before = typed + comma
    return [
        CompletionItem(before + region)
        for region in sorted(known_regions())
        if region.startswith(last) and region not in typed.split(",")
    ]


def parse_endpoint_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None or ctx.resilient_parsing:
        return value
    from patchsetup.aws.session import check_endpoint_url  # loads botocore: a URL was given

    try:
        return check_endpoint_url(value)
    except BadInput as exc:
        problem = str(exc).split(": ", 1)[1]
        if ctx.get_parameter_source(param.name or "") is click.core.ParameterSource.ENVIRONMENT:
            problem += " (from AWS_ENDPOINT_URL)"
        raise click.BadParameter(problem) from None


class SeedCompatCommand(click.Command):
    """Accepts the replaced tool's space-separated lists: ``-w 1 2 -d 2 3``.

    The command takes no positional arguments, so bare values after a list
    option can only belong to it; they are joined into one comma list.
    """

    list_options = frozenset({"-w", "--week", "-d", "--days", "-t", "--hours"})

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, join_list_values(args, self.list_options))


def join_list_values(args: Sequence[str], list_options: frozenset[str]) -> list[str]:
    """``-w 1 2 -d 3`` -> ``-w 1,2 -d 3``; a value starting with "-" is never taken."""
    joined: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        joined.append(arg)
        index += 1
        if arg == "--":
            joined.extend(args[index:])
            break
        if arg not in list_options:
            continue
        values: list[str] = []
        while index < len(args) and not args[index].startswith("-"):
            values.append(args[index])
            index += 1
        if values:
            joined.append(",".join(values))
    return joined
