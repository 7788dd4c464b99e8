"""Through the real Traefik: ForwardAuth answers (401/403/429 with the contract's bodies
and headers), revocation at once, per-token rate limits, deprecation headers, spoofed
identities, services reached around the gateway, and the gateway's own JSON errors."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import redis

from support.api import (
    TIMEOUT,
    User,
    Users,
    assert_error,
    mint_identity,
    token_client,
    wait_until,
)
from support.platform import PlatformInfo

LEGACY = [
    ("GET", "/api/search?q=ab", "/api/v1/search"),
    ("POST", "/api/timer/start", "/api/v1/timer/start"),
    ("POST", "/api/timer/stop", "/api/v1/timer/stop"),
    ("GET", "/api/projects/12/tasks", "/api/v1/tasks"),
    ("GET", "/api/productivity/stats", "/api/v1/productivity/stats"),
    ("GET", "/api/stats/value-dashboard", "/api/v1/stats/value-dashboard"),
    ("GET", "/api/dashboard/stats", "/api/v1/dashboard/stats"),
    ("GET", "/api/dashboard/sparklines", "/api/v1/dashboard/sparklines"),
    ("GET", "/api/ai/suggest", "/api/v1/ai/suggest"),
]
DEPRECATION_HEADERS = ("X-API-Deprecated", "Link", "Deprecation", "Sunset")


def test_no_malformed_unknown_expired_and_revoked_tokens_get_401(
    gateway_url: str, users: Users, admin_api: httpx.Client
) -> None:
    me = "/api/v1/users/me"
    body = assert_error(httpx.get(gateway_url + me), 401, "unauthorized")
    assert body == {
        "error": "Authentication required",
        "message": "API token must be provided in Authorization header or X-API-Key header",
        "error_code": "unauthorized",
    }
    for token in ("not-a-token", "tt_tooshort", "tt_" + "x" * 32, "TT_" + "A" * 32):
        with token_client(gateway_url, token) as client:
            assert assert_error(client.get(me), 401, "unauthorized") == {
                "error": "Invalid token",
                "message": "The provided API token is invalid or expired",
                "error_code": "unauthorized",
            }
    owner = users.create()
    soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    text, _ = users.token_for(owner.id, ["read:users"], expires_at=soon)
    with token_client(gateway_url, text) as client:
        expired = wait_until(
            lambda: (r := client.get(me)).status_code == 401 and r,
            timeout=10,
            interval=0.2,
            what="the token to expire",
        )
        assert assert_error(expired, 401, "unauthorized")["error"] == "Invalid token"
    # Revoked: refused on the very next request, with the token warm in verify's cache.
    assert owner.api.get(me).status_code == 200
    assert admin_api.delete(f"/api/v1/admin/api-tokens/{owner.token_id}").status_code == 200
    assert assert_error(owner.api.get(me), 401, "unauthorized")["error"] == "Invalid token"


def test_a_token_without_the_scope_gets_403_with_required_and_available_scopes(
    users: Users,
) -> None:
    reader = users.create(scopes=["read:projects"])
    r = reader.api.post(
        "/api/v1/admin/api-tokens",
        json={"name": "x", "user_id": reader.id, "scopes": ["read:users"]},
    )
    body = assert_error(r, 403, "forbidden")
    assert body["error"] == "Insufficient permissions"
    assert body["required_scope"] == "admin:all"
    assert body["available_scopes"] == ["read:projects"]
    # The rate-limit headers ride on every token-authenticated answer, errors included.
    assert r.headers["X-RateLimit-Limit"] == "100"
    assert "X-RateLimit-Remaining" in r.headers


def test_the_101st_request_in_a_minute_is_429_and_rejections_cost_nothing(
    user: User, platform: PlatformInfo
) -> None:
    me = "/api/v1/users/me"
    rejected_before = _rejections(platform)
    remaining = []
    for _ in range(100):
        r = user.api.get(me)
        assert r.status_code == 200, r.text
        remaining.append(int(r.headers["X-RateLimit-Remaining"]))
        reset = int(r.headers["X-RateLimit-Reset"])
        assert time.time() - 1 <= reset <= time.time() + 61
    assert remaining == list(range(99, -1, -1))
    assert user.api.get(me).status_code == 429
    limited = user.api.get(me)
    body = assert_error(limited, 429, "rate_limited")
    assert body["error"] == "Rate limit exceeded"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["X-RateLimit-Limit"] == "100"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["RateLimit-Policy"] == '"minute";q=100;w=60, "hour";q=1000;w=3600'
    assert limited.headers["RateLimit"].startswith('"minute";r=0;t=')
    # Ops see the rejections on auth's metrics (one counter per window that refused).
    assert _rejections(platform) - rejected_before >= 2
    # The two rejected requests were not counted: the shared windows hold exactly 100 (each
    # window's total is the field "<window ms>n" of the token's hash).
    from tt.devenv.services import BY_NAME

    shared = redis.Redis.from_url(f"{platform.redis_url}/{BY_NAME['auth'].redis_db}")
    try:
        totals = shared.hmget(f"tt:auth:quota:api:t:{user.token_id}", "60000n", "3600000n")
    finally:
        shared.close()
    assert totals == [b"100", b"100"]


def _rejections(platform: PlatformInfo) -> float:
    """auth's ``tt_rate_limit_rejections_total{limit="per_minute"}`` (one replica here)."""
    text = httpx.get(f"{platform.internal_url('auth')}/metrics").text
    for line in text.splitlines():
        if line.startswith('tt_rate_limit_rejections_total{limit="per_minute"}'):
            return float(line.split()[-1])
    return 0.0


def test_tokens_are_limited_each_on_their_own(users: Users, gateway_url: str) -> None:
    owner = users.create()
    second, _ = users.token_for(owner.id, ["read:users"])
    for _ in range(3):
        assert owner.api.get("/api/v1/users/me").status_code == 200
    with token_client(gateway_url, second) as other:
        assert other.get("/api/v1/users/me").headers["X-RateLimit-Remaining"] == "99"


@pytest.mark.parametrize(("method", "path", "successor"), LEGACY)
def test_legacy_routes_carry_exactly_the_deprecation_headers(
    gateway_url: str, method: str, path: str, successor: str
) -> None:
    r = httpx.request(method, gateway_url + path, timeout=TIMEOUT)
    assert_error(r, 401, "unauthorized")  # even error answers carry them
    assert r.headers["X-API-Deprecated"] == "true"
    assert r.headers["Link"] == f'<{successor}>; rel="successor-version"'
    assert r.headers["Deprecation"] == "@1767225600"
    assert r.headers["Sunset"] == "Fri, 31 Dec 2027 23:59:59 GMT"


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/timer/resume"), ("GET", "/api/v1/users/me"), ("GET", "/api/version/check")],
)
def test_v1_resume_and_version_routes_carry_none(
    gateway_url: str, admin_user: User, method: str, path: str
) -> None:
    for r in (
        httpx.request(method, gateway_url + path, timeout=TIMEOUT),
        admin_user.api.request(method, path),
    ):
        for header in DEPRECATION_HEADERS:
            assert header not in r.headers, (path, header)


def test_a_client_cannot_forge_the_identity_through_the_gateway(
    platform: PlatformInfo, user: User, admin_user: User
) -> None:
    forged = mint_identity(
        platform.secrets["identity_private_key"],
        user_id=admin_user.id,
        username=admin_user.username,
        is_admin=True,
        scopes=["admin:all"],
    )
    r = user.api.get("/api/v1/users/me", headers={"X-TT-Identity": forged})
    assert r.status_code == 200
    assert r.json()["user"]["id"] == user.id  # verify's identity replaced the client's
    denied = user.api.get("/api/v1/admin/users", headers={"X-TT-Identity": forged})
    assert_error(denied, 403, "forbidden")


def test_services_reached_around_the_gateway_trust_nobody(
    platform: PlatformInfo, user: User
) -> None:
    direct = platform.service_url("auth") + "/api/v1/users/me"
    key = platform.secrets["identity_private_key"]
    from tt.common.identity import generate_keypair

    other_key, _ = generate_keypair()
    cases = {
        "none": {},
        "garbage": {"X-TT-Identity": "not.a.jwt"},
        "forged": {"X-TT-Identity": mint_identity(other_key, user_id=user.id)},
        "expired": {
            "X-TT-Identity": mint_identity(key, user_id=user.id, ttl=60, now=time.time() - 120)
        },
        "token only": {"Authorization": f"Bearer {user.token}"},
    }
    for name, headers in cases.items():
        r = httpx.get(direct, headers=headers, timeout=TIMEOUT)
        assert r.status_code == 401, (name, r.text)
        assert r.json()["error_code"] == "unauthorized"
    good = httpx.get(direct, headers={"X-TT-Identity": mint_identity(key, user_id=user.id)})
    assert good.status_code == 200


def test_unknown_paths_and_internal_routes_are_json_404(gateway_url: str) -> None:
    for path in ("/nope", "/internal/verify", "/_gateway/errors/500", "/api/v9/anything"):
        r = httpx.get(gateway_url + path, timeout=TIMEOUT)
        body = assert_error(r, 404, "not_found")
        assert body["error"] == "Not found"


def test_an_oversized_body_is_413_json(gateway_url: str) -> None:
    r = httpx.post(
        gateway_url + "/api/v1/auth/login",
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    assert_error(r, 413, "payload_too_large")


def test_info_and_app_login_need_no_token(gateway_url: str, user: User) -> None:
    assert httpx.get(gateway_url + "/api/v1/info").status_code == 200
    assert httpx.get(gateway_url + "/api/v1/health").json()["status"] == "healthy"
    r = httpx.post(
        gateway_url + "/api/v1/auth/login",
        json={"username": user.username, "password": user.password},
    )
    assert r.status_code == 200
