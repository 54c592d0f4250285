"""A webhook receiver on loopback for the tests: a real HTTP server in a thread that
verifies each request's signature the way docs/webhooks.md tells receivers to (written
here from the docs, not with the app's own signing code), answers 500 to the first
attempts it is told to fail, and keeps the events it accepted, by event id."""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def verify(secret: str, headers: Any, body: bytes, tolerance: int = 300) -> bool:
    timestamp = headers.get("Clientela-Timestamp", "")
    given = headers.get("Clientela-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given, "v1=" + expected)


@dataclass
class Receiver:
    secret: str
    fail_first: int = 0  # answer 500 to this many requests first
    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    accepted: Counter[str] = field(default_factory=Counter)
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: Any, body: bytes) -> int:
        with self.lock:
            good = verify(self.secret, headers, body)
            document = json.loads(body)
            self.requests.append({"id": document["id"], "type": document["type"], "good": good,
                                  "event_id": headers.get("Clientela-Event-Id"),
                                  "delivery_id": headers.get("Clientela-Delivery-Id"), "data": document["data"],
                                  "host": headers.get("Host")})
            if not good:
                self.bad_signatures += 1
                return 401
            if self.fail_first > 0:
                self.fail_first -= 1
                return 500
            self.accepted[document["id"]] += 1
            return 200


@contextmanager
def receiver(secret: str, *, fail_first: int = 0, tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    """The receiver on loopback; with ``tls`` (a server context) it answers https."""
    state = Receiver(secret=secret, fail_first=fail_first)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = state.handle(self.headers, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
