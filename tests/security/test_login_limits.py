"""Finding 2: login attempts are counted before the password is checked, atomically, in one
counter per username and one per client address shared by ``POST /login`` and
``POST /api/v1/auth/login``. Straight to auth with client addresses of their own (auth
trusts the loopback proxy's ``X-Forwarded-For``), so the shared loopback address is never
locked out."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from authkit import fresh_address

from support.api import TIMEOUT, User, assert_error, unique
from support.platform import PlatformInfo


def _login(base: str, path: str, body: dict[str, str], address: str) -> httpx.Response:
    return httpx.post(base + path, json=body, headers={"X-Forwarded-For": address}, timeout=TIMEOUT)


def test_parallel_wrong_passwords_get_at_most_five_401s(platform: PlatformInfo, user: User) -> None:
    base = platform.service_url("auth")
    body = {"username": user.username, "password": "wrong-guess"}
    with ThreadPoolExecutor(20) as pool:
        answers = list(
            pool.map(lambda _: _login(base, "/api/v1/auth/login", body, fresh_address()), range(20))
        )
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(401) <= 5, statuses
    assert statuses.count(429) >= 15, statuses
    assert set(statuses) <= {401, 429}, statuses


def test_one_username_counter_across_app_and_browser_logins(
    platform: PlatformInfo, user: User
) -> None:
    base = platform.service_url("auth")
    wrong = {"username": user.username, "password": "wrong-guess"}
    for path in ("/api/v1/auth/login", "/login", "/api/v1/auth/login", "/login", "/login"):
        assert _login(base, path, wrong, fresh_address()).status_code == 401
    right = {"username": user.username, "password": user.password}
    assert_error(_login(base, "/api/v1/auth/login", right, fresh_address()), 429, "rate_limited")
    assert_error(_login(base, "/login", right, fresh_address()), 429, "rate_limited")


def test_one_address_counter_across_app_and_browser_logins(
    platform: PlatformInfo, user: User
) -> None:
    base = platform.service_url("auth")
    address = fresh_address()
    for i in range(5):
        path = "/login" if i % 2 else "/api/v1/auth/login"
        body = {"username": unique("nobody"), "password": "guess-1234"}
        assert _login(base, path, body, address).status_code == 401
    right = {"username": user.username, "password": user.password}
    assert_error(_login(base, "/login", right, address), 429, "rate_limited")
    assert_error(_login(base, "/api/v1/auth/login", right, address), 429, "rate_limited")


def test_a_success_does_not_count(platform: PlatformInfo, user: User) -> None:
    base = platform.service_url("auth")
    right = {"username": user.username, "password": user.password}
    for _ in range(8):
        assert _login(base, "/login", right, fresh_address()).status_code == 200
    wrong = {"username": user.username, "password": "wrong-guess"}
    for _ in range(5):
        assert _login(base, "/api/v1/auth/login", wrong, fresh_address()).status_code == 401
    assert_error(_login(base, "/login", right, fresh_address()), 429, "rate_limited")
