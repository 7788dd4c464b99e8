"""Prometheus metrics every service exposes on ``/metrics`` (API processes), and the
small endpoint a worker process serves them on (``TT_METRICS_PORT``)."""

from __future__ import annotations

import asyncio
import logging

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger("tt.metrics")

HTTP_REQUESTS = Counter(
    "tt_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "tt_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_BACKLOG = Gauge("tt_outbox_backlog", "Outbox rows seen pending by the relay (one batch)")
OUTBOX_PENDING = Gauge(
    "tt_outbox_pending_events", "Outbox rows not yet sent to Kafka (read when scraped)"
)
OUTBOX_OLDEST_AGE = Gauge(
    "tt_outbox_oldest_pending_age_seconds",
    "Age of the oldest outbox row not yet sent (0 when none; read when scraped)",
)
OUTBOX_SENT = Counter("tt_outbox_sent_total", "Outbox rows sent to Kafka")
OUTBOX_PARKED = Gauge(
    "tt_outbox_parked_rows", "Outbox rows parked after failing to publish (outbox_parked table)"
)
OUTBOX_PARKED_TOTAL = Counter(
    "tt_outbox_parked_total", "Outbox rows this relay parked after their last failed attempt"
)
IDEMPOTENCY_REDIS_FAILURES = Counter(
    "tt_idempotency_redis_failures_total",
    "Idempotency lookups that fell back to PostgreSQL because Redis failed",
)
IDEMPOTENCY_REPLAYS = Counter(
    "tt_idempotency_replays_total", "Answers replayed for a repeated Idempotency-Key"
)
EVENTS_CONSUMED = Counter(
    "tt_events_consumed_total", "Events handled by consumers", ["group", "topic", "outcome"]
)
CONSUMER_LAG = Gauge(
    "tt_consumer_lag", "Records behind the end of the partition", ["group", "topic", "partition"]
)
DEGRADED = Counter(
    "tt_degraded_total",
    "Times a dependency was unavailable and a fallback was used",
    ["dependency", "fallback"],
)


async def serve_worker_metrics(port: int, host: str = "127.0.0.1") -> asyncio.Server:
    """Serve ``/metrics`` (Prometheus) and ``/healthz`` for a worker process.

    It runs on the worker's own event loop, so a loop that is stuck stops answering and
    a liveness probe sees it. Anything but a GET of those two paths gets a 404.
    """

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), timeout=5)
            while (await asyncio.wait_for(reader.readline(), timeout=5)) not in (b"\r\n", b""):
                pass
            method, _, rest = request.decode("latin-1").partition(" ")
            path = rest.split(" ", 1)[0].split("?", 1)[0]
            if method == "GET" and path == "/metrics":
                status, kind, body = "200 OK", CONTENT_TYPE_LATEST, generate_latest()
            elif method == "GET" and path == "/healthz":
                status, kind, body = "200 OK", "application/json", b'{"status":"ok"}'
            else:
                status, kind, body = "404 Not Found", "application/json", b'{"error":"not_found"}'
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode("latin-1") + body)
            await writer.drain()
        except (TimeoutError, ConnectionError) as exc:
            log.debug("metrics request dropped: %s", exc)
        finally:
            writer.close()

    return await asyncio.start_server(answer, host, port)


RATE_LIMIT_REJECTIONS = Counter(
    "tt_rate_limit_rejections_total", "Requests refused with 429 by a rate limit", ["limit"]
)
