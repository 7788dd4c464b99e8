"""Outages of Kafka and PostgreSQL: writes survive a broker outage, readiness reports a
database outage, and everything recovers. These stop shared servers, so they run last."""

from __future__ import annotations

import uuid

import httpx
import pytest

from support.api import User, wait_until
from support.platform import PlatformInfo
from support.widgets import WidgetService, wait_for

SERVICES = ("auth", "time", "productivity", "search", "webhooks")

pytestmark = pytest.mark.fault


async def test_writes_during_a_kafka_outage_arrive_once_after_it(
    widgets: WidgetService, local_platform
) -> None:  # type: ignore[no-untyped-def]
    warmup = f"w-{uuid.uuid4().hex[:12]}"
    await widgets.write(warmup, 1)
    await wait_for(lambda: widgets.applied([warmup]), what="warm-up widget")

    local_platform.stop_process("kafka")
    try:
        ids = [f"w-{uuid.uuid4().hex[:12]}" for _ in range(25)]
        for wid in ids:
            await widgets.write(wid, 1)  # the user's write succeeds with the broker down
        await widgets.write(ids[0], 2)
        assert await widgets.pending_outbox() >= len(ids)
        assert await widgets.applied(ids) == []
    finally:
        local_platform.start_infra("kafka")

    async def all_applied():  # type: ignore[no-untyped-def]
        rows = await widgets.applied(ids)
        return rows if len(rows) >= len(ids) + 1 else None

    rows = await wait_for(all_applied, timeout=120, interval=0.25, what="events after restart")
    applied = sorted((r.widget_id, r.version) for r in rows)
    assert applied == sorted([(wid, 1) for wid in ids] + [(ids[0], 2)])  # nothing twice
    assert await widgets.pending_outbox() == 0


def test_every_service_is_alive_and_ready(platform: PlatformInfo) -> None:
    for name in SERVICES:
        base = platform.service_url(name)
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 200, (name, ready.text)
        assert ready.json()["checks"] == {"database": "ok", "redis": "ok", "kafka": "ok"}


def test_readiness_fails_while_the_database_is_down_and_recovers(
    platform: PlatformInfo, user: User, local_platform
) -> None:  # type: ignore[no-untyped-def]
    local_platform.stop_process("postgres")
    try:
        for name in SERVICES:
            base = platform.service_url(name)
            ready = httpx.get(f"{base}/readyz", timeout=10)
            assert ready.status_code == 503, (name, ready.text)
            checks = ready.json()["checks"]
            assert checks["database"].startswith("unavailable"), checks
            assert checks["redis"] == "ok"
            assert httpx.get(f"{base}/healthz").status_code == 200  # alive, just not ready
    finally:
        local_platform.start_infra("postgres")
    for name in SERVICES:
        url = f"{platform.service_url(name)}/readyz"
        wait_until(
            lambda url=url: httpx.get(url, timeout=5).status_code == 200,
            timeout=30,
            what=f"{name} ready again",
        )
    # The workers came through too: the time service's relay (which lost its lock, its
    # LISTEN and its connections) and the search consumer carry a new project to search.
    name = f"after-outage-{uuid.uuid4().hex[:10]}"
    created = user.api.post("/api/v1/projects", json={"name": name})
    assert created.status_code == 201, created.text
    wait_until(
        lambda: user.api.get("/api/v1/search", params={"q": name}).json()["count"] == 1,
        timeout=60,
        what="a project created after the outage searchable",
    )
