"""Logical IDs of a setup's resources in an exported template.

Logical IDs are derived from names, so they stay the same from one export to
the next (a changed logical ID would make CloudFormation replace the resource):
``Baseline<Name>``, ``Window<Name>``, ``Target<Name>``, ``Task<Name>`` and
``ServiceRole``, where ``<Name>`` is the name's letters and digits with each
part capitalised (``patch_test-0600`` -> ``PatchTest0600``). When two
resources end up with the same ID (``rhel-test`` and ``rhel_test``, or targets
of the same name in two windows), each of them gets a suffix of 8 hex digits
hashed from its kind and full name (``window/target``): the IDs do not depend
on the order of the config.
"""

from __future__ import annotations

import re
from collections import Counter

from patchsetup.model import Setup

_HASH_LEN = 8
_PART_RE = re.compile(r"[A-Za-z0-9]+")


class ExportError(ValueError):
    """A Setup that a CloudFormation template cannot describe (one line)."""


def logical_name(name: str) -> str:
    """Letters and digits of a name, runs capitalised: ``patch_test-0600`` -> ``PatchTest0600``."""
    return "".join(part[0].upper() + part[1:] for part in _PART_RE.findall(name))


class LogicalIds:
    """Logical IDs of a setup's resources: from names, hashed where two would be the same."""

    def __init__(self, setup: Setup) -> None:
        # (kind, full name) -> plain ID; full names are unique per kind (Setup.validate).
        # The role is always "ServiceRole": no other ID starts with it.
        wanted: dict[tuple[str, str], str] = {}
        for baseline in setup.baselines:
            wanted["baseline", baseline.name] = "Baseline" + logical_name(baseline.name)
        for window in setup.windows:
            wanted["window", window.name] = "Window" + logical_name(window.name)
            for target in window.targets:
                key = ("target", f"{window.name}/{target.name}")
                wanted[key] = "Target" + logical_name(target.name)
            for task in window.tasks:
                wanted["task", f"{window.name}/{task.name}"] = "Task" + logical_name(task.name)
        counts = Counter(wanted.values())
        self._ids = {
            key: plain if counts[plain] == 1 else plain + _short_hash(f"{key[0]}:{key[1]}")
            for key, plain in wanted.items()
        }
        if len(set(self._ids.values())) != len(self._ids):
            clash = [i for i, n in Counter(self._ids.values()).items() if n > 1]
            raise ExportError(f"logical IDs collide even with a hash suffix: {', '.join(clash)}")

    role = "ServiceRole"

    def baseline(self, name: str) -> str:
        return self._ids["baseline", name]

    def window(self, name: str) -> str:
        return self._ids["window", name]

    def target(self, window: str, name: str) -> str:
        return self._ids["target", f"{window}/{name}"]

    def task(self, window: str, name: str) -> str:
        return self._ids["task", f"{window}/{name}"]


def _short_hash(text: str) -> str:
    import hashlib  # only where two IDs clash: OpenSSL's module costs a command's start-up

    return hashlib.sha256(text.encode()).hexdigest()[:_HASH_LEN]
