"""A fake federal receiver: a real HTTP server on loopback, in a thread, told what to do with
each request in turn, remembering what it got and accepting each Idempotency-Key once."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# What to do with the next request: an HTTP status (a 2xx stores the delta first), "slow"
# (store, then answer after the client gave up), "lost" (answer late without storing),
# "hold" (store, then never answer until released).
Step = int | str


@dataclass
class Got:
    key: str
    sha256: str
    declared: str
    body: bytes


@dataclass
class Receiver:
    script: list[Step] = field(default_factory=list)
    slow_seconds: float = 1.5
    received: list[Got] = field(default_factory=list)
    accepted: dict[str, Got] = field(default_factory=dict)
    held: threading.Event = field(default_factory=threading.Event)  # a request is on hold
    release: threading.Event = field(default_factory=threading.Event)

    def start(self) -> str:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                got = Got(self.headers.get("Idempotency-Key", ""),
                          hashlib.sha256(data).hexdigest(),
                          self.headers.get("X-Export-Sha256", ""), data)
                receiver.received.append(got)
                step = receiver.script.pop(0) if receiver.script else 200
                if step == "lost":
                    time.sleep(receiver.slow_seconds)
                    return self._answer(200)
                if step in ("slow", "hold") or (isinstance(step, int) and step < 300):
                    receiver.accepted.setdefault(got.key, got)  # idempotent by key
                if step == "slow":
                    time.sleep(receiver.slow_seconds)
                elif step == "hold":
                    receiver.held.set()
                    receiver.release.wait(30)
                    return None
                self._answer(step if isinstance(step, int) else 200)
                return None

            def _answer(self, status: int) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:
                    pass  # the client hung up (a time-out)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/deltas"

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def keys(self) -> list[str]:
        return [got.key for got in self.received]
