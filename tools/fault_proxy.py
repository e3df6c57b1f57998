"""An HTTP proxy in front of the local AWS endpoint that injects faults, for the tests.

Usage: ``python tools/fault_proxy.py --upstream http://127.0.0.1:PORT --port N
[--host 127.0.0.1] [--verbose] [--throttle default=5/10,Op=2/5]`` (``--port 0`` picks a
free port; ``--verbose`` logs ``fault_proxy: ssm:Op fault=None at=ACCOUNT/REGION`` per
request; ``--throttle``: rate/burst token buckets, tools/throttle.py). When it accepts
connections it prints exactly one line, ``fault_proxy listening on http://HOST:PORT``,
and serves until SIGTERM/SIGINT (exit status 0). Standard library only.

Every request is forwarded to the upstream (threaded, keep-alive on both sides),
unless a fault says otherwise. Each AWS request is classified by service and
operation: JSON protocol (SSM) by its ``X-Amz-Target`` header
(``AmazonSSM.CreateMaintenanceWindow``), query protocol (IAM, STS) by the ``Action``
of its form body or query string; the service is the one in the SigV4 credential
scope (tools/awsrequest.py, shared with the recorder of tools/local_aws.py). An
operation whose name starts with one of ``faults.WRITE_PREFIXES`` is a write,
anything else a read (tools/faults.py). Requests to moto's ``/moto-api/`` and to the
stand-in's seeding API ``/local-api/`` are forwarded uncounted and never faulted. A
request whose body never fully arrives (its client was killed while sending it) is
dropped uncounted: like AWS, the proxy never acts on half a request.

Control API, on the proxy itself (never counted, never faulted; JSON in and out):

``GET /__proxy/stats``
    ``{"requests", "reads", "writes", "write_ops": ["ssm:CreatePatchBaseline", ...],
    "in_flight": <AWS requests being answered now>, "max_in_flight": <most at once>,
    "holding": <requests held now>, "held": [ops held now], "released": <held requests
    discarded so far>, "injected": {kind: count}, "responses": {"200": count, ...,
    "no response": count}, "throttled": {op: count}, "throttled_targets": {"account/region":
    count}, "chain": <requests in a row>, "rounds": [[ops of round 1], ...], "region_chain":
    {region: <in a row among its own>}, "config": {...}}``, since the last reset. Every attempt
    counts (a retry again). An upstream that cannot be reached is answered with HTTP 502.
``POST /__proxy/config``
    Sets the keys given (the others stay): ``fail_write``, ``faults``, ``latency_ms``,
    ``throttle``; ``null`` clears one. ``400`` with ``{"error": ...}`` for a bad value.

    The keys and what each fault does: tools/faults.py.
``POST /__proxy/reset``
    Zeroes the stats, clears the whole config and releases held requests.
``POST /__proxy/release``
    Releases every held request (the connection is reset; the request is never
    forwarded): ``{"released": n}``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import struct
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_TOOLS_DIR = str(Path(__file__).resolve().parent)
if _TOOLS_DIR not in sys.path:  # run as ``python -m tools.fault_proxy``
    sys.path.insert(0, _TOOLS_DIR)

from awsrequest import is_moto_api  # noqa: E402
from faults import (  # noqa: E402
    INJECTED_ERRORS,
    ConfigError,
    Decision,
    Operation,
    State,
    classify,
    error_body,
)
from serving import serve_until_signal  # noqa: E402
from throttle import parse_limits  # noqa: E402

READY_PREFIX = "fault_proxy listening on "
CONTROL_PREFIX = "/__proxy/"
NO_RESPONSE = "no response"

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)
UPSTREAM_TIMEOUT = 120.0


# -- the server ------------------------------------------------------------------------


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # clients open many connections at once (--concurrency)

    def __init__(self, address: tuple[str, int], upstream: str, verbose: bool) -> None:
        parts = urllib.parse.urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"--upstream must be http://HOST:PORT, got {upstream!r}")
        super().__init__(address, ProxyHandler)
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.verbose = verbose
        self.state = State()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away (killed, or a pooled connection closed) is normal here.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ProxyServer
    _upstream: http.client.HTTPConnection | None = None
    _in_flight: bool = False
    _decided_as: tuple[Decision, str] | None = None

    # One method for every verb: AWS's JSON and query protocols both POST.
    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            if self._upstream is not None:
                self._upstream.close()
                self._upstream = None

    # -- dispatch

    def _handle(self) -> None:
        body = self._read_body()
        if body is None:
            return
        if self.path.startswith(CONTROL_PREFIX):
            self._control(body)
            return
        if is_moto_api(self.path):  # the endpoint's own controls: forwarded, not counted
            self._forward(body, counted=False)
            return
        op = classify(self.path, self.headers, body)
        state = self.server.state
        decision = state.decide(op)
        self._in_flight, self._decided_as = True, (decision, op.region)
        try:
            self._decided(op, decision, body)
        finally:
            self._settle()

    def _settle(self) -> None:
        """This request no longer counts as in flight (once, before any answer)."""
        if self._in_flight:
            self._in_flight = False
            self.server.state.settled(*(self._decided_as or (None, "")))

    def _decided(self, op: Operation, decision: Decision, body: bytes) -> None:
        state = self.server.state
        if self.server.verbose:
            sys.stderr.write(f"fault_proxy: {op} fault={decision.fault} at={decision.where}\n")
        # Each answer is counted before the client can read it (_forward counts its own).
        fault = decision.fault
        if fault in INJECTED_ERRORS:
            status, json_code, query_code, message = INJECTED_ERRORS[fault]
            ctype, payload = error_body(op, json_code if op.json_protocol else query_code, message)
            state.answered(str(status))
            self._respond(status, payload, ctype)
        elif fault in ("reset", "hold", "drop"):
            if fault == "hold":
                assert decision.hold is not None
                decision.hold.wait()
            elif fault == "drop":
                self._forward(body, reply=False)
            state.answered(NO_RESPONSE)
            self._abort()
        else:
            if fault == "slow" and state.faults is not None:
                time.sleep(state.faults.slow_ms / 1000)
            self._forward(body, op=op)

    def _read_body(self) -> bytes | None:
        """The request body; None when the client did not send all of it."""
        if "chunked" in (self.headers.get("Transfer-Encoding", "") or "").lower():
            chunks: list[bytes] = []
            while True:
                size_line = self.rfile.readline(65537)
                if not size_line:
                    self.close_connection = True
                    return None
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunk = self.rfile.read(size)
                if len(chunk) < size:
                    self.close_connection = True
                    return None
                chunks.append(chunk)
                self.rfile.readline(65537)
        length = int(self.headers.get("Content-Length", "0") or "0")
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            # The client went away half way through its request (killed): like AWS,
            # never act on the part that arrived.
            self.close_connection = True
            return None
        return body

    # -- answers

    def _respond(
        self,
        status: int,
        payload: bytes,
        content_type: str,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        self._settle()
        self.log_request(status)
        lines = [f"{self.protocol_version} {status} {self.responses.get(status, ('',))[0]}"]
        lines += [f"{name}: {value}" for name, value in headers or []]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(payload)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        # One write: headers and body in separate segments would wait for a delayed ACK.
        self.wfile.write(head if self.command == "HEAD" else head + payload)

    def _abort(self) -> None:
        """Reset the client connection: no response at all."""
        self._settle()
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _control(self, body: bytes) -> None:
        state = self.server.state
        name = self.path[len(CONTROL_PREFIX) :].split("?", 1)[0]
        try:
            if name == "stats" and self.command == "GET":
                answer: dict[str, Any] = state.stats()
            elif name == "config" and self.command == "POST":
                try:
                    parsed = json.loads(body or b"{}")
                except ValueError as exc:
                    raise ConfigError(f"config is not JSON: {exc}") from None
                state.configure(parsed)
                answer = state.stats()["config"]
            elif name == "reset" and self.command == "POST":
                state.reset()
                answer = {"reset": True}
            elif name == "release" and self.command == "POST":
                answer = {"released": state.release()}
            else:
                self._respond(
                    404,
                    json.dumps({"error": f"no {self.command} {self.path}"}).encode(),
                    "application/json",
                )
                return
        except ConfigError as exc:
            self._respond(400, json.dumps({"error": str(exc)}).encode(), "application/json")
            return
        self._respond(200, json.dumps(answer).encode(), "application/json")

    # -- forwarding

    def _forward(
        self, body: bytes, reply: bool = True, op: Operation | None = None, counted: bool = True
    ) -> None:
        """Forward the request; answer the client with the upstream's response if ``reply``,
        counted (``answered``, unless not ``counted``) before the client can read it."""
        latency = self.server.state.latency_ms
        if latency:
            time.sleep(latency / 1000)
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP]
        try:
            response, payload = self._exchange(headers, body)
        except OSError as exc:
            if reply:
                ctype, error = error_body(
                    Operation("?", "?", json_protocol=True),
                    "ServiceUnavailable",
                    f"fault_proxy: upstream unreachable: {exc}",
                )
                if counted:
                    self.server.state.answered("502")
                self._respond(502, error, ctype)
            return
        if not reply:
            return
        if op is not None and response.status == 200:
            self.server.state.forwarded(op, body, payload)
        passed = [
            (k, v)
            for k, v in response.getheaders()
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-type"
        ]
        if counted:
            self.server.state.answered(str(response.status))
        self._respond(
            response.status, payload, response.getheader("Content-Type", "") or "", passed
        )

    def _exchange(
        self, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """Send the request upstream on this connection's keep-alive connection."""
        for attempt in (1, 2):
            reused = self._upstream is not None
            if self._upstream is None:
                self._upstream = http.client.HTTPConnection(
                    self.server.upstream_host, self.server.upstream_port, timeout=UPSTREAM_TIMEOUT
                )
                self._upstream.connect()
                assert self._upstream.sock is not None
                self._upstream.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = self._upstream
            try:
                connection.putrequest(self.command, self.path, skip_host=True)
                for name, value in headers:
                    connection.putheader(name, value)
                connection.putheader("Content-Length", str(len(body)))
                connection.endheaders(body)
                response = connection.getresponse()
                payload = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                self._upstream = None
                # An idle keep-alive connection the upstream closed: once more, afresh.
                if reused and attempt == 1:
                    continue
                raise
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                self._upstream = None
                raise OSError(str(exc)) from exc
            if response.will_close:
                connection.close()
                self._upstream = None
            return response, payload
        raise AssertionError("unreachable")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--upstream", required=True, help="http://HOST:PORT to forward to")
    parser.add_argument("--port", type=int, required=True, help="port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--throttle", help="token buckets, e.g. default=5/10,Op=2/5 (rate/burst)")
    args = parser.parse_args(argv)
    try:
        server = ProxyServer((args.host, args.port), args.upstream, args.verbose)
        server.state.started_limits = parse_limits(args.throttle)
        server.state.reset()
    except (OSError, ValueError) as exc:
        print(f"fault_proxy: {exc}", file=sys.stderr)
        return 2

    port: int = server.server_address[1]
    serve_until_signal(
        server,
        "fault_proxy",
        f"{READY_PREFIX}http://{args.host}:{port}",
        before_shutdown=server.state.release,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
