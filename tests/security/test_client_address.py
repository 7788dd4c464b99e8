"""Finding 7: the per-address login limit counts the rightmost ``X-Forwarded-For`` address
that is not a trusted proxy, so a client behind a proxy that appends cannot pick its own.
Sent straight to auth from loopback, which plays the trusted proxy (the gateway)."""

from __future__ import annotations

import httpx
from authkit import fresh_address

from support.api import TIMEOUT, User, assert_error, unique
from support.platform import PlatformInfo


def _login(base: str, body: dict[str, str], forwarded_for: str) -> httpx.Response:
    return httpx.post(
        base + "/api/v1/auth/login",
        json=body,
        headers={"X-Forwarded-For": forwarded_for},
        timeout=TIMEOUT,
    )


def test_a_client_cannot_choose_its_address_by_prepending_one(
    platform: PlatformInfo, user: User
) -> None:
    base = platform.service_url("auth")
    real = fresh_address()
    for _ in range(5):
        body = {"username": unique("nobody"), "password": "guess-1234"}
        # What a proxy that appends makes of a client-sent "X-Forwarded-For: <anything>".
        assert _login(base, body, f"{fresh_address()}, {real}").status_code == 401
    right = {"username": user.username, "password": user.password}
    assert_error(_login(base, right, f"{fresh_address()}, {real}"), 429, "rate_limited")


def test_trusted_proxies_on_the_right_are_skipped(platform: PlatformInfo, user: User) -> None:
    base = platform.service_url("auth")
    real = fresh_address()
    for _ in range(5):
        body = {"username": unique("nobody"), "password": "guess-1234"}
        chain = f"{fresh_address()}, {real}, 127.0.0.1, ::1"
        assert _login(base, body, chain).status_code == 401
    right = {"username": user.username, "password": user.password}
    assert_error(_login(base, right, real), 429, "rate_limited")
