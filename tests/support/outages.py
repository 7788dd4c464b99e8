"""A store away for a moment, as the request path meets it, and what the client must be
told then: 503 ``unavailable`` with ``Retry-After: 1`` (tt.common.errors.retry_shortly)."""

from __future__ import annotations

import asyncpg
import httpx

REQUEST_OUTAGES = [
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"),
    ConnectionRefusedError(111, "Connect call failed"),
    TimeoutError(),
    # The session ended by the server as a request took it (seen under ./dev test --at).
    asyncpg.exceptions.InternalClientError(
        "cannot switch to state 12; another operation (2) is in progress"
    ),
]


def outage_id(error: BaseException) -> str:
    return type(error).__name__


def assert_told_to_retry(answer: httpx.Response) -> None:
    assert answer.status_code == 503
    assert answer.json()["error_code"] == "unavailable"
    assert answer.headers["Retry-After"] == "1"
