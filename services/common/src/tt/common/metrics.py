"""Prometheus metrics every service exposes on ``/metrics``."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
OUTBOX_SENT = Counter("tt_outbox_sent_total", "Outbox rows sent to Kafka")
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
