"""``GET /internal/verify`` (Traefik ForwardAuth), served ahead of the framework stack.

Every request through the gateway pays for this endpoint, so it skips what it does not
need: FastAPI routing and dependency resolution, the body-limit and header-echo
middleware, and the ASGI tracing middleware (measured: about half of verify's CPU on a
warm cache). It still counts requests in the service's metrics, and it opens a server
span continuing the gateway's trace whenever traces are exported. Never routed from the
web entry point.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson
from fastapi import FastAPI
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from starlette.requests import cookie_parser
from starlette.types import Receive, Scope, Send

from tt.auth.runtime import Runtime
from tt.auth.verify.service import Request
from tt.auth.verify.verdicts import Verdict
from tt.common.errors import AppError, retry_shortly
from tt.common.metrics import HTTP_LATENCY, HTTP_REQUESTS
from tt.common.outages import is_dependency_outage

PATH = "/internal/verify"
log = logging.getLogger("tt.auth.verify")
tracer = trace.get_tracer("tt.auth.verify")


class VerifyEndpoint:
    """An ASGI app: ``/internal/verify`` here, everything else to the FastAPI app."""

    def __init__(self, app: FastAPI, *, traced: bool) -> None:
        self.app = app
        self.traced = traced
        self._latency = HTTP_LATENCY.labels("auth", "GET", PATH)
        self._counters: dict[int, Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if self.traced:
            with tracer.start_as_current_span(
                "GET /internal/verify",
                context=propagate.extract(headers),
                kind=SpanKind.SERVER,
                attributes={"http.request.method": "GET", "url.path": PATH},
            ) as span:
                verdict = await self._decide(headers)
                span.set_attribute("http.response.status_code", verdict.status)
        else:
            verdict = await self._decide(headers)
        await _respond(send, verdict)
        counter = self._counters.get(verdict.status)
        if counter is None:
            counter = HTTP_REQUESTS.labels("auth", "GET", PATH, str(verdict.status))
            self._counters[verdict.status] = counter
        counter.inc()
        self._latency.observe(time.perf_counter() - started)

    async def _decide(self, headers: dict[str, str]) -> Verdict:
        rt: Runtime = self.app.state.runtime
        cookie_header = headers.get("cookie")
        cookie = (
            cookie_parser(cookie_header).get(rt.settings.session_cookie) if cookie_header else None
        )
        try:
            return await rt.verifier.verify(Request(headers, cookie))
        except AppError as exc:
            return _verdict_of(exc)
        except Exception as exc:
            if is_dependency_outage(exc):
                # PostgreSQL or Redis away for a moment (a cache miss needs the database):
                # the client may retry, as on every other route (tt.common.errors).
                log.warning("verify: dependency unavailable", extra={"error": repr(exc)[:300]})
                return _verdict_of(
                    retry_shortly("Authentication is unavailable right now; try again shortly")
                )
            log.exception("verify failed")
            body = AppError("Authentication is unavailable right now").body()
            return Verdict(500, {}, body)


def _verdict_of(error: AppError) -> Verdict:
    return Verdict(error.status_code, dict(error.headers), error.body())


async def _respond(send: Send, verdict: Verdict) -> None:
    body = b"" if verdict.body is None else orjson.dumps(verdict.body)
    headers = [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in verdict.headers.items()
    ]
    headers.append((b"content-length", str(len(body)).encode()))
    if verdict.body is not None:
        headers.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": verdict.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
