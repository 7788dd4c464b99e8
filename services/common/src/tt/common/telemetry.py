"""OpenTelemetry and JSON logging set-up, once per process.

Traces go to an OTLP/HTTP endpoint when ``TT_OTEL_EXPORTER_OTLP_ENDPOINT`` is set. Without
one, a request still runs in a span context (``TraceContext``): its logs, its 500 body and
the events it writes carry a ``trace_id`` that continues the caller's ``traceparent``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Receive, Scope, Send

from tt.common.settings import PlatformSettings

_configured: set[str] = set()
_SAMPLED = TraceFlags(TraceFlags.SAMPLED)


class _TraceContextFilter(logging.Filter):
    """Adds the active ``trace_id``/``span_id`` to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = trace.get_current_span().get_span_context()
        if not getattr(record, "trace_id", None):
            record.trace_id = format(ctx.trace_id, "032x") if ctx.is_valid else None
        record.span_id = format(ctx.span_id, "016x") if ctx.is_valid else None
        return True


def setup_logging(service: str, level: str = "INFO") -> None:
    """JSON lines on stderr with ``trace_id``; uvicorn's loggers included."""
    if "logging" in _configured:
        return
    _configured.add("logging")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            static_fields={"service": service},
        )
    )
    handler.addFilter(_TraceContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # Access logs are the gateway's job; per-request lines here would only cost CPU.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)


def setup_tracing(settings: PlatformSettings, service: str) -> None:
    """Install the tracer provider and the library instrumentations."""
    if "tracing" in _configured:
        return
    _configured.add("tracing")
    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": f"tt-{service}",
                "service.version": settings.version,
                "deployment.environment": settings.env,
            }
        )
    )
    if settings.otel_exporter_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otel_exporter_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint), schedule_delay_millis=500)
        )
    trace.set_tracer_provider(provider)
    # Client spans (Redis, httpx) only matter when they are exported; without an exporter
    # they cost every Redis command a span for nothing (a fifth of a warm verify's CPU).
    if settings.otel_instrument and settings.otel_exporter_endpoint:
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
        from opentelemetry.instrumentation.redis import RedisInstrumentor

        RedisInstrumentor().instrument()
        HTTPXClientInstrumentor().instrument()


def instrument_engine(settings: PlatformSettings, engine: Any) -> None:
    """SQLAlchemy spans for one engine (the sync engine behind the async one), only when
    they are exported: unexported, a span per statement cost a consumer 6% of its CPU."""
    if settings.otel_instrument and settings.otel_exporter_endpoint:
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine)


class TraceContext:
    """An ASGI middleware for when no exporter is set: each HTTP request runs in a fresh
    span context, a child of the caller's ``traceparent`` when there is one, without
    recording a span. The full server instrumentation cost ~15 % of a list request's CPU
    (attributes, route details, the span's life) for spans nobody receives."""

    _ids = RandomIdGenerator()

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        parent = next((v for k, v in scope["headers"] if k == b"traceparent"), None)
        ctx = propagate.extract({"traceparent": parent.decode("latin-1")}) if parent else None
        caller = trace.get_current_span(ctx).get_span_context() if ctx else None
        if caller is not None and caller.is_valid:
            trace_id, flags, state = caller.trace_id, caller.trace_flags, caller.trace_state
        else:
            trace_id, flags, state = self._ids.generate_trace_id(), _SAMPLED, None
        span = NonRecordingSpan(
            SpanContext(trace_id, self._ids.generate_span_id(), False, flags, trace_state=state)
        )
        token = context.attach(trace.set_span_in_context(span, ctx))
        try:
            await self.app(scope, receive, send)
        finally:
            context.detach(token)


def shutdown_tracing() -> None:
    provider = trace.get_tracer_provider()
    shutdown = getattr(provider, "shutdown", None)
    if callable(shutdown):
        shutdown()
