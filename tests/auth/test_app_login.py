"""What the reference apps (desktop, mobile, extension) need from auth: ``/api/v1/info``
without a token, ``/api/v1/auth/login`` issuing a token, and ``/api/v1/users/me`` in the
reference server's shape. Limits are exercised straight against auth with a client
address of their own, so they never lock the shared loopback address out."""

from __future__ import annotations

import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from authkit import extra_auth, fresh_address

from support.api import TIMEOUT, User, Users, assert_error, mint_identity, token_client, unique
from support.platform import PlatformInfo
from tt.common.identity import USER_SCOPES

LOGIN_FAILED = {
    "error": "Invalid username or password",
    "message": "Invalid username or password",
    "error_code": "unauthorized",
}


def app_login(base: str, body: object, address: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": address} if address else {}
    return httpx.post(base + "/api/v1/auth/login", json=body, headers=headers, timeout=TIMEOUT)


def test_info_needs_no_token_and_has_what_the_apps_read(gateway_url: str) -> None:
    r = httpx.get(gateway_url + "/api/v1/info", timeout=TIMEOUT)
    assert r.status_code == 200
    info = r.json()
    assert info["api_version"] == "v1"
    assert isinstance(info["app_version"], str)
    assert info["app_version"]
    assert info["documentation_url"] == "/api/docs"
    assert info["setup_required"] is False
    assert isinstance(info["authentication"], str)
    assert isinstance(info["enabled_modules"], list)
    assert all(isinstance(m, str) for m in info["enabled_modules"])
    assert isinstance(info["endpoints"], dict)
    assert info["endpoints"]["projects"] == "/api/v1/projects"
    assert info["endpoints"]["time_entries"] == "/api/v1/time-entries"
    assert isinstance(info["timezone"], str)


def test_info_is_limited_per_client_address(platform: PlatformInfo) -> None:
    base = platform.service_url("auth")
    address = fresh_address()
    with httpx.Client(base_url=base, headers={"X-Forwarded-For": address}) as client:
        answers = [client.get("/api/v1/info") for _ in range(121)]
    assert all(a.status_code == 200 for a in answers[:120])
    limited = assert_error(answers[120], 429, "rate_limited")
    assert int(answers[120].headers["Retry-After"]) >= 1
    assert limited["error"] == "Rate limit exceeded"
    # Another address is not affected.
    other = httpx.get(base + "/api/v1/info", headers={"X-Forwarded-For": fresh_address()})
    assert other.status_code == 200


def test_login_answers_exactly_a_new_token(
    gateway_url: str, user: User, admin_api: httpx.Client
) -> None:
    r = app_login(gateway_url, {"username": user.username, "password": user.password})
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"token"}
    token = r.json()["token"]
    assert re.fullmatch(r"tt_[A-Za-z0-9]{32}", token)
    with token_client(gateway_url, token) as app:
        me = app.get("/api/v1/users/me")
        assert me.status_code == 200
        assert me.json()["user"]["id"] == user.id
    listed = admin_api.get("/api/v1/admin/api-tokens", params={"user_id": user.id}).json()
    issued = listed["api_tokens"][0]
    assert issued["name"] == f"App login - {user.username}"
    assert sorted(issued["scopes"]) == sorted(USER_SCOPES)
    expires = datetime.fromisoformat(issued["expires_at"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=90))) < timedelta(minutes=5)
    # It can be revoked like any token, and the app is then signed out.
    assert admin_api.delete(f"/api/v1/admin/api-tokens/{issued['id']}").status_code == 200
    with token_client(gateway_url, token) as app:
        assert_error(app.get("/api/v1/users/me"), 401, "unauthorized")


def test_an_admin_login_gets_admin_all_and_usernames_are_case_insensitive(
    gateway_url: str, admin_user: User, admin_api: httpx.Client
) -> None:
    body = {"username": f"  {admin_user.username.upper()} ", "password": admin_user.password}
    r = app_login(gateway_url, body)
    assert r.status_code == 200, r.text
    listed = admin_api.get("/api/v1/admin/api-tokens", params={"user_id": admin_user.id}).json()
    assert listed["api_tokens"][0]["scopes"] == ["admin:all"]


def test_every_failure_gets_the_same_401(platform: PlatformInfo, users: Users) -> None:
    base = platform.service_url("auth")
    known = users.create()
    inactive = users.create()
    assert users.admin.delete(f"/api/v1/admin/users/{inactive.id}").is_success
    cases: list[object] = [
        {"username": known.username, "password": "wrong-password"},
        {"username": unique("ghost"), "password": "whatever-it-is"},
        {"username": inactive.username, "password": inactive.password},
        {"username": known.username},
        {"password": known.password},
        {},
        {"username": 12, "password": ["x"]},
        {"username": "x" * 10_000, "password": "whatever-it-is"},
    ]
    for body in cases:
        r = app_login(base, body, fresh_address())
        assert r.status_code == 401, (body, r.text)
        assert r.json() == LOGIN_FAILED, body
    # Text no database can store is refused at every service's edge, before any check:
    # malformed input (like malformed JSON), the same 400 whoever the name would be.
    r = app_login(base, {"username": "nul\x00user", "password": "whatever-it-is"}, fresh_address())
    assert_error(r, 400, "validation_error")


@pytest.mark.parametrize(
    ("content", "status"),
    [(b"{not json", 400), (b"[1, 2]", 400), (b'"text"', 400), (b"x" * (10 * 1024 * 1024), 413)],
)
def test_bad_bodies_are_4xx_with_the_error_body(
    platform: PlatformInfo, content: bytes, status: int
) -> None:
    r = httpx.post(
        platform.service_url("auth") + "/api/v1/auth/login",
        content=content,
        headers={"Content-Type": "application/json", "X-Forwarded-For": fresh_address()},
        timeout=TIMEOUT,
    )
    assert r.status_code == status
    assert set(r.json()) >= {"error", "message", "error_code"}


def test_five_failures_per_username_then_429_even_with_the_right_password(
    platform: PlatformInfo, user: User
) -> None:
    base = platform.service_url("auth")
    for _ in range(5):
        r = app_login(base, {"username": user.username, "password": "bad-guess"}, fresh_address())
        assert r.status_code == 401
    blocked = app_login(
        base, {"username": user.username, "password": user.password}, fresh_address()
    )
    assert_error(blocked, 429, "rate_limited")
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60


def test_five_failures_per_address_then_429_for_anyone(platform: PlatformInfo, user: User) -> None:
    base = platform.service_url("auth")
    address = fresh_address()
    for _ in range(5):
        r = app_login(base, {"username": unique("nobody"), "password": "guess-1234"}, address)
        assert r.status_code == 401
    blocked = app_login(base, {"username": user.username, "password": user.password}, address)
    assert_error(blocked, 429, "rate_limited")
    assert int(blocked.headers["Retry-After"]) >= 1
    # The user can still sign in from elsewhere: the limit is per address and username.
    fine = app_login(base, {"username": user.username, "password": user.password}, fresh_address())
    assert fine.status_code == 200


def test_unknown_user_and_wrong_password_take_the_same_time(platform: PlatformInfo) -> None:
    # The test platform hashes cheaply; here auth runs with the production argon2 cost,
    # so skipping the hash for unknown users would show as tens of milliseconds.
    with extra_auth(
        platform, TT_AUTH_ARGON2_TIME_COST="2", TT_AUTH_ARGON2_MEMORY_KIB="19456"
    ) as base:
        admin = {
            "X-TT-Identity": mint_identity(
                platform.secrets["identity_private_key"], user_id=1, is_admin=True,
                scopes=["admin:all"],
            )
        }  # fmt: skip
        owners = []  # created by this process, so their hashes carry its cost
        for _ in range(13):  # 4 tries each stays under the per-username limit
            name = unique("timed")
            r = httpx.post(
                base + "/api/v1/admin/users",
                json={"username": name, "password": "right-password"},
                headers=admin,
                timeout=TIMEOUT,
            )
            assert r.status_code == 201, r.text
            owners.append(name)
        differences = _paired_login_times(base, owners)
    median = statistics.median(differences)
    assert abs(median) < 0.005, f"median difference {median * 1000:.1f} ms"


def _paired_login_times(base: str, owners: list[str]) -> list[float]:
    """Wrong-password minus unknown-user time, 50 times; each pair runs at the same moment,
    so the machine's load weighs on both alike."""

    def timed(client: httpx.Client, body: dict[str, str]) -> float:
        started = time.perf_counter()
        r = client.post(
            "/api/v1/auth/login", json=body, headers={"X-Forwarded-For": fresh_address()}
        )
        elapsed = time.perf_counter() - started
        assert r.status_code == 401
        assert r.json() == LOGIN_FAILED
        return elapsed

    differences: list[float] = []
    with (
        httpx.Client(base_url=base, timeout=TIMEOUT) as first,
        httpx.Client(base_url=base, timeout=TIMEOUT) as second,
        ThreadPoolExecutor(2) as pool,
    ):
        for i in range(50):
            owner = owners[i % len(owners)]
            wrong = {"username": owner, "password": f"wrong-{i}"}
            ghost = {"username": unique("ghost"), "password": f"wrong-{i}"}
            # Whichever is sent first waits less for the server: alternate the order.
            if i % 2:
                wrong_time = pool.submit(timed, first, wrong)
                ghost_time = pool.submit(timed, second, ghost)
            else:
                ghost_time = pool.submit(timed, second, ghost)
                wrong_time = pool.submit(timed, first, wrong)
            differences.append(wrong_time.result() - ghost_time.result())
    return differences


def test_users_me_has_the_reference_servers_shape(user: User) -> None:
    r = user.api.get("/api/v1/users/me")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"user", "time_entry_requirements", "enabled_modules"}
    me = body["user"]
    for field, kind in {
        "id": int, "username": str, "email": str, "role": str, "is_admin": bool,
        "date_format": str, "time_format": str, "timezone": str, "is_active": bool,
        "display_name": str, "status": str, "standard_hours_per_day": float,
    }.items():  # fmt: skip
        assert isinstance(me[field], kind), (field, me[field])
    assert me["role"] == "user"
    assert me["date_format"] == "YYYY-MM-DD"
    assert me["time_format"] == "24h"
    assert {"full_name", "created_at", "last_login", "total_hours", "avatar_url"} <= set(me)
    assert body["time_entry_requirements"] == {
        "require_task": False,
        "require_description": False,
        "description_min_length": 20,
    }
    assert "projects" in body["enabled_modules"]
    assert "calendar" not in body["enabled_modules"]  # tt serves no calendar


def test_users_me_needs_read_users(users: Users) -> None:
    limited = users.create(scopes=["read:projects"])
    body = assert_error(limited.api.get("/api/v1/users/me"), 403, "forbidden")
    assert body["required_scope"] == "read:users"
    assert body["available_scopes"] == ["read:projects"]
