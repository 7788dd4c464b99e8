"""Real HTTP receivers on 127.0.0.1 for webhook tests, and event helpers.

A ``Receiver`` is an HTTP/1.1 server in the test process that records every request and
answers as its ``respond`` function says (status, headers, delay). It can be
stopped and started again on the same port, to play a subscriber that is down.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import orjson
from standardwebhooks import Webhook, WebhookVerificationError

from support.events import synthetic_event
from tt.common.contracts.time import PROJECT, TIME_ENTRY
from tt.common.events import Event


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic()
    status: int  # what we answered
    wall: float = 0.0  # time.time(), to compare with the event's time

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
STATUSES = {s.value for s in HTTPStatus}


def always(status: int = 200, **kwargs: Any) -> Respond:
    return lambda _i, _b: Answer(status, **kwargs)


class Receiver:
    """An HTTP/1.1 server on 127.0.0.1 running an asyncio loop in its own thread.

    One loop serves every connection (keep-alive included), so a slow answer (``delay``)
    costs nothing but its own connection, as with a real subscriber.
    """

    def __init__(self, respond: Respond | None = None) -> None:
        self.respond: Respond = respond or always(200)
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()  # touched on the loop thread only
        self.port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        """Listen (again, on the same port after ``stop``)."""

        async def listen() -> asyncio.Server:
            return await asyncio.start_server(
                self._serve, "127.0.0.1", self.port, reuse_address=True
            )

        self._server = asyncio.run_coroutine_threadsafe(listen(), self._loop).result(10)
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        """Stop listening and drop open connections: connections are refused until ``start``."""
        server, self._server = self._server, None
        if server is None:
            return

        async def close() -> None:
            server.close()
            if hasattr(server, "close_clients"):
                server.close_clients()
            for writer in list(self._writers):
                writer.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *lines = head.decode("latin-1").split("\r\n")
                headers = {}
                for line in lines:
                    if line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length") or 0))
                with self._lock:
                    answer = self.respond(len(self.received), body)
                    self.received.append(
                        Received(
                            request_line.split(" ")[1],
                            headers,
                            body,
                            time.monotonic(),
                            answer.status,
                            time.time(),
                        )
                    )
                if answer.delay:
                    await asyncio.sleep(answer.delay)
                reason = HTTPStatus(answer.status).phrase if answer.status in STATUSES else "X"
                out = [f"HTTP/1.1 {answer.status} {reason}"]
                out += [f"{k}: {v}" for k, v in answer.headers.items()]
                out.append(f"content-length: {len(answer.body)}")
                # HTTP header values are latin-1 (a test may send any byte in one).
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + answer.body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    def ok(self) -> list[Received]:
        """Requests answered with 2xx."""
        with self._lock:
            return [r for r in self.received if 200 <= r.status < 300]

    def all(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def close(self) -> None:
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


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
    return synthetic_event(
        TIME_ENTRY.verb(verb),
        entry_id,
        version,
        user_id=user_id,
        start_time="2026-01-05T09:00:00Z",
        notes=f"v{version}",
        billable=True,
        **state,
    )


def project_event(project_id: int, version: int, verb: str = "created") -> Event:
    return synthetic_event(
        PROJECT.verb(verb), project_id, version, name=f"project {project_id}", status="active"
    )
