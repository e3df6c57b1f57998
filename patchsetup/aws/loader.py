"""The run's one botocore loader: botocore's own, less what it costs before the first call.

botocore's ``Loader.load_service_model`` first lists every service it has data for
(``list_available_services``: some 900 directory listings and 1400 stats per kind of
file, once for service-2, once for the endpoint rules, once for the paginators, about
15 ms before the first request) only to check that the one it loads is among them. This
loader checks that one service's directory instead (the same test: a version directory
holding the file), and answers a service it has no such data for as botocore does (its
UnknownServiceError, with the list). Its files are parsed by
``patchsetup.baselines.service_model.parsed``, which the baseline validation reads the
SSM model through too: each file is parsed once per run, as plain dicts. Everything
else (search paths, ``~/.aws/models`` and AWS_DATA_PATH first, the newest version,
the extras) is botocore's (tests/unit/test_run_loader.py compares the two).
"""

from __future__ import annotations

import copy
import os
from typing import Any

import botocore.loaders
from botocore.exceptions import DataNotFoundError
from botocore.loaders import instance_cache

from patchsetup.baselines.service_model import parsed

#: botocore's suffixes of a data file, in its order (``_JSON_OPEN_METHODS``).
SUFFIXES = (".json", ".json.gz")


class FileLoader(botocore.loaders.JSONFileLoader):
    """botocore's JSON file loader, on the run's one parse of each file."""

    def load_file(self, file_path: str) -> Any:
        for suffix in SUFFIXES:
            if os.path.isfile(file_path + suffix):
                return parsed(file_path + suffix)
        return None


class RunLoader(botocore.loaders.Loader):
    """botocore's loader with the one-service check (see the module's docstring)."""

    FILE_LOADER_CLASS = FileLoader

    @classmethod
    def create(cls, search_path_string: str | None) -> RunLoader:
        """As ``botocore.loaders.create_loader`` makes botocore's (the session's
        ``data_path``, i.e. AWS_DATA_PATH, before the default paths)."""
        if search_path_string is None:
            return cls()
        paths = [
            os.path.expanduser(os.path.expandvars(p)) for p in search_path_string.split(os.pathsep)
        ]
        return cls(extra_search_paths=paths)

    @instance_cache
    def load_service_model(
        self, service_name: str, type_name: str, api_version: str | None = None
    ) -> Any:
        try:
            latest = self.determine_latest_version(service_name, type_name)
        except DataNotFoundError:
            # Not a service with that data: botocore's own answer (UnknownServiceError).
            return super().load_service_model(service_name, type_name, api_version)
        version = api_version if api_version is not None else latest
        model = self.load_data(os.path.join(service_name, version, type_name))
        extras = list(self._find_extras(service_name, type_name, version))  # type: ignore[attr-defined]
        if extras:  # they change the model: not the one shared with the validation
            model = copy.deepcopy(model)
            self._extras_processor.process(model, iter(extras))  # type: ignore[attr-defined]
        return model
