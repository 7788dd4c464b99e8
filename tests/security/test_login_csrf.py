"""Finding 14: a cross-site page cannot sign a browser in (login CSRF): ``POST /login``
takes JSON only as ``application/json`` (which a cross-site form cannot send without a
preflight), and an ``Origin`` that is not ours, ``null`` included, is refused."""

from __future__ import annotations

import json

import httpx

from support.api import TIMEOUT, User, assert_error


def test_origin_null_with_a_text_plain_json_body_gets_no_session(
    gateway_url: str, user: User
) -> None:
    with httpx.Client(base_url=gateway_url, timeout=TIMEOUT) as browser:
        r = browser.post(
            "/login",
            content=json.dumps({"username": user.username, "password": user.password}),
            headers={"Origin": "null", "Content-Type": "text/plain"},
        )
        assert r.status_code in (403, 415), r.text
        assert "tt_session" not in browser.cookies


def test_a_text_plain_json_body_is_415(gateway_url: str, user: User) -> None:
    with httpx.Client(base_url=gateway_url, timeout=TIMEOUT) as browser:
        r = browser.post(
            "/login",
            content=json.dumps({"username": user.username, "password": user.password}),
            headers={"Content-Type": "text/plain"},
        )
        assert_error(r, 415, "unsupported_media_type")
        assert "tt_session" not in browser.cookies


def test_origin_null_with_json_is_refused(gateway_url: str, user: User) -> None:
    with httpx.Client(base_url=gateway_url, timeout=TIMEOUT) as browser:
        r = browser.post(
            "/login",
            json={"username": user.username, "password": user.password},
            headers={"Origin": "null"},
        )
        assert_error(r, 403, "forbidden")
        assert "tt_session" not in browser.cookies


def test_same_origin_and_absent_origin_still_sign_in(gateway_url: str, user: User) -> None:
    for headers in ({}, {"Origin": gateway_url}):
        with httpx.Client(base_url=gateway_url, timeout=TIMEOUT) as browser:
            r = browser.post(
                "/login",
                json={"username": user.username, "password": user.password},
                headers=headers,
            )
            assert r.status_code == 200, r.text
            assert "tt_session" in browser.cookies
