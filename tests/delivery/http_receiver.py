"""A real HTTP endpoint for the webhook and Slack tests: a threaded `http.server` on a free
loopback port that records every post and answers what the test scripted for its path."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    received: list[Received] = field(default_factory=list)
    answers: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    """Per path, the answers to give in turn; the last one is repeated. Default: 200 ok."""
    _server: ThreadingHTTPServer | None = None

    def url(self, path: str) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def script(self, path: str, *answers: tuple[int, str]) -> str:
        self.answers[path] = list(answers)
        return self.url(path)

    def posts(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the name http.server calls
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                queue = receiver.answers.get(self.path) or [(200, "ok")]
                status, text = queue.pop(0) if len(queue) > 1 else queue[0]
                payload = text.encode()
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.url("/elsewhere"))
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
