"""The app factory every service builds its FastAPI app with.

It wires what is the same everywhere: settings, logging and tracing, the resources
(engine, Redis, outbox), identity verification, the error handlers, ``/healthz``,
``/readyz`` and ``/metrics``, a body-size limit, and the echo of the gateway's rate-limit
headers onto every response.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tt.common.db import unit_of_work
from tt.common.edge import check_form, check_json, check_target
from tt.common.errors import AppError, PayloadTooLarge, error_response, install_error_handlers
from tt.common.forwarded import client_address
from tt.common.heap import settle
from tt.common.identity import IdentityVerifier
from tt.common.metrics import HTTP_LATENCY, HTTP_REQUESTS
from tt.common.openapi import without_framework_422
from tt.common.outbox import record_backlog
from tt.common.resources import Resources
from tt.common.responses import JSONResponse
from tt.common.settings import PlatformSettings
from tt.common.telemetry import TraceContext, setup_logging, setup_tracing, shutdown_tracing

Hook = Callable[[FastAPI, Resources], Awaitable[None]]

__all__ = ["DbSession", "EdgeMiddleware", "client_address", "create_app", "resources"]

# Headers verify puts on the upstream request, echoed on the response
# (docs/architecture.md, A request).
RATE_LIMIT_HEADERS = (
    b"x-ratelimit-limit",
    b"x-ratelimit-remaining",
    b"x-ratelimit-reset",
    b"ratelimit",
    b"ratelimit-policy",
)


def resources(request: Request) -> Resources:
    """FastAPI dependency: this process's resources."""
    res: Resources = request.app.state.resources
    return res


async def _transaction(request: Request) -> AsyncIterator[AsyncSession]:
    async with unit_of_work(resources(request).sessions) as session:
        yield session


# A session in one transaction that commits when the route returns (before the response
# is sent, so a failed commit is the client's error, not a lost write).
DbSession = Annotated[AsyncSession, Depends(_transaction, scope="function")]


def create_app(
    settings: PlatformSettings,
    *,
    title: str,
    routers: Sequence[APIRouter] = (),
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
    body_limits: Mapping[str, int] | None = None,
) -> FastAPI:
    """Build a service's app; ``routers`` carry its business routes. ``body_limits`` maps
    exact paths to their own body-size limit (uploads that a route streams), overriding
    ``max_body_bytes`` for those paths only."""
    service = settings.service_name
    setup_logging(service, settings.log_level)
    setup_tracing(settings, service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        res = Resources.open(settings)
        app.state.resources = res
        app.state.settings = settings
        app.state.identity_verifier = IdentityVerifier(settings.identity_public_key)
        for hook in on_startup:
            await hook(app, res)
        settle()
        try:
            yield
        finally:
            for hook in on_shutdown:
                await hook(app, res)
            await res.close()
            shutdown_tracing()

    app = FastAPI(
        title=title,
        version=settings.version,
        lifespan=lifespan,
        default_response_class=JSONResponse,
        docs_url="/docs",
        openapi_url="/openapi.json",
        redoc_url=None,
        # Spans come from the instrumentation below (or TraceContext), not FastAPI's own.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_error_handlers(app)
    app.include_router(_ops_router())
    for router in routers:
        app.include_router(router)
    _document_our_errors(app)
    if settings.otel_instrument and settings.otel_exporter_endpoint:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
    elif settings.otel_instrument:
        # Outermost, as the instrumentation puts its own, so 500 bodies carry the trace id.
        build_stack = app.build_middleware_stack
        app.build_middleware_stack = lambda: TraceContext(build_stack())  # type: ignore[method-assign]
    app.add_middleware(
        EdgeMiddleware,
        service=service,
        max_body_bytes=settings.max_body_bytes,
        body_limits=dict(body_limits or {}),
    )
    return app


def _document_our_errors(app: FastAPI) -> None:
    """The app's OpenAPI document shows the error answers it gives, not FastAPI's 422."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = without_framework_422(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _ops_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        checks = await resources(request).readiness()
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
        )

    @router.get("/metrics")
    async def metrics(request: Request) -> Response:
        await record_backlog(resources(request).sessions)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


# Bodies read whole and checked for unstorable strings before the route runs.
_JSON_TYPES = ("application/json",)
_FORM_TYPE = "application/x-www-form-urlencoded"


def _media_type(scope: Scope) -> str:
    return (_header(scope, b"content-type") or "").split(";")[0].strip().lower()


class EdgeMiddleware:
    """Pure ASGI: body-size limit, unstorable input (tt.common.edge), rate-limit header
    echo, and request metrics."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str,
        max_body_bytes: int,
        body_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.service = service
        self.max_body_bytes = max_body_bytes
        self.body_limits = dict(body_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.body_limits.get(scope["path"], self.max_body_bytes)
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send, limit)
            return
        try:
            check_target(scope["path"], scope.get("query_string", b""))
            receive = await self._checked_body(scope, receive, limit)
        except AppError as exc:
            await error_response(exc)(scope, receive, send)
            return
        echoed = [(k, v) for k, v in scope["headers"] if k in RATE_LIMIT_HEADERS]
        started = time.perf_counter()
        status = 500
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    raise PayloadTooLarge(f"Request body exceeds {limit} bytes")
                # Uploads (CSV files) stream through unchecked: their route validates the
                # file and names what is wrong with it (a ZIP archive, UTF-16, NUL bytes).
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if echoed:
                    message["headers"] = [*message.get("headers", []), *echoed]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            if path not in ("/healthz", "/readyz", "/metrics"):
                method = scope["method"]
                HTTP_REQUESTS.labels(self.service, method, path, str(status)).inc()
                HTTP_LATENCY.labels(self.service, method, path).observe(
                    time.perf_counter() - started
                )

    @staticmethod
    async def _checked_body(scope: Scope, receive: Receive, limit: int) -> Receive:
        """For JSON and form bodies: read the whole body (within ``limit``), check its
        strings, and hand the route a receive that replays it."""
        media = _media_type(scope)
        is_json = media in _JSON_TYPES or media.endswith("+json")
        if not is_json and media != _FORM_TYPE:
            return receive
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return _replay(b"".join(chunks), receive, message)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"Request body exceeds {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if is_json:
            check_json(body)
        else:
            check_form(body)
        return _replay(body, receive)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = error_response(PayloadTooLarge(f"Request body exceeds {limit} bytes"))
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive, last: Message | None = None) -> Receive:
    """A receive that yields ``body`` once (then ``last``, if any), then the real one."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if last is not None:
        pending.append(last)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            decoded: str = value.decode("latin-1")
            return decoded
    return None
