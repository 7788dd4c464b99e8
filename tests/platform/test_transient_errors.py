"""Which failures a consumer (and the webhooks dispatcher) waits out instead of dead-
lettering the event or ending the worker. The fault drill found a PostgreSQL restart
sending events to the DLQ and stopping the webhooks worker: a connection attempt refused
by a server that is shutting down or starting up reaches us as asyncpg's own exception
(SQLAlchemy wraps errors of established connections only)."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import exc as sa_exc

from support.outages import REQUEST_OUTAGES, assert_told_to_retry, outage_id
from tt.common.consumer import is_transient
from tt.common.errors import install_error_handlers


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError(
            "terminating connection due to administrator command"
        ),
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
        ConnectionRefusedError(111, "Connect call failed"),
        sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_database_that_cannot_serve_right_now_is_waited_out(error: Exception) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate key value"),
        asyncpg.exceptions.DataError("invalid input syntax"),
        ValueError("a malformed event"),
        KeyError("time_entry"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_an_event_that_cannot_be_applied_is_not(error: Exception) -> None:
    assert not is_transient(error)


@pytest.mark.parametrize("error", REQUEST_OUTAGES, ids=outage_id)
async def test_a_request_that_meets_an_outage_is_told_to_retry(error: Exception) -> None:
    """The same failures on the request path are 503 ``unavailable`` with Retry-After, not
    500: the drill saw clients give up on 500s during a PostgreSQL restart."""
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise error

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        answer = await client.get("/boom")
    assert_told_to_retry(answer)


async def test_a_bug_is_still_a_500() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise KeyError("a bug")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        answer = await client.get("/boom")
    assert answer.status_code == 500
    assert answer.json()["error_code"] == "internal_error"
