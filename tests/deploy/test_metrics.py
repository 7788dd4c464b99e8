"""Metrics (docs/operations.md): every service's ``/metrics`` has request rate and latency by
route and its outbox backlog; a worker serves its own (consumer lag, relay figures) on
``TT_METRICS_PORT``, with a ``/healthz`` for container liveness probes."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from support.api import User
from support.platform import PlatformInfo
from tt.common.metrics import CONSUMER_LAG, serve_worker_metrics

SERVICES = ("auth", "time", "productivity", "search", "webhooks")


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_exposes_prometheus_metrics_with_its_outbox_backlog(
    platform: PlatformInfo, service: str
) -> None:
    response = httpx.get(f"{platform.internal_url(service)}/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    (pending,) = found["tt_outbox_pending_events"]
    (oldest,) = found["tt_outbox_oldest_pending_age_seconds"]
    assert pending[1] >= 0
    assert oldest[1] >= 0


def test_requests_are_counted_and_timed_by_route_template(
    platform: PlatformInfo, user: User
) -> None:
    route = "/api/v1/projects/{project_id:int}"
    url = f"{platform.internal_url('time')}/metrics"

    def count() -> float:
        found = samples(httpx.get(url, timeout=10).text)
        return sum(
            value
            for labels, value in found.get("tt_http_requests_total", [])
            if labels["route"] == route and labels["status"] == "404"
        )

    before = count()
    for missing in (987654321, 987654322, 987654323):  # three paths, one route template
        assert user.api.get(f"/api/v1/projects/{missing}").status_code == 404
    assert count() - before == 3
    latency = samples(httpx.get(url, timeout=10).text)["tt_http_request_duration_seconds_bucket"]
    assert any(labels["route"] == route for labels, _ in latency)
    assert not any(re.search(r"\d{6}", labels["route"]) for labels, _ in latency)


async def test_a_worker_serves_its_metrics_and_liveness() -> None:
    CONSUMER_LAG.labels("tt-probe", "tt.probe.things", "0").set(7)
    server = await serve_worker_metrics(0, host="127.0.0.1")
    port = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            health = await client.get("/healthz")
            assert health.status_code == 200
            assert health.json() == {"status": "ok"}
            metrics = await client.get("/metrics")
            assert metrics.status_code == 200
            lag = samples(metrics.text)["tt_consumer_lag"]
            assert ({"group": "tt-probe", "topic": "tt.probe.things", "partition": "0"}, 7.0) in lag
            assert (await client.get("/other")).status_code == 404
            assert (await client.post("/metrics")).status_code == 404
    finally:
        server.close()
        await server.wait_closed()
        await asyncio.sleep(0)
