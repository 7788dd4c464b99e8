"""Without a trace exporter a service records no spans, yet each request still runs in a
span context: the events it writes and its 500 body carry a trace id that continues the
caller's ``traceparent`` (or starts a trace when there is none)."""

from __future__ import annotations

import secrets

import httpx
from fastapi import APIRouter

from tt.common.app import create_app
from tt.common.events import current_traceparent
from tt.common.settings import PlatformSettings

router = APIRouter()


@router.get("/traceparent")
async def traceparent() -> dict[str, str | None]:
    return {"traceparent": current_traceparent()}


@router.get("/bug")
async def bug() -> None:
    raise KeyError("a bug")


async def call(path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    settings = PlatformSettings(TT_ENV="test", TT_OTEL_EXPORTER_OTLP_ENDPOINT="")
    app = create_app(settings, title="traced", routers=[router])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        return await client.get(path, headers=headers or {})


async def test_a_request_continues_the_callers_trace_in_a_span_of_its_own() -> None:
    trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    r = await call("/traceparent", {"traceparent": f"00-{trace_id}-{caller_span}-01"})
    version, traced, span, flags = r.json()["traceparent"].split("-")
    assert (version, traced, flags) == ("00", trace_id, "01")
    assert span not in (caller_span, "0" * 16)


async def test_a_request_without_a_traceparent_starts_a_trace() -> None:
    first = (await call("/traceparent")).json()["traceparent"].split("-")[1]
    second = (await call("/traceparent")).json()["traceparent"].split("-")[1]
    assert first != second
    assert "0" * 32 not in (first, second)


async def test_an_unsampled_caller_stays_unsampled() -> None:
    trace_id = secrets.token_hex(16)
    r = await call("/traceparent", {"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-00"})
    assert r.json()["traceparent"].endswith("-00")


async def test_a_500_body_names_the_callers_trace() -> None:
    trace_id = secrets.token_hex(16)
    r = await call("/bug", {"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"})
    assert r.status_code == 500
    assert r.json()["trace_id"] == trace_id
