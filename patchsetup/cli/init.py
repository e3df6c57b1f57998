"""``init``: write the commented sample config. No AWS call, and no model: the sample is
a file of the package (``config/sample.toml``), read as text."""

from __future__ import annotations

from pathlib import Path

import click

from patchsetup.cli import options
from patchsetup.errors import AwsError, BadInput


@click.command("init", context_settings=options.CONTEXT)
@click.argument("path", default="patching.toml", metavar="[PATH]")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init_command(path: str, force: bool) -> None:
    """Write a commented sample config to PATH (default patching.toml; - for stdout).

    The sample is seed 004's model in small: Amazon Linux 2 and Windows, test
    and prod (prod approves 14 days later), Linux in batch 1 before Windows in
    batch 2, with every other setting shown commented out. Its first line
    (#:schema) names the config's JSON Schema, for editors that complete keys.
    Example: ssm-patching-setup init && ssm-patching-setup --config patching.toml --dry-run
    """
    from patchsetup.samples import sample_for_init

    text = sample_for_init()
    if path == "-":
        click.echo(text, nl=False)
        return
    target = Path(path)
    if target.exists() and not target.is_file():
        # A FIFO would block the write forever; a directory or device is no config.
        raise BadInput(f"{path} is not a regular file: give a file path to write the sample to")
    if target.exists() and not force:
        raise BadInput(f"{path} exists: pass --force to overwrite it")
    try:
        target.write_text(text)
    except OSError as exc:
        raise AwsError(f"cannot write {path}: {exc.strerror}") from None
    click.echo(f"wrote {path}: edit it, then run: ssm-patching-setup --config {path} --dry-run")
