"""Verify (the gateway's ForwardAuth) answers 503 with Retry-After when a store it needs is
away for a moment, as every other route does, and 500 only for a bug. The fault drill saw
every request without a cached identity answered 500 while PostgreSQL was down."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI

from support.outages import REQUEST_OUTAGES, assert_told_to_retry, outage_id
from tt.auth.verify.endpoint import PATH, VerifyEndpoint


async def verify_failing_with(error: Exception) -> httpx.Response:
    async def verify(_request: object) -> None:
        raise error

    app = FastAPI()
    app.state.runtime = SimpleNamespace(
        settings=SimpleNamespace(session_cookie="session"),
        verifier=SimpleNamespace(verify=verify),
    )
    transport = httpx.ASGITransport(app=VerifyEndpoint(app, traced=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://auth") as client:
        return await client.get(PATH, headers={"Authorization": "Bearer tt_" + "a" * 32})


@pytest.mark.parametrize("error", REQUEST_OUTAGES, ids=outage_id)
async def test_a_store_outage_is_503_with_retry_after(error: Exception) -> None:
    assert_told_to_retry(await verify_failing_with(error))


async def test_a_bug_is_still_a_500() -> None:
    answer = await verify_failing_with(KeyError("a bug"))
    assert answer.status_code == 500
    assert answer.json()["error_code"] == "internal_error"
