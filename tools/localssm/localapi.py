"""The stand-in's own seeding API (not an AWS API; like moto's ``/moto-api``).

``LocalApi`` is WSGI middleware in front of moto's server: ``POST {url}/local-api/<route>``
with a JSON object, answered with a JSON object (HTTP 200), or ``{"error": "..."}`` with
HTTP 400 for a bad request and 404 for an unknown route. Every other request goes on to
moto. The routes (each documented in tools/local_aws.py, gap 8):

* ``managed-nodes``: fleet.seed_managed_nodes;
* ``patch-states``: compliance.seed_patch_states;
* ``window-executions``: compliance.seed_window_executions.

Requests to it are never recorded and never faulted (tools/awsrequest.py counts it with
moto's own API).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from moto.ssm.exceptions import SSMException

from .compliance import seed_patch_states, seed_window_executions
from .fleet import SeedError, seed_managed_nodes
from .predefined import JSON
from .resources import LOCK

PREFIX = "/local-api/"

ROUTES: dict[str, Callable[[JSON], JSON]] = {
    "managed-nodes": seed_managed_nodes,
    "patch-states": seed_patch_states,
    "window-executions": seed_window_executions,
}

WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


class LocalApi:
    """Answers ``/local-api/...`` itself, passes everything else to ``app``."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if not path.startswith(PREFIX):
            return self.app(environ, start_response)
        status, body = self._answer(environ, path[len(PREFIX) :].strip("/"))
        data = json.dumps(body, default=str).encode()
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        )
        return [data]

    @staticmethod
    def _answer(environ: dict[str, Any], route: str) -> tuple[str, JSON]:
        handler = ROUTES.get(route)
        if handler is None:
            return "404 Not Found", {"error": f"no such route: {PREFIX}{route}"}
        if environ.get("REQUEST_METHOD") != "POST":
            return "405 Method Not Allowed", {"error": "use POST"}
        length = str(environ.get("CONTENT_LENGTH") or "0")
        raw = environ["wsgi.input"].read(int(length)) if length.isdigit() else b""
        try:
            payload = json.loads(raw or b"{}")
            if not isinstance(payload, dict):
                raise SeedError("the body must be a JSON object")
            with LOCK:
                return "200 OK", handler(payload)
        except (SeedError, SSMException, json.JSONDecodeError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            return "400 Bad Request", {"error": message}
