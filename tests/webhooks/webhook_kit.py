"""Helpers of the webhook tests: callers (through the gateway with real users and tokens
when auth is running, else straight to the service with a minted identity), and ``Hooks``,
which creates subscriptions, publishes events, reads delivery logs, and cleans up."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from webhook_receivers import Receiver

from support.api import TIMEOUT, Users, mint_identity, wait_until
from support.kafka import publish
from support.platform import PlatformInfo
from tt.common.events import Event
from tt.common.identity import ADMIN_SCOPE, USER_SCOPES


@dataclass
class Caller:
    """Someone calling the webhooks API: a user id and a client carrying their token."""

    user_id: int
    api: httpx.Client
    is_admin: bool = False


def auth_is_running(platform: PlatformInfo) -> bool:
    return bool((platform.doc.get("admin") or {}).get("token"))


def direct_client(
    platform: PlatformInfo,
    *,
    user_id: int,
    is_admin: bool = False,
    scopes: list[str] | None = None,
    auth_method: str = "token",
) -> httpx.Client:
    """A client straight to the webhooks service, with a fresh identity on every request."""
    key = platform.secrets["identity_private_key"]

    def sign(request: httpx.Request) -> None:
        request.headers["X-TT-Identity"] = mint_identity(
            key,
            user_id=user_id,
            username=f"user{user_id}",
            is_admin=is_admin,
            scopes=scopes,
            auth_method=auth_method,
        )

    return httpx.Client(
        base_url=platform.service_url("webhooks"),
        timeout=TIMEOUT,
        event_hooks={"request": [sign]},
    )


class Callers:
    def __init__(self, platform: PlatformInfo, users: Users | None) -> None:
        self._platform = platform
        self._users = users

    def user(self, scopes: list[str] | None = None) -> Caller:
        return self._make(is_admin=False, scopes=scopes)

    def admin(self) -> Caller:
        return self._make(is_admin=True, scopes=[ADMIN_SCOPE])

    def _make(self, *, is_admin: bool, scopes: list[str] | None) -> Caller:
        if self._users is not None:
            created = self._users.create(is_admin=is_admin, scopes=scopes)
            return Caller(created.id, created.api, is_admin)
        user_id = secrets.randbelow(2**40) + 1_000_000
        scopes = scopes if scopes is not None else list(USER_SCOPES)
        client = direct_client(self._platform, user_id=user_id, is_admin=is_admin, scopes=scopes)
        return Caller(user_id, client, is_admin)


class Hooks:
    """Creates subscriptions, publishes events, reads delivery logs; cleans up after."""

    def __init__(self, platform: PlatformInfo) -> None:
        self.platform = platform
        self._created: list[tuple[Caller, int]] = []
        self._receivers: list[Receiver] = []

    def receiver(self, respond: Callable[..., Any] | None = None) -> Receiver:
        receiver = Receiver(respond)
        self._receivers.append(receiver)
        return receiver

    def create(self, owner: Caller, url: str, events: list[str], **extra: Any) -> dict[str, Any]:
        """Subscribe; returns the create answer's body (``webhook`` and ``secret``)."""
        r = owner.api.post("/api/v1/webhooks", json={"url": url, "events": events, **extra})
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        self._created.append((owner, body["webhook"]["id"]))
        return body

    def publish(self, events: list[Event]) -> None:
        publish(self.platform.kafka_bootstrap, events)

    def deliveries(self, owner: Caller, webhook_id: int, **params: Any) -> list[dict[str, Any]]:
        r = owner.api.get(
            f"/api/v1/webhooks/{webhook_id}/deliveries", params={"per_page": 100, **params}
        )
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["deliveries"]
        return items

    def wait_for(
        self, receiver: Receiver, count: int, *, timeout: float = 20.0, ok_only: bool = True
    ) -> list[Any]:
        """Wait until ``receiver`` has ``count`` (2xx-answered) requests."""

        def enough() -> list[Any] | None:
            got = receiver.ok() if ok_only else receiver.all()
            return got if len(got) >= count else None

        return wait_until(enough, timeout=timeout, what=f"{count} webhook requests")

    def log(self, owner: Caller, webhook_id: int) -> list[dict[str, Any]]:
        """A webhook's whole delivery log, every page."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            r = owner.api.get(
                f"/api/v1/webhooks/{webhook_id}/deliveries", params={"page": page, "per_page": 100}
            )
            assert r.status_code == 200, r.text
            items += r.json()["deliveries"]
            if not r.json()["pagination"]["has_next"]:
                return items
            page += 1

    def close(self) -> None:
        for owner, webhook_id in self._created:
            owner.api.delete(f"/api/v1/webhooks/{webhook_id}")
        for receiver in self._receivers:
            receiver.close()


def attempts_that_reached(log: list[dict[str, Any]]) -> int:
    """Logged attempts that got to the receiver (an answer, or no answer in time)."""
    return sum(
        1
        for delivery in log
        for attempt in delivery["attempts"]
        if attempt["status_code"] is not None or attempt["error"] == "timed out"
    )
