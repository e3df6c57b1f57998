"""The desired setup a command describes: from the model options, or from --config.

``desired_setup`` builds it from the replaced tool's flags (-w/-d/-t, and the
baseline ``seed.baseline_rules`` chooses); ``config_setup`` reads
the config file and lays the flags the user gave over it. No AWS call. The config
reader is imported only when a config is read: the flags need only the model.
"""

from __future__ import annotations

from typing import Any

from patchsetup.baselines.messages import BaselineError
from patchsetup.errors import BadInput
from patchsetup.model import ModelError, Setup
from patchsetup.seed import FlagOptions, baseline_rules, build_setup


def desired_setup(values: dict[str, Any], name: str, warnings: list[str] | None = None) -> Setup:
    """Build and validate the desired state from the options (no AWS call)."""
    try:
        rules = baseline_rules(values["baseline_file"], values["operating_system"], warnings)
        options = FlagOptions(
            weeks=values["weeks"],
            days=values["days"],
            hours=values["hours"],
            timezone=values["timezone"],
            duration=values["duration"],
            cutoff=values["cutoff"],
            name=name,
            max_concurrency=values["max_concurrency"],
            max_errors=values["max_errors"],
            operation=values["operation"],
            create_service_role=values["create_service_role"],
        )
        setup = build_setup(options, rules)
        setup.validate()
    except (BaselineError, ModelError) as exc:
        option = "-b/--baseline-file" if isinstance(exc, BaselineError) else "options"
        raise BadInput(f"{option}: {exc}") from None
    return setup


#: Flags that describe windows and baselines: the config file does that instead.
_MODEL_FLAGS = {
    "weeks": "-w/--week",
    "days": "-d/--days",
    "hours": "-t/--hours",
    "baseline_file": "-b/--baseline-file",
    "operating_system": "--operating-system",
}


def config_setup(
    values: dict[str, Any], name: str, given: set[str], warnings: list[str] | None = None
) -> Setup:
    """The desired state from --config, with the flags the user gave laid over it."""
    clash = [flag for name, flag in _MODEL_FLAGS.items() if name in given]
    if clash:
        raise BadInput(
            f"--config: {', '.join(clash)} cannot be combined with a config file, which "
            "describes windows and baselines itself"
        )

    from patchsetup.config import load_config  # the config reader: only with --config
    from patchsetup.config.settings import Overrides
    from patchsetup.config.tables import ConfigError

    def flag(name: str, source: dict[str, Any] = values) -> Any:
        return source[name] if name in given else None

    overrides = Overrides(
        name=name if "name" in given else None,
        timezone=flag("timezone"),
        duration=flag("duration"),
        cutoff=flag("cutoff"),
        max_concurrency=flag("max_concurrency"),
        max_errors=flag("max_errors"),
        operation=flag("operation"),
        create_service_role=values["create_service_role"],
    )
    try:
        return load_config(values["config"], overrides, warnings=warnings)
    except ConfigError as exc:
        raise BadInput(str(exc)) from None
