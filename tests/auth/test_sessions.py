"""Browser sessions through the gateway: ``POST /login`` (JSON and form), the cookie,
CSRF on unsafe requests, logout, the login page and the admin token page."""

from __future__ import annotations

import re
from contextlib import closing

import httpx

from support.api import TIMEOUT, User, assert_error, browser_session


def test_json_login_answers_the_user_and_a_csrf_token(gateway_url: str, user: User) -> None:
    with httpx.Client(base_url=gateway_url, timeout=TIMEOUT) as browser:
        r = browser.post("/login", json={"username": user.username, "password": user.password})
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"user", "csrf_token"}
        assert body["user"]["id"] == user.id
        assert "password" not in str(body).lower()
        assert len(body["csrf_token"]) >= 32
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("tt_session=")
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
        assert "Path=/" in cookie
        assert r.headers["Cache-Control"] == "no-store"


def test_form_login_redirects_to_next_and_never_off_site(gateway_url: str, user: User) -> None:
    form = {"username": user.username, "password": user.password}
    with httpx.Client(base_url=gateway_url, timeout=TIMEOUT) as browser:
        r = browser.post("/login", data={**form, "next": "/admin/api-tokens?page=2"})
        assert r.status_code == 303
        assert r.headers["Location"] == "/admin/api-tokens?page=2"
        assert "tt_session" in browser.cookies
        for hostile in (
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:x",
        ):
            r = browser.post("/login", data={**form, "next": hostile})
            assert r.headers["Location"] == "/dashboard/productivity", hostile


def test_wrong_credentials_are_401_for_json_and_an_error_page_for_forms(
    gateway_url: str, user: User
) -> None:
    with httpx.Client(base_url=gateway_url, timeout=TIMEOUT) as browser:
        r = browser.post("/login", json={"username": user.username, "password": "nope-nope"})
        body = assert_error(r, 401, "unauthorized")
        assert body["error"] == "Invalid username or password"
        assert "set-cookie" not in r.headers
        page = browser.post("/login", data={"username": user.username, "password": "nope-nope"})
        assert page.status_code == 401
        assert "text/html" in page.headers["content-type"]
        assert "Invalid username or password" in page.text


def test_each_login_gets_a_new_session_and_the_old_one_ends(gateway_url: str, user: User) -> None:
    with httpx.Client(base_url=gateway_url, timeout=TIMEOUT) as browser:
        credentials = {"username": user.username, "password": user.password}
        first = browser.post("/login", json=credentials)
        old_cookie = browser.cookies["tt_session"]
        second = browser.post("/login", json=credentials)
        assert browser.cookies["tt_session"] != old_cookie
        assert first.json()["csrf_token"] != second.json()["csrf_token"]
    with httpx.Client(base_url=gateway_url, timeout=TIMEOUT) as stale:
        stale.cookies.set("tt_session", old_cookie)
        r = stale.get("/admin/api-tokens", headers={"Accept": "text/html"})
        assert r.status_code == 302  # the old session is gone: back to the login page
        assert r.headers["Location"].startswith(gateway_url + "/login?next=")


def test_csrf_is_required_for_unsafe_session_requests(gateway_url: str, admin_user: User) -> None:
    with closing(browser_session(gateway_url, admin_user.username, admin_user.password)) as browser:
        csrf = browser.headers.pop("X-CSRF-Token")
        missing = browser.post("/api/version/dismiss", json={"latest_version": "9.9.9"})
        assert_error(missing, 403, "forbidden")
        ok = browser.post(
            "/api/version/dismiss",
            json={"latest_version": "9.9.9"},
            headers={"X-CSRF-Token": csrf},
        )
        assert ok.status_code == 200, ok.text
        assert ok.json()["ok"] is True


def test_logout_ends_the_session(gateway_url: str, user: User) -> None:
    with closing(browser_session(gateway_url, user.username, user.password)) as browser:
        cookie = browser.cookies["tt_session"]
        csrf = browser.headers.pop("X-CSRF-Token")
        refused = browser.post("/logout")
        assert_error(refused, 403, "forbidden")
        r = browser.post("/logout", headers={"X-CSRF-Token": csrf})
        assert r.status_code == 200
        assert r.json() == {"message": "Logged out"}
    with httpx.Client(base_url=gateway_url, timeout=TIMEOUT) as replay:
        replay.cookies.set("tt_session", cookie)
        assert_error(replay.get("/api/version/check"), 401, "unauthorized")


def test_a_cross_site_login_is_refused(gateway_url: str, user: User) -> None:
    with httpx.Client(base_url=gateway_url, timeout=TIMEOUT) as browser:
        r = browser.post(
            "/login",
            data={"username": user.username, "password": user.password},
            headers={"Origin": "https://evil.example"},
        )
        assert_error(r, 403, "forbidden")
        assert "tt_session" not in browser.cookies


def test_the_login_page_is_a_form(gateway_url: str) -> None:
    r = httpx.get(gateway_url + "/login", params={"next": "/dashboard/productivity"})
    assert r.status_code == 200
    assert "text/html" in r.headers["content-type"]
    assert '<form method="post" action="/login"' in r.text
    assert 'value="/dashboard/productivity"' in r.text
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    hostile = httpx.get(gateway_url + "/login", params={"next": '"><script>alert(1)</script>'})
    assert "<script>alert" not in hostile.text


def test_the_admin_token_page_creates_and_revokes_tokens(
    gateway_url: str, admin_user: User, user: User, admin_api: httpx.Client
) -> None:
    with closing(browser_session(gateway_url, admin_user.username, admin_user.password)) as browser:
        page = browser.get("/admin/api-tokens", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "text/html" in page.headers["content-type"]
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
        assert meta is not None
        assert meta.group(1) == browser.headers["X-CSRF-Token"]
        assert "read:time_entries" in page.text  # the scope choices
        created = browser.post(
            "/admin/api-tokens",
            json={"name": "from the page", "user_id": user.id, "scopes": ["read:users"]},
        )
        assert created.status_code == 201, created.text
        text = created.json()["token"]
        token_id = created.json()["api_token"]["id"]
        with httpx.Client(base_url=gateway_url, headers={"X-API-Key": text}) as client:
            assert client.get("/api/v1/users/me").status_code == 200
            listed = browser.get("/admin/api-tokens").text
            assert "from the page" in listed
            assert text not in listed
            assert browser.delete(f"/admin/api-tokens/{token_id}").status_code == 200
            assert_error(client.get("/api/v1/users/me"), 401, "unauthorized")
        got = admin_api.get(f"/api/v1/admin/api-tokens/{token_id}").json()["api_token"]
        assert got["is_active"] is False


def test_the_admin_page_without_a_session_sends_browsers_to_login(gateway_url: str) -> None:
    r = httpx.get(gateway_url + "/admin/api-tokens", headers={"Accept": "text/html"})
    assert r.status_code == 302
    assert r.headers["Location"] == gateway_url + "/login?next=%2Fadmin%2Fapi-tokens"
    assert_error(httpx.get(gateway_url + "/admin/api-tokens"), 401, "unauthorized")
