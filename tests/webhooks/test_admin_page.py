"""The ``/admin/webhooks`` page and its calls: an administrator's browser session, with
the session's CSRF token on every unsafe call. The identity is signed as auth signs a
session's (auth method ``session``, ``csrf`` claim) and sent straight to the service."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import httpx
import pytest
from webhook_kit import Hooks, direct_client
from webhook_receivers import verify

from support.api import TIMEOUT, User, assert_error, browser_session, wait_until
from support.platform import PlatformInfo
from tt.common.identity import ADMIN_SCOPE, USER_SCOPES, Identity, IdentitySigner


def session_client(
    platform: PlatformInfo, *, is_admin: bool, csrf: str, send_csrf: str | None = None
) -> httpx.Client:
    signer = IdentitySigner(platform.secrets["identity_private_key"])
    identity = Identity(
        user_id=secrets.randbelow(2**40) + 1_000_000,
        username="browser",
        is_admin=is_admin,
        scopes=frozenset([ADMIN_SCOPE] if is_admin else USER_SCOPES),
        auth_method="session",
        csrf_token=csrf,
    )

    def sign(request: httpx.Request) -> None:
        request.headers["X-TT-Identity"] = signer.sign(identity)

    headers = {"X-CSRF-Token": send_csrf} if send_csrf is not None else {}
    return httpx.Client(
        base_url=platform.service_url("webhooks"),
        headers=headers,
        timeout=TIMEOUT,
        event_hooks={"request": [sign]},
    )


@pytest.fixture
def browser(platform: PlatformInfo) -> Iterator[httpx.Client]:
    csrf = secrets.token_urlsafe(16)
    with session_client(platform, is_admin=True, csrf=csrf, send_csrf=csrf) as client:
        yield client


def test_the_page_lists_webhooks_with_the_csrf_token_and_strict_headers(
    browser: httpx.Client,
) -> None:
    created = browser.post(
        "/admin/webhooks",
        json={"url": "https://hooks.example.com/<b>x</b>", "events": ["tt.task.*"]},
    )
    assert created.status_code == 201, created.text
    hook_id = created.json()["webhook"]["id"]
    try:
        page = browser.get("/admin/webhooks")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["cache-control"] == "no-store"
        token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert token
        assert token.group(1) == browser.headers["X-CSRF-Token"]
        assert f'data-id="{hook_id}"' in page.text
        assert "&lt;b&gt;x&lt;/b&gt;" in page.text
        assert "<b>x</b>" not in page.text
        assert "whsec_" not in page.text
        script = browser.get("/admin/webhooks/assets/webhooks.js")
        assert script.status_code == 200
        assert "X-CSRF-Token" in script.text
        assert browser.get("/admin/webhooks/assets/other.js").status_code == 404
    finally:
        browser.delete(f"/admin/webhooks/{hook_id}")


def test_unsafe_calls_need_the_sessions_csrf_token(platform: PlatformInfo) -> None:
    csrf = secrets.token_urlsafe(16)
    body = {"url": "https://hooks.example.com/x", "events": ["tt.task.*"]}
    with session_client(platform, is_admin=True, csrf=csrf) as no_header:
        assert no_header.get("/admin/webhooks").status_code == 200  # safe: no token needed
        assert_error(no_header.post("/admin/webhooks", json=body), 403, "forbidden")
    with session_client(platform, is_admin=True, csrf=csrf, send_csrf="wrong") as wrong:
        assert_error(wrong.post("/admin/webhooks", json=body), 403, "forbidden")
    with session_client(platform, is_admin=True, csrf=csrf, send_csrf=csrf) as right:
        r = right.post("/admin/webhooks", json=body)
        assert r.status_code == 201, r.text
        assert right.delete(f"/admin/webhooks/{r.json()['webhook']['id']}").status_code == 200


def test_the_page_is_for_administrators_sessions_only(platform: PlatformInfo) -> None:
    csrf = secrets.token_urlsafe(16)
    with session_client(platform, is_admin=False, csrf=csrf, send_csrf=csrf) as user:
        assert_error(user.get("/admin/webhooks"), 403, "forbidden")
        assert_error(user.get("/admin/webhooks/list"), 403, "forbidden")
    anonymous = httpx.get(platform.service_url("webhooks") + "/admin/webhooks")
    assert_error(anonymous, 401, "unauthorized")
    with direct_client(platform, user_id=5, is_admin=True, scopes=[ADMIN_SCOPE]) as token:
        assert_error(token.get("/admin/webhooks"), 401, "unauthorized")


def test_deliveries_redeliver_test_and_rotate_from_the_page(
    browser: httpx.Client, hooks: Hooks
) -> None:
    receiver = hooks.receiver()
    created = browser.post("/admin/webhooks", json={"url": receiver.url, "events": ["tt.task.*"]})
    assert created.status_code == 201, created.text
    hook_id, secret = created.json()["webhook"]["id"], created.json()["secret"]
    try:
        assert browser.post(f"/admin/webhooks/{hook_id}/test").status_code == 202
        (first,) = hooks.wait_for(receiver, 1)
        assert verify(first, secret)["type"] == "tt.webhook.test"

        def delivered() -> list[dict[str, object]] | None:
            items = browser.get(f"/admin/webhooks/{hook_id}/deliveries").json()["deliveries"]
            return items if items and items[0]["status"] == "delivered" else None

        (delivery,) = wait_until(delivered, what="the test delivery logged")
        r = browser.post(f"/admin/webhooks/{hook_id}/deliveries/{delivery['id']}/redeliver")
        assert r.status_code == 202, r.text

        rotated = browser.post(f"/admin/webhooks/{hook_id}/rotate-secret")
        assert rotated.status_code == 200
        new_secret = rotated.json()["secret"]
        assert new_secret != secret
        second = hooks.wait_for(receiver, 2)[1]
        assert second.webhook_id == first.webhook_id

        listed = browser.get("/admin/webhooks/list").json()
        assert hook_id in [w["id"] for w in listed["webhooks"]]
        r = browser.put(f"/admin/webhooks/{hook_id}", json={"active": False})
        assert r.json()["webhook"]["active"] is False
    finally:
        browser.delete(f"/admin/webhooks/{hook_id}")


def test_the_page_through_the_gateway_with_a_real_session(
    gateway_url: str, admin_user: User, user: User
) -> None:
    browser = browser_session(gateway_url, admin_user.username, admin_user.password)
    someone = browser_session(gateway_url, user.username, user.password)
    try:
        page = browser.get("/admin/webhooks")
        assert page.status_code == 200, page.text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert token
        assert token.group(1) == browser.headers["X-CSRF-Token"]
        body = {"url": "https://hooks.example.com/gw", "events": ["tt.project.*"]}
        r = browser.post("/admin/webhooks", json=body)
        assert r.status_code == 201, r.text
        hook_id = r.json()["webhook"]["id"]
        assert r.json()["webhook"]["user_id"] == admin_user.id
        forged = browser.post(
            f"/admin/webhooks/{hook_id}/rotate-secret", headers={"X-CSRF-Token": "forged"}
        )
        assert_error(forged, 403, "forbidden")
        assert browser.delete(f"/admin/webhooks/{hook_id}").status_code == 200
        assert_error(someone.get("/admin/webhooks"), 403, "forbidden")
    finally:
        browser.close()
        someone.close()
