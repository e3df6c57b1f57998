"""botocore's SSM service model, read from botocore's data without importing botocore.

Importing botocore costs more than the whole of a command that makes no AWS call
(``export``, ``policy``, ``--help``: about 0.1 s against 0.05 s for click), and
those commands only need the model's shapes. So the model is read the way
botocore's loader reads it with only its bundled data path (``Loader(
extra_search_paths=[BUILTIN_DATA_PATH], include_default_search_paths=False)``):
the newest API version directory that holds the file, ``.json`` before
``.json.gz``, in the botocore package found by ``importlib.util.find_spec``
(which locates the package without running it). ``Shape`` shows a shape as
``botocore.model.Shape`` does, as far as the baseline checks look: its type, its
metadata (min, max, pattern, enum, required), and its members (structures),
member (lists), key and value (maps). tests/unit/test_baseline_presets.py checks
both against botocore's own.
"""

from __future__ import annotations

import functools
import gc
import importlib.util
import os
import threading
from pathlib import Path
from typing import Any

#: botocore.model.Shape.METADATA_ATTRS: the keys of a shape that are its metadata.
METADATA_ATTRS = (
    "required",
    "min",
    "max",
    "pattern",
    "sensitive",
    "enum",
    "idempotencyToken",
    "error",
    "exception",
    "endpointdiscoveryid",
    "retryable",
    "document",
    "union",
    "contextParam",
    "clientContextParams",
    "requiresLength",
)


def builtin_data_path() -> Path:
    """botocore's bundled data directory (``botocore.loaders.Loader.BUILTIN_DATA_PATH``)."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("botocore is not installed")
    return Path(next(iter(spec.submodule_search_locations))).resolve() / "data"


def _load(path: Path) -> dict[str, Any] | None:
    for suffix in (".json", ".json.gz"):
        candidate = path.with_name(path.name + suffix)
        if candidate.is_file():
            loaded: dict[str, Any] = parsed(str(candidate))
            return loaded
    return None


_PARSED: dict[str, Any] = {}
_PARSING = threading.Lock()


def parsed(path: str) -> Any:
    """The JSON of the data file at ``path`` (``.json`` or ``.json.gz``), parsed once per
    run: the AWS commands' botocore loader (aws/loader.py) reads its files here too, so
    the SSM model that validation reads is the one the SSM client is made from, parsed
    once. Plain dicts (botocore's own loader makes OrderedDicts, twice as slow), and no
    garbage collection while a file is parsed (its objects are all kept). Callers must
    not change what they get."""
    # Imported here: a command that reads no model (--help, export from the flags)
    # loads none of them.
    import gzip
    import json
    import logging

    path = os.path.realpath(path)
    with _PARSING:
        if path not in _PARSED:
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rb") as stream:
                payload = stream.read().decode("utf-8")
            # botocore's own line for a file it parses (tests/cli/test_service_models.py)
            logging.getLogger("botocore.loaders").debug("Loading JSON file: %s", path)
            collecting = gc.isenabled()
            gc.disable()
            try:
                _PARSED[path] = json.loads(payload)
            finally:
                if collecting:
                    gc.enable()
        return _PARSED[path]


@functools.cache
def service_model(service: str, type_name: str = "service-2") -> dict[str, Any]:
    """The JSON of ``service``'s newest API version, as botocore's loader returns it."""
    root = builtin_data_path() / service
    versions = sorted(
        (d.name for d in root.iterdir() if d.is_dir()) if root.is_dir() else (), reverse=True
    )
    for version in versions:
        loaded = _load(root / version / type_name)
        if loaded is not None:
            return loaded
    raise RuntimeError(f"botocore has no {type_name} data for {service} under {root}")


class Shape:
    """One shape of a model, resolved against the model's shape map."""

    def __init__(
        self, name: str, shapes: dict[str, Any], ref: dict[str, Any] | None = None
    ) -> None:
        self.name = name
        # A member's reference may carry traits of its own (idempotencyToken, ...): as in
        # botocore, they are the shape's for that member.
        traits = {k: v for k, v in (ref or {}).items() if k != "shape"}
        self._model: dict[str, Any] = {**shapes[name], **traits}
        self._shapes = shapes
        self.type_name: str = self._model["type"]
        self.metadata: dict[str, Any] = {
            key: self._model[key] for key in METADATA_ATTRS if key in self._model
        }

    def _ref(self, key: str) -> Shape:
        ref = self._model[key]
        return Shape(ref["shape"], self._shapes, ref)

    @property
    def enum(self) -> list[str]:
        return list(self.metadata.get("enum", []))

    @property
    def required_members(self) -> list[str]:
        return list(self.metadata.get("required", []))

    @functools.cached_property
    def members(self) -> dict[str, Shape]:
        found = self._model.get("members", {})
        return {key: Shape(ref["shape"], self._shapes, ref) for key, ref in found.items()}

    @property
    def member(self) -> Shape:
        return self._ref("member")

    @property
    def key(self) -> Shape:
        return self._ref("key")

    @property
    def value(self) -> Shape:
        return self._ref("value")
