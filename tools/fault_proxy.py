"""An HTTP proxy in front of the local AWS endpoint that injects faults, for the tests.

Usage: ``python tools/fault_proxy.py --upstream http://127.0.0.1:PORT --port N
[--host 127.0.0.1] [--verbose]`` (``--port 0`` picks a free port). When it accepts
connections it prints exactly one line, ``fault_proxy listening on http://HOST:PORT``,
and serves until SIGTERM/SIGINT (exit status 0). Standard library only.

Every request is forwarded to the upstream (threaded, keep-alive on both sides),
unless a fault says otherwise. Each AWS request is classified by service and
operation: JSON protocol (SSM) by its ``X-Amz-Target`` header
(``AmazonSSM.CreateMaintenanceWindow``), query protocol (IAM, STS) by the ``Action``
of its form body or query string; the service is the one in the SigV4 credential
scope. An operation whose name starts with one of ``WRITE_PREFIXES`` is a write,
anything else a read. Requests to moto's ``/moto-api/`` are forwarded uncounted and
never faulted. A request whose body never fully arrives (its client was killed while
sending it) is dropped uncounted: like AWS, the proxy never acts on half a request.

Control API, on the proxy itself (never counted, never faulted; JSON in and out):

``GET /__proxy/stats``
    ``{"requests", "reads", "writes", "write_ops": ["ssm:CreatePatchBaseline", ...],
    "in_flight": <AWS requests being answered now>, "max_in_flight": <most at once>,
    "holding": <requests held now>, "held": [ops held now], "released": <held requests
    discarded so far>, "injected": {kind: count}, "responses": {"200": count, ...,
    "no response": count}, "config": {...}}``, counted since the last reset. Every
    attempt counts, so a request botocore retries counts again. An upstream that
    cannot be reached is answered with HTTP 502 (botocore retries it).
``POST /__proxy/config``
    Sets the keys given (the others stay): ``fail_write``, ``faults``, ``latency_ms``;
    ``null`` clears one. ``400`` with ``{"error": ...}`` for a bad value.

    * ``"fail_write": {"k": N, "how": "error" | "drop" | "hold"}``: the N-th write
      since the last reset (1-based) fails. ``error``: HTTP 400
      ``{"__type": "AccessDeniedException", "message": "injected by fault_proxy"}``,
      not forwarded (an XML ``ErrorResponse`` with Code ``AccessDenied`` for the query
      protocol). ``drop``: forwarded, so it takes effect, then the client connection
      is reset without a response (botocore retries the same request). ``hold``: not
      forwarded; the connection stays open until ``/__proxy/release``, then it is
      reset and the request discarded.
    * ``"faults": {"rate": 0.2, "kinds": ["throttle", "500", "slow", "reset"],
      "seed": 1, "slow_ms": 300}``: each AWS request independently, with
      probability ``rate``, gets one of ``kinds`` (drawn from ``random.Random(seed)``
      in arrival order, so a sequential client sees the same faults every time).
      ``throttle``: HTTP 400 ``ThrottlingException`` "Rate exceeded" (query protocol:
      an XML ``ErrorResponse`` with Code ``Throttling``, as IAM answers); ``500``:
      HTTP 500 ``InternalServerError`` (query protocol: ``InternalFailure``);
      ``slow``: wait ``slow_ms``, then forward; ``reset``: reset the connection
      without a response and without forwarding. Neither ``throttle`` nor ``500``
      is forwarded. ``fail_write`` wins over ``faults`` for its write.
    * ``"latency_ms": 20``: a fixed delay before every forwarded request.
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
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any

READY_PREFIX = "fault_proxy listening on "
CONTROL_PREFIX = "/__proxy/"
NO_RESPONSE = "no response"
PASSTHROUGH_PREFIX = "/moto-api/"

WRITE_PREFIXES = (
    "Create",
    "Update",
    "Delete",
    "Register",
    "Deregister",
    "Put",
    "Add",
    "Remove",
    "Attach",
    "Detach",
    "Tag",
    "Untag",
    "Send",
    "Start",
    "Cancel",
    "Modify",
)
HOW = ("error", "drop", "hold")
KINDS = ("throttle", "500", "slow", "reset")
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
_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/]+)/aws4_request")
UPSTREAM_TIMEOUT = 120.0


# -- classification -------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    service: str
    name: str
    json_protocol: bool

    @property
    def write(self) -> bool:
        return self.name.startswith(WRITE_PREFIXES)

    def __str__(self) -> str:
        return f"{self.service}:{self.name}"


def classify(path: str, headers: Any, body: bytes) -> Operation:
    """The AWS service and operation of a request (``?`` where it says none)."""
    scope = _SCOPE.search(headers.get("Authorization", "") or "")
    target = headers.get("X-Amz-Target")
    if target:
        prefix, _, name = target.rpartition(".")
        service = scope.group(1) if scope else prefix or "?"
        return Operation(service, name, json_protocol=True)
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    if "x-www-form-urlencoded" in (headers.get("Content-Type", "") or ""):
        params.update(urllib.parse.parse_qs(body.decode("utf-8", "replace")))
    action = params.get("Action", ["?"])[0]
    return Operation(scope.group(1) if scope else "?", action, json_protocol=False)


# -- configuration and counters --------------------------------------------------------


class ConfigError(ValueError):
    """A control request with a value the proxy cannot use."""


@dataclass(frozen=True)
class FailWrite:
    k: int
    how: str


@dataclass(frozen=True)
class Faults:
    rate: float
    kinds: tuple[str, ...]
    seed: int
    slow_ms: int


def _number(value: Any, what: str, low: float, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{what} must be a number, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"{low}-{high}" if high is not None else f">= {low}"
        raise ConfigError(f"{what} must be {bounds}, got {value!r}")
    return float(value)


def _keys(given: dict[str, Any], allowed: set[str], what: str) -> None:
    unknown = set(given) - allowed
    if unknown:
        raise ConfigError(f"{what}: unknown keys {sorted(unknown)} (known: {sorted(allowed)})")


def parse_fail_write(value: Any) -> FailWrite | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ConfigError("fail_write must be an object {k, how} or null")
    _keys(value, {"k", "how"}, "fail_write")
    k = value.get("k")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ConfigError(f"fail_write.k must be an integer >= 1, got {k!r}")
    how = value.get("how", "error")
    if how not in HOW:
        raise ConfigError(f"fail_write.how must be one of {list(HOW)}, got {how!r}")
    return FailWrite(k, str(how))


def parse_faults(value: Any) -> Faults | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ConfigError("faults must be an object {rate, kinds, seed, slow_ms} or null")
    _keys(value, {"rate", "kinds", "seed", "slow_ms"}, "faults")
    rate = _number(value.get("rate", 0.0), "faults.rate", 0.0, 1.0)
    kinds = value.get("kinds", list(KINDS))
    if (
        not isinstance(kinds, list)
        or not kinds
        or any(not isinstance(k, str) or k not in KINDS for k in kinds)
    ):
        raise ConfigError(f"faults.kinds must be a non-empty list of {list(KINDS)}, got {kinds!r}")
    seed = value.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"faults.seed must be an integer, got {seed!r}")
    slow_ms = int(_number(value.get("slow_ms", 300), "faults.slow_ms", 0))
    return Faults(rate, tuple(kinds), seed, slow_ms)


@dataclass
class Decision:
    """What to do with one AWS request."""

    fault: str | None = None  # error, drop, hold, throttle, 500, slow, reset
    hold: threading.Event | None = None


@dataclass
class State:
    """Config and counters, shared by all handler threads (guarded by ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    fail_write: FailWrite | None = None
    faults: Faults | None = None
    latency_ms: float = 0.0
    rng: random.Random = field(default_factory=random.Random)
    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    reads: int = 0
    writes: int = 0
    write_ops: list[str] = field(default_factory=list)
    injected: dict[str, int] = field(default_factory=dict)
    responses: dict[str, int] = field(default_factory=dict)
    held: dict[int, tuple[str, threading.Event]] = field(default_factory=dict)
    released: int = 0
    _next_hold: int = 0

    def configure(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise ConfigError("the config must be a JSON object")
        _keys(body, {"fail_write", "faults", "latency_ms"}, "config")
        # Validate everything before changing anything.
        fail_write = parse_fail_write(body["fail_write"]) if "fail_write" in body else None
        faults = parse_faults(body["faults"]) if "faults" in body else None
        latency = _number(body["latency_ms"] or 0, "latency_ms", 0) if "latency_ms" in body else 0.0
        with self.lock:
            if "fail_write" in body:
                self.fail_write = fail_write
            if "faults" in body:
                self.faults = faults
                self.rng = random.Random(faults.seed if faults else 0)
            if "latency_ms" in body:
                self.latency_ms = latency

    def reset(self) -> None:
        with self.lock:
            self.fail_write = None
            self.faults = None
            self.latency_ms = 0.0
            self.rng = random.Random(0)
            self.requests = self.reads = self.writes = 0
            self.max_in_flight = self.in_flight  # those still in flight stay counted
            self.write_ops = []
            self.injected = {}
            self.responses = {}
            self._release_locked()
            self.released = 0

    def release(self) -> int:
        with self.lock:
            return self._release_locked()

    def _release_locked(self) -> int:
        count = len(self.held)
        for _, event in self.held.values():
            event.set()
        self.held.clear()
        self.released += count
        return count

    def decide(self, op: Operation) -> Decision:
        """Count the request and choose its fault (in arrival order, so deterministic).

        The request is in flight from here until ``settled``, which comes before its
        client can see an answer: a client that waits for one answer before sending
        its next request is never counted twice.
        """
        with self.lock:
            self.requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            decision = Decision()
            if self.faults is not None and self.rng.random() < self.faults.rate:
                decision.fault = self.rng.choice(self.faults.kinds)
            if op.write:
                self.writes += 1
                self.write_ops.append(str(op))
                if self.fail_write is not None and self.writes == self.fail_write.k:
                    decision.fault = self.fail_write.how
            else:
                self.reads += 1
            if decision.fault is not None:
                self.injected[decision.fault] = self.injected.get(decision.fault, 0) + 1
            if decision.fault == "hold":
                decision.hold = threading.Event()
                self._next_hold += 1
                self.held[self._next_hold] = (str(op), decision.hold)
            return decision

    def settled(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def answered(self, answer: str) -> None:
        with self.lock:
            self.responses[answer] = self.responses.get(answer, 0) + 1

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": self.requests,
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
                "reads": self.reads,
                "writes": self.writes,
                "write_ops": list(self.write_ops),
                "holding": len(self.held),
                "held": [op for op, _ in self.held.values()],
                "released": self.released,
                "injected": dict(self.injected),
                "responses": dict(self.responses),
                "config": {
                    "fail_write": vars(self.fail_write) if self.fail_write else None,
                    "faults": {**vars(self.faults), "kinds": list(self.faults.kinds)}
                    if self.faults
                    else None,
                    "latency_ms": self.latency_ms,
                },
            }


# -- error bodies ----------------------------------------------------------------------


def error_body(op: Operation, code: str, message: str) -> tuple[str, bytes]:
    """(content type, body) of an AWS error in the operation's protocol."""
    if op.json_protocol:
        return "application/x-amz-json-1.1", json.dumps(
            {"__type": code, "message": message}
        ).encode()
    xml = (
        '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>00000000-0000-0000-0000-fa017c0de000</RequestId></ErrorResponse>"
    )
    return "text/xml", xml.encode()


INJECTED_ERRORS = {
    # fault: (status, JSON-protocol code, query-protocol code, message)
    "error": (400, "AccessDeniedException", "AccessDenied", "injected by fault_proxy"),
    "throttle": (400, "ThrottlingException", "Throttling", "Rate exceeded"),
    "500": (500, "InternalServerError", "InternalFailure", "injected by fault_proxy"),
}


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
        if self.path.startswith(PASSTHROUGH_PREFIX):
            self._forward(body)
            return
        op = classify(self.path, self.headers, body)
        state = self.server.state
        decision = state.decide(op)
        self._in_flight = True
        try:
            self._decided(op, decision, body)
        finally:
            self._settle()

    def _settle(self) -> None:
        """This request no longer counts as in flight (once, before any answer)."""
        if self._in_flight:
            self._in_flight = False
            self.server.state.settled()

    def _decided(self, op: Operation, decision: Decision, body: bytes) -> None:
        state = self.server.state
        if self.server.verbose:
            sys.stderr.write(f"fault_proxy: {op} fault={decision.fault}\n")
        fault = decision.fault
        answer = NO_RESPONSE
        if fault in INJECTED_ERRORS:
            status, json_code, query_code, message = INJECTED_ERRORS[fault]
            ctype, payload = error_body(op, json_code if op.json_protocol else query_code, message)
            self._respond(status, payload, ctype)
            answer = str(status)
        elif fault == "reset":
            self._abort()
        elif fault == "hold":
            assert decision.hold is not None
            decision.hold.wait()
            self._abort()
        elif fault == "drop":
            self._forward(body, reply=False)
            self._abort()
        else:
            if fault == "slow" and state.faults is not None:
                time.sleep(state.faults.slow_ms / 1000)
            answer = self._forward(body)
        state.answered(answer)

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

    def _forward(self, body: bytes, reply: bool = True) -> str:
        """Forward the request; answer the client with the upstream's response if ``reply``.

        Returns the HTTP status the client got (as text), or NO_RESPONSE.
        """
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
                self._respond(502, error, ctype)
                return "502"
            return NO_RESPONSE
        if not reply:
            return NO_RESPONSE
        passed = [
            (k, v)
            for k, v in response.getheaders()
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-type"
        ]
        self._respond(
            response.status, payload, response.getheader("Content-Type", "") or "", passed
        )
        return str(response.status)

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
    args = parser.parse_args(argv)
    try:
        server = ProxyServer((args.host, args.port), args.upstream, args.verbose)
    except (OSError, ValueError) as exc:
        print(f"fault_proxy: {exc}", file=sys.stderr)
        return 2

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    thread = threading.Thread(
        target=lambda: server.serve_forever(poll_interval=0.1), name="fault_proxy", daemon=True
    )
    thread.start()
    port: int = server.server_address[1]
    print(f"{READY_PREFIX}http://{args.host}:{port}", flush=True)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        server.state.release()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
