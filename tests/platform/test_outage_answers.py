"""A dependency outage or a value the database refuses is answered (503, 400) on a
connection that stays open.

Starlette hands a handler registered for ``Exception`` the error, sends its answer, then
raises the error again to the server, and uvicorn closes the connection. The gateway may
already be sending the next request on that kept-alive connection: it gets no answer,
and its client a 502 (the fault drill saw 82 of them, all creates, while the pool was
exhausted). A real uvicorn server, one kept-alive connection, two requests.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator

import asyncpg
import pytest
import redis
import uvicorn
from fastapi import FastAPI
from sqlalchemy import exc as sa_exc

from tt.common.errors import install_error_handlers


class _Refused(asyncpg.exceptions.NumericValueOutOfRangeError):  # type: ignore[misc]
    def __init__(self) -> None:
        Exception.__init__(self, "value out of range")


FAILURES: dict[str, BaseException] = {
    "pool": sa_exc.TimeoutError("QueuePool limit reached, connection timed out"),
    "restart": asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"),
    "network": ConnectionResetError(104, "Connection reset by peer"),
    "redis": redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379"),
    "refused": sa_exc.DBAPIError("INSERT ...", {}, _Refused()),
}


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/fail/{kind}")
    async def fail(kind: str) -> dict[str, str]:
        raise FAILURES[kind]

    @app.get("/ok")
    async def ok() -> dict[str, str]:
        return {"status": "ok"}

    return app


@pytest.fixture(scope="module")
def server_port() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(_app(), log_level="critical", timeout_keep_alive=30)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield sock.getsockname()[1]
    server.should_exit = True
    thread.join(10)


@pytest.mark.parametrize(
    ("kind", "status"),
    [("pool", 503), ("restart", 503), ("network", 503), ("redis", 503), ("refused", 400)],
)
def test_the_answer_keeps_the_connection_open_for_the_next_request(
    server_port: int, kind: str, status: int
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server_port, timeout=5)
    try:
        conn.request("GET", f"/fail/{kind}")
        first = conn.getresponse()
        first.read()
        assert first.status == status
        assert first.getheader("connection") != "close"
        time.sleep(0.2)  # the server closed the connection by now, if it does
        conn.request("GET", "/ok")  # the same socket: http.client does not reconnect
        second = conn.getresponse()
        assert second.status == 200, second.read()
    finally:
        conn.close()
