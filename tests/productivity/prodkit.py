"""Helpers for the productivity tests: synthetic events for its consumer, and calls
straight to its port with a minted identity (``X-TT-Identity``)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime
from typing import Any

import httpx

from support.api import TIMEOUT, mint_identity, wait_until
from support.kafka import publish
from support.platform import PlatformInfo
from tt.common.events import Event, make_event

# Synthetic entities live far above the ids real services hand out on the same topics.
_ids = itertools.count(random.randrange(10**12, 9 * 10**12, 10**6))


def new_id() -> int:
    return next(_ids)


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def entry_state(
    entry_id: int,
    user_id: int,
    start: datetime,
    end: datetime | None,
    **extra: Any,
) -> dict[str, Any]:
    duration = None if end is None else int((end - start).total_seconds())
    state: dict[str, Any] = {
        "id": entry_id,
        "user_id": user_id,
        "user": f"user{user_id}",
        "project_id": None,
        "project": None,
        "client_id": None,
        "client": None,
        "task_id": None,
        "task": None,
        "start_time": iso(start),
        "end_time": iso(end) if end is not None else None,
        "duration_seconds": duration,
        "break_seconds": 0,
        "paused_at": None,
        "notes": "synthetic",
        "tags": "",
        "billable": True,
        "paid": False,
        "source": "manual",
        "is_active": end is None,
        "approval_status": None,
        "created_at": iso(start),
        "updated_at": iso(start),
    }
    state.update(extra)
    return state


def event(entity: str, verb: str, entity_id: int, version: int, state: dict[str, Any]) -> Event:
    source = "/tt/auth" if entity == "user" else "/tt/time"
    return make_event(
        source=source, entity=entity, verb=verb, entity_id=entity_id, version=version, state=state
    )


def user_state(user_id: int, timezone: str = "UTC", **extra: Any) -> dict[str, Any]:
    state: dict[str, Any] = {
        "id": user_id,
        "username": f"user{user_id}",
        "email": f"user{user_id}@example.test",
        "full_name": None,
        "is_admin": False,
        "is_active": True,
        "timezone": timezone,
        "role": "user",
        "default_hourly_rate": None,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }
    state.update(extra)
    return state


def project_state(project_id: int, name: str, **extra: Any) -> dict[str, Any]:
    state: dict[str, Any] = {
        "id": project_id,
        "name": name,
        "code": None,
        "description": None,
        "client_id": None,
        "client": None,
        "billable": True,
        "hourly_rate": None,
        "estimated_hours": None,
        "budget_amount": None,
        "currency": "EUR",
        "status": "active",
        "is_archived": False,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }
    state.update(extra)
    return state


def client_state(client_id: int, name: str, **extra: Any) -> dict[str, Any]:
    state: dict[str, Any] = {
        "id": client_id,
        "name": name,
        "email": None,
        "company": None,
        "phone": None,
        "address": None,
        "contact_person": None,
        "description": None,
        "default_hourly_rate": None,
        "currency": "EUR",
        "status": "active",
        "is_active": True,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }
    state.update(extra)
    return state


class Direct:
    """Calls to the productivity service's own port, as a given user (no gateway)."""

    def __init__(self, platform: PlatformInfo) -> None:
        self.platform = platform
        self.base_url = platform.service_url("productivity")
        self.private_key = platform.secrets["identity_private_key"]
        self.http = httpx.Client(base_url=self.base_url, timeout=TIMEOUT)

    def headers(self, user_id: int, *, method: str = "token", **claims: Any) -> dict[str, str]:
        token = mint_identity(
            self.private_key,
            user_id=user_id,
            username=f"user{user_id}",
            auth_method=method,
            **claims,
        )
        return {"X-TT-Identity": token}

    def get(
        self, path: str, user_id: int, *, method: str = "token", params: Any = None, **claims: Any
    ) -> httpx.Response:
        return self.http.get(
            path, params=params, headers=self.headers(user_id, method=method, **claims)
        )

    def publish(self, *events: Event) -> None:
        publish(self.platform.kafka_bootstrap, list(events))

    def stats(self, user_id: int, **params: Any) -> dict[str, Any]:
        r = self.get("/api/v1/productivity/stats", user_id, params=params)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def value(self, user_id: int) -> dict[str, Any]:
        r = self.get("/api/v1/stats/value-dashboard", user_id)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def wait_stats(
        self, user_id: int, check: Any, what: str, timeout: float = 20, **params: Any
    ) -> dict[str, Any]:
        """Poll the stats until ``check(stats)`` holds (the worker applies events async)."""

        def probe() -> dict[str, Any] | None:
            stats = self.stats(user_id, **params)
            return stats if check(stats) else None

        return wait_until(probe, timeout=timeout, what=what)

    def wait_value(self, user_id: int, check: Any, what: str) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            value = self.value(user_id)
            return value if check(value) else None

        return wait_until(probe, timeout=20, what=what)


def midday_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon at ``now``, so a test's "today" holds
    its morning entries whatever the time of day the suite runs."""
    offset = 12 - now.astimezone(UTC).hour
    offset = max(-12, min(14, offset))
    # Etc/GMT names invert the sign: Etc/GMT-3 is UTC+3.
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def local_noon(zone: str, now: datetime) -> datetime:
    from zoneinfo import ZoneInfo

    local = now.astimezone(ZoneInfo(zone))
    return local.replace(hour=12, minute=0, second=0, microsecond=0)


def wait_cached(direct: Direct, path: str, user_id: int) -> httpx.Response:
    """Poll until the answer comes from Redis (the worker drops the cache just after it
    commits, so the first answer after a change may be computed and then dropped)."""

    def probe() -> httpx.Response | None:
        r = direct.get(path, user_id)
        return r if r.headers.get("X-Cache") == "HIT" else None

    return wait_until(probe, timeout=20, what=f"{path} served from the cache")
