"""The account's Systems Manager quotas as Service Quotas reports them (a read).

The default numbers and the check against a plan are in ``patchsetup.quotas``;
this module only asks the account.
"""

from __future__ import annotations

import logging
from typing import Any

from patchsetup.aws.errors import aws_exceptions
from patchsetup.quotas import Quotas

log = logging.getLogger(__name__)


#: Quota names as Service Quotas lists them for "ssm" contain these words; names
#: that also mention a narrower scope (per window, per task) are other quotas.
_QUOTA_WORDS = {"windows": "maintenance window", "baselines": "patch baseline"}
_NARROWER = ("task", "target", "execution", "concurrent", "per maintenance", "group", "per patch")


def quota_limits(quotas_client: Any) -> Quotas:
    """The account's quotas from Service Quotas; AWS's documented defaults where it
    does not answer (no permission, not available, or no matching quota)."""
    found: dict[str, int] = {}
    try:
        paginator = quotas_client.get_paginator("list_service_quotas")
        for page in paginator.paginate(ServiceCode="ssm"):
            for quota in page.get("Quotas", []):
                name = str(quota.get("QuotaName", "")).lower()
                for key, words in _QUOTA_WORDS.items():
                    if words in name and not any(n in name for n in _NARROWER):
                        found[key] = int(quota["Value"])
    except aws_exceptions() as exc:
        log.debug("Service Quotas did not answer (%s): using documented defaults", exc)
        return Quotas()
    if not found:
        return Quotas()
    defaults = Quotas()
    return Quotas(
        windows=found.get("windows", defaults.windows),
        baselines=found.get("baselines", defaults.baselines),
        source="Service Quotas",
    )
