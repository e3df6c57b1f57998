"""The commented sample config (``config/sample.toml``), as ``init`` writes it.

Read as a file beside this module, without importing the config reader: ``init``
needs the text only. ``patchsetup.config`` re-exports these for its readers.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
#: The sample's first line: taplo's (Even Better TOML's) schema directive, relative to the
#: sample in the package; ``init`` names the installed file instead (sample_for_init).
SCHEMA_DIRECTIVE = "#:schema "


def sample_config() -> str:
    """Return the text of the commented sample config (``ssm-patching-setup init``)."""
    return (_PACKAGE / "config" / "sample.toml").read_text(encoding="utf-8")


def sample_for_init() -> str:
    """The sample as ``init`` writes it: its ``#:schema`` line names the installed schema
    (``patchsetup/schemas/config.schema.json``) as a file URI, so an editor with TOML schema
    support completes and checks keys wherever the new file is."""
    first, _, rest = sample_config().partition("\n")
    assert first.startswith(SCHEMA_DIRECTIVE)
    schema = _PACKAGE / "schemas" / "config.schema.json"
    return f"{SCHEMA_DIRECTIVE}{schema.as_uri()}\n{rest}"
