"""The admin version check against a release feed served here, dismissals per admin and
version, and clear answers when the feed is down or malformed."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from authkit import DOWN, Feed, extra_auth

from support.api import TIMEOUT, User, Users, assert_error, mint_identity
from support.platform import PlatformInfo

RELEASE = {
    "tag_name": "v1.3.0",
    "body": "Faster timers",
    "published_at": "2026-04-01T10:00:00Z",
    "html_url": "https://example.test/releases/v1.3.0",
}


@pytest.fixture(scope="module")
def feed() -> Iterator[Feed]:
    with Feed() as served:
        yield served


@pytest.fixture(scope="module")
def versioned_auth(platform: PlatformInfo, feed: Feed) -> Iterator[str]:
    """An auth process at version 1.2.0 reading the local feed, with no cache."""
    with extra_auth(
        platform,
        TT_VERSION="1.2.0",
        TT_AUTH_RELEASE_FEED_URL=feed.url + "/latest.json",
        TT_AUTH_RELEASE_CACHE_SECONDS="0",
        TT_AUTH_RELEASE_FEED_TIMEOUT_SECONDS="2",
    ) as url:
        yield url


def as_admin(platform: PlatformInfo, admin: User, auth_method: str = "session") -> dict[str, str]:
    identity = mint_identity(
        platform.secrets["identity_private_key"],
        user_id=admin.id,
        username=admin.username,
        is_admin=True,
        scopes=["admin:all"],
        auth_method=auth_method,
    )
    return {"X-TT-Identity": identity}


def check(base: str, headers: dict[str, str]) -> dict[str, object]:
    r = httpx.get(base + "/api/version/check", headers=headers, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_a_newer_release_is_offered_until_dismissed(
    platform: PlatformInfo, feed: Feed, versioned_auth: str, users: Users
) -> None:
    admin = users.create(is_admin=True)
    other_admin = users.create(is_admin=True)
    feed.serve("/latest.json", RELEASE)
    headers = as_admin(platform, admin)
    assert check(versioned_auth, headers) == {
        "update_available": True,
        "current_version": "1.2.0",
        "latest_version": "1.3.0",
        "release_notes": "Faster timers",
        "published_at": "2026-04-01T10:00:00Z",
        "release_url": "https://example.test/releases/v1.3.0",
        "check_status": "ok",
        "check_message": None,
    }
    r = httpx.post(
        versioned_auth + "/api/version/dismiss", json={"latest_version": "v1.3.0"}, headers=headers
    )
    assert r.status_code == 200
    assert r.json()["ok"] is True
    assert check(versioned_auth, headers)["update_available"] is False
    # Dismissal is per admin, and per version: a newer release is offered again.
    assert check(versioned_auth, as_admin(platform, other_admin))["update_available"] is True
    feed.serve("/latest.json", {**RELEASE, "tag_name": "v1.4.0"})
    assert check(versioned_auth, headers)["latest_version"] == "1.4.0"
    assert check(versioned_auth, headers)["update_available"] is True


@pytest.mark.parametrize(
    ("doc", "status", "expected"),
    [
        ({**RELEASE, "tag_name": "v1.2.0"}, 200, "ok"),
        ({**RELEASE, "tag_name": "v1.1.9"}, 200, "ok"),
        ([{**RELEASE, "draft": True, "tag_name": "v9.0.0"}, RELEASE], 200, "ok"),
        (b"<html>not json</html>", 200, "invalid"),
        ({"tag_name": "latest-and-greatest"}, 200, "invalid"),
        ([1, 2, 3], 200, "invalid"),
        ({"message": "boom"}, 500, "unavailable"),
        ({"message": "rate limited"}, 403, "unavailable"),
    ],
)
def test_the_feed_answer_is_judged_never_a_500(
    platform: PlatformInfo,
    feed: Feed,
    versioned_auth: str,
    admin_user: User,
    doc: object,
    status: int,
    expected: str,
) -> None:
    feed.serve("/latest.json", doc, status=status)
    body = check(versioned_auth, as_admin(platform, admin_user, "token"))
    assert body["check_status"] == expected
    assert body["current_version"] == "1.2.0"
    if expected != "ok":
        assert body["update_available"] is False
        assert body["latest_version"] is None
        assert isinstance(body["check_message"], str)
    else:
        assert body["update_available"] is (body["latest_version"] == "1.3.0")


def test_a_feed_that_does_not_answer_is_reported(
    platform: PlatformInfo, feed: Feed, versioned_auth: str, admin_user: User
) -> None:
    feed.serve("/latest.json", RELEASE, status=DOWN)
    body = check(versioned_auth, as_admin(platform, admin_user))
    assert body["check_status"] == "unavailable"
    assert body["update_available"] is False
    assert body["check_message"] == "The release feed could not be reached"


def test_dismiss_needs_a_version(
    platform: PlatformInfo, versioned_auth: str, admin_user: User
) -> None:
    headers = as_admin(platform, admin_user)
    for body in ({}, {"latest_version": "soon"}, {"latest_version": 4}, [1]):
        r = httpx.post(versioned_auth + "/api/version/dismiss", json=body, headers=headers)
        assert_error(r, 400, "validation_error")


def test_through_the_gateway_admins_only(
    admin_user: User, user: User, admin_api: httpx.Client
) -> None:
    body = admin_user.api.get("/api/version/check")
    assert body.status_code == 200
    assert body.json()["check_status"] == "not_configured"  # no feed on the test platform
    assert body.json()["update_available"] is False
    assert admin_user.api.post("/api/version/check").status_code == 200
    denied = assert_error(user.api.get("/api/version/check"), 403, "forbidden")
    assert denied["required_scope"] == "admin:all"
    # No deprecation headers here: these routes have no v1 successor.
    assert "X-API-Deprecated" not in body.headers
    assert "Deprecation" not in body.headers
