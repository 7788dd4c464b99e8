"""HTTP helpers: token clients, browser sessions, users, and waiting for async effects."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from tt.common.identity import ALL_SCOPES, USER_SCOPES, Identity, IdentitySigner

T = TypeVar("T")

TIMEOUT = httpx.Timeout(15.0)


def token_client(base_url: str, token: str, *, header: str = "bearer") -> httpx.Client:
    """A client that sends ``token`` as ``Authorization: Bearer`` (or ``X-API-Key``)."""
    headers = {"Authorization": f"Bearer {token}"} if header == "bearer" else {"X-API-Key": token}
    return httpx.Client(base_url=base_url, headers=headers, timeout=TIMEOUT)


@dataclass
class User:
    """A user created for one test, with a token client."""

    id: int
    username: str
    password: str
    token: str
    token_id: int
    api: httpx.Client
    is_admin: bool = False
    scopes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def unique(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


class Users:
    """Creates users and tokens through the admin API (auth), as an integrator would."""

    def __init__(self, base_url: str, admin_token: str) -> None:
        self.base_url = base_url
        self.admin = token_client(base_url, admin_token)

    def create(
        self,
        *,
        username: str | None = None,
        is_admin: bool = False,
        timezone: str = "UTC",
        scopes: list[str] | None = None,
        password: str | None = None,
        email: str | None = None,
        **extra: Any,
    ) -> User:
        username = username or unique()
        password = password or f"pw-{uuid.uuid4().hex}"
        r = self.admin.post(
            "/api/v1/admin/users",
            json={
                "username": username,
                "email": email or f"{username}@example.test",
                "password": password,
                "is_admin": is_admin,
                "timezone": timezone,
                **extra,
            },
        )
        assert r.status_code == 201, r.text
        user = r.json()["user"]
        if scopes is None:
            scopes = list(ALL_SCOPES if is_admin else USER_SCOPES)
            if is_admin:
                scopes = ["admin:all"]
        token, token_id = self.token_for(user["id"], scopes)
        return User(
            id=user["id"],
            username=username,
            password=password,
            token=token,
            token_id=token_id,
            api=token_client(self.base_url, token),
            is_admin=is_admin,
            scopes=scopes,
            data=user,
        )

    def token_for(self, user_id: int, scopes: list[str], **extra: Any) -> tuple[str, int]:
        r = self.admin.post(
            "/api/v1/admin/api-tokens",
            json={"name": unique("token-"), "user_id": user_id, "scopes": scopes, **extra},
        )
        assert r.status_code == 201, r.text
        body = r.json()
        return body["token"], body["api_token"]["id"]


def browser_session(base_url: str, username: str, password: str) -> httpx.Client:
    """A logged-in browser-like client: session cookie plus ``X-CSRF-Token`` on every call."""
    client = httpx.Client(base_url=base_url, timeout=TIMEOUT)
    r = client.post("/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


def mint_identity(
    private_key_pem: str,
    *,
    user_id: int = 1,
    username: str = "direct",
    is_admin: bool = False,
    scopes: list[str] | None = None,
    auth_method: str = "token",
    timezone: str = "UTC",
    ttl: int = 60,
    now: float | None = None,
) -> str:
    """An ``X-TT-Identity`` value signed like auth signs it (for calls straight to a service)."""
    identity = Identity(
        user_id=user_id,
        username=username,
        is_admin=is_admin,
        # An admin's identity carries admin:all by default, as auth grants an admin's token.
        scopes=frozenset(
            scopes if scopes is not None else (ALL_SCOPES if is_admin else USER_SCOPES)
        ),
        auth_method=auth_method,  # type: ignore[arg-type]
        timezone=timezone,
        token_id=None,
    )
    return IdentitySigner(private_key_pem, ttl_seconds=ttl).sign(identity, now=now)


def wait_until(
    probe: Callable[[], T | None],
    *,
    timeout: float = 15.0,
    interval: float = 0.05,
    what: str = "condition",
) -> T:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def assert_error(response: httpx.Response, status: int, error_code: str) -> dict[str, Any]:
    """The response is the contract's error body with this status and code."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert body["error_code"] == error_code, body
    for key in ("error", "message"):
        assert isinstance(body[key], str), body
        assert body[key], body
    return dict(body)
