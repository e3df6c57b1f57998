"""Which AWS operation an HTTP request calls: one parser for the recorder and the proxy.

Used by the request recorder of tools/local_aws.py (``--record``) and by
tools/fault_proxy.py, so that both name a request the same way. Standard library only.

* ``service``: the signing name from the Authorization header's SigV4 credential scope
  (``Credential=AKID/DATE/REGION/SERVICE/aws4_request``), None without one; ``access_key``
  and ``region``: the scope's AKID and REGION ("" without one);
* ``operation``: the ``X-Amz-Target`` header's part after the dot (JSON protocol: SSM),
  else the ``Action`` parameter of the query string or of an
  ``application/x-www-form-urlencoded`` body (query protocol: IAM, STS), None without one.

Requests to moto's own API (``/moto-api``, ``/moto-api/reset``, ...) and to the stand-in's
seeding API (``/local-api/...``, tools/localssm/localapi.py) are no AWS requests:
``is_moto_api`` tells them apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
_MOTO_API = re.compile(r"/(?:moto|local)-api(?:[/?]|$)")
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class AwsRequest:
    """The AWS service and operation one request names (None where it names none)."""

    service: str | None
    operation: str | None
    json_protocol: bool  # named by X-Amz-Target; else by the query protocol's Action
    target_prefix: str  # X-Amz-Target's part before the dot ("AmazonSSM"); "" otherwise
    access_key: str = ""  # the credential scope's access key ID
    region: str = ""  # the credential scope's region


def is_moto_api(path: str) -> bool:
    """Whether ``path`` (with or without its query string) is moto's or the local API."""
    return _MOTO_API.match(path) is not None


def parse_request(
    *, authorization: str, target: str, query: str, content_type: str, body: bytes
) -> AwsRequest:
    """Name the request from its headers, query string and (form) body."""
    scope = _SCOPE.search(authorization)
    service = scope.group(3) if scope else None
    key, region = (scope.group(1), scope.group(2)) if scope else ("", "")
    prefix, _, name = target.rpartition(".")
    if name:
        return AwsRequest(service, name, True, prefix, key, region)
    params = parse_qs(query)
    if body and content_type.startswith(FORM):
        params.update(parse_qs(body.decode("utf-8", errors="replace")))
    action = params["Action"][0] if params.get("Action") else None
    return AwsRequest(service, action, False, "", key, region)
