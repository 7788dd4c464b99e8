"""Real HTTP receivers on 127.0.0.1 for webhook tests, and event helpers.

A ``Receiver`` is a threaded HTTP/1.1 server in the test process that records every
request and answers as its ``respond`` function says (status, headers, delay). It can be
stopped and started again on the same port, to play a subscriber that is down.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
from standardwebhooks import Webhook, WebhookVerificationError

from tt.common.events import Event, make_event


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic()
    status: int  # what we answered

    @property
    def json(self) -> dict[str, Any]:
        value: dict[str, Any] = orjson.loads(self.body)
        return value

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"ok": true}'
    delay: float = 0.0


Respond = Callable[[int, bytes], Answer]  # (index of this request, body) -> answer


def always(status: int = 200, **kwargs: Any) -> Respond:
    return lambda _i, _b: Answer(status, **kwargs)


class Receiver:
    def __init__(self, respond: Respond | None = None) -> None:
        self.respond: Respond = respond or always(200)
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    index = len(receiver.received)
                    answer = receiver.respond(index, body)
                    receiver.received.append(
                        Received(
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                            time.monotonic(),
                            answer.status,
                        )
                    )
                if answer.delay:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *_: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening: connections are refused until ``start()``."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def ok(self) -> list[Received]:
        """Requests answered with 2xx."""
        with self._lock:
            return [r for r in self.received if 200 <= r.status < 300]

    def all(self) -> list[Received]:
        with self._lock:
            return list(self.received)


def verify(received: Received, secret: str) -> dict[str, Any]:
    """Verify like a subscriber would, with the standardwebhooks library."""
    payload: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return payload


def verifies(received: Received, secret: str) -> bool:
    try:
        verify(received, secret)
    except WebhookVerificationError:
        return False
    return True


def entity_id() -> int:
    """An entity id no other test uses (the consumer dedupes versions per entity id)."""
    return secrets.randbelow(2**52) + 2**40


def entry_event(
    user_id: int, entry_id: int, version: int, verb: str = "created", **state: Any
) -> Event:
    return make_event(
        source="/tt/time",
        entity="time_entry",
        verb=verb,
        entity_id=entry_id,
        version=version,
        state={
            "id": entry_id,
            "user_id": user_id,
            "notes": f"v{version}",
            "billable": True,
            **state,
        },
    )


def project_event(project_id: int, version: int, verb: str = "created") -> Event:
    return make_event(
        source="/tt/time",
        entity="project",
        verb=verb,
        entity_id=project_id,
        version=version,
        state={"id": project_id, "name": f"project {project_id}", "status": "active"},
    )
