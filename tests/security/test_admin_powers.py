"""Findings 3 and 5: admin powers through a token come from ``admin:all`` alone, and only
while its owner is an admin; demotion, deactivation and a password change end the user's
sessions and app-login tokens at once."""

from __future__ import annotations

import httpx

from support.api import TIMEOUT, User, Users, assert_error, browser_session, token_client
from support.platform import PlatformInfo


def _app_login(gateway_url: str, user: User) -> httpx.Client:
    r = httpx.post(
        gateway_url + "/api/v1/auth/login",
        json={"username": user.username, "password": user.password},
        timeout=TIMEOUT,
    )
    assert r.status_code == 200, r.text
    return token_client(gateway_url, r.json()["token"])


def test_a_demoted_admins_token_is_no_longer_admin(users: Users, admin_api: httpx.Client) -> None:
    admin = users.create(is_admin=True)
    assert admin.api.get("/api/v1/admin/users").status_code == 200
    r = admin_api.put(f"/api/v1/admin/users/{admin.id}", json={"is_admin": False})
    assert r.status_code == 200, r.text
    assert_error(admin.api.get("/api/v1/admin/users"), 403, "forbidden")
    # ... and cannot promote itself back.
    r = admin.api.put(f"/api/v1/admin/users/{admin.id}", json={"is_admin": True})
    assert_error(r, 403, "forbidden")
    assert admin_api.get(f"/api/v1/admin/users/{admin.id}").json()["user"]["is_admin"] is False


def test_demotion_ends_sessions_and_app_login_tokens(
    gateway_url: str, users: Users, admin_api: httpx.Client
) -> None:
    admin = users.create(is_admin=True)
    app = _app_login(gateway_url, admin)
    browser = browser_session(gateway_url, admin.username, admin.password)
    assert app.get("/api/v1/users/me").status_code == 200
    assert browser.get("/api/version/check").status_code == 200
    r = admin_api.put(f"/api/v1/admin/users/{admin.id}", json={"is_admin": False})
    assert r.status_code == 200, r.text
    assert_error(app.get("/api/v1/users/me"), 401, "unauthorized")
    assert_error(browser.get("/api/version/check"), 401, "unauthorized")


def test_password_change_ends_sessions_and_app_login_tokens(
    gateway_url: str, user: User, admin_api: httpx.Client
) -> None:
    app = _app_login(gateway_url, user)
    browser = browser_session(gateway_url, user.username, user.password)
    assert browser.get("/api/search", params={"q": "ab"}).status_code == 200
    r = admin_api.put(f"/api/v1/admin/users/{user.id}", json={"password": "a-new-password-1"})
    assert r.status_code == 200, r.text
    assert_error(app.get("/api/v1/users/me"), 401, "unauthorized")
    assert_error(browser.get("/api/search", params={"q": "ab"}), 401, "unauthorized")
    # A token an admin issued is not an app login: it keeps working.
    assert user.api.get("/api/v1/users/me").status_code == 200


def test_deactivation_revokes_app_login_tokens_for_good(
    gateway_url: str, user: User, admin_api: httpx.Client
) -> None:
    app = _app_login(gateway_url, user)
    assert admin_api.delete(f"/api/v1/admin/users/{user.id}").status_code == 200
    assert_error(app.get("/api/v1/users/me"), 401, "unauthorized")
    r = admin_api.put(f"/api/v1/admin/users/{user.id}", json={"is_active": True})
    assert r.status_code == 200, r.text
    assert_error(app.get("/api/v1/users/me"), 401, "unauthorized")


def test_an_admins_narrow_token_is_an_ordinary_token(
    platform: PlatformInfo, users: Users, user: User
) -> None:
    admin = users.create(is_admin=True, scopes=["read:projects"])
    r = user.api.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["tt.project.*"]}
    )
    assert r.status_code == 201, r.text
    hook_id = r.json()["webhook"]["id"]
    try:
        listed = admin.api.get("/api/v1/webhooks", params={"per_page": 100})
        assert listed.status_code == 200, listed.text
        assert hook_id not in [w["id"] for w in listed.json()["webhooks"]]
        assert_error(admin.api.get(f"/api/v1/webhooks/{hook_id}"), 404, "not_found")
        r = admin.api.post(f"/api/v1/webhooks/{hook_id}/rotate-secret")
        assert_error(r, 404, "not_found")
        r = admin.api.put(f"/api/v1/webhooks/{hook_id}", json={"url": "http://127.0.0.1:8/x"})
        assert_error(r, 404, "not_found")
        assert_error(admin.api.get("/api/v1/admin/users"), 403, "forbidden")
        r = admin.api.get("/api/v1/time-entries", params={"user_id": user.id})
        assert r.status_code == 403, r.text
    finally:
        user.api.delete(f"/api/v1/webhooks/{hook_id}")
