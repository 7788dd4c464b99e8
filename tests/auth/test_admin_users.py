"""The admin users API through the gateway: create, list, get, update, deactivate, the
user object (never a password), its events, and bad input (4xx, nothing written)."""

from __future__ import annotations

from contextlib import closing

import httpx
import pytest

from support.api import User, Users, assert_error, browser_session, unique
from support.kafka import end_offsets, read_events
from support.platform import PlatformInfo

USER_FIELDS = {
    "id", "username", "email", "full_name", "display_name", "role", "is_admin", "is_active",
    "created_at", "updated_at", "last_login", "total_hours", "avatar_url", "status",
    "date_format", "time_format", "timezone", "standard_hours_per_day",
    "overtime_include_weekends", "default_hourly_rate",
}  # fmt: skip


def no_secret_anywhere(doc: object) -> None:
    text = str(doc).lower()
    assert "password" not in text
    assert "hash" not in text


def test_create_answers_201_with_the_user_and_no_password(admin_api: httpx.Client) -> None:
    name = unique("Alice.")
    r = admin_api.post(
        "/api/v1/admin/users",
        json={
            "username": name,
            "email": f"{name}@example.test",
            "password": "correct horse battery",
            "is_admin": False,
            "timezone": "Europe/Vienna",
            "full_name": "Alice Example",
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["message"]
    user = body["user"]
    assert set(user) == USER_FIELDS
    no_secret_anywhere(body)
    assert user["username"] == name
    assert user["timezone"] == "Europe/Vienna"
    assert user["role"] == "user"
    assert user["is_admin"] is False
    assert user["is_active"] is True
    assert user["display_name"] == "Alice Example"
    assert user["created_at"].endswith("Z")

    got = admin_api.get(f"/api/v1/admin/users/{user['id']}")
    assert got.status_code == 200
    assert got.json() == {"user": user}


def test_list_is_paginated_and_searchable(admin_api: httpx.Client, users: Users) -> None:
    tag = unique("lst")
    for i in range(3):
        users.create(username=f"{tag}{i}")
    r = admin_api.get("/api/v1/admin/users", params={"search": tag, "per_page": 2})
    assert r.status_code == 200
    body = r.json()
    assert [u["username"] for u in body["users"]] == [f"{tag}0", f"{tag}1"]
    assert body["pagination"] == {
        "page": 1, "per_page": 2, "total": 3, "pages": 2, "has_next": True,
        "has_prev": False, "next_page": 2, "prev_page": None,
    }  # fmt: skip
    second = admin_api.get("/api/v1/admin/users", params={"search": tag, "per_page": 2, "page": 2})
    assert [u["username"] for u in second.json()["users"]] == [f"{tag}2"]
    no_secret_anywhere(body)


def test_update_changes_only_what_is_sent_and_publishes_an_event(
    admin_api: httpx.Client, user: User, platform: PlatformInfo
) -> None:
    since = end_offsets(platform.kafka_bootstrap, "tt.auth.users")
    r = admin_api.patch(
        f"/api/v1/admin/users/{user.id}", json={"timezone": "Asia/Tokyo", "full_name": "Zed"}
    )
    assert r.status_code == 200, r.text
    updated = r.json()["user"]
    assert updated["timezone"] == "Asia/Tokyo"
    assert updated["full_name"] == "Zed"
    assert updated["email"] == user.data["email"]
    events = read_events(
        platform.kafka_bootstrap,
        "tt.auth.users",
        since=since,
        until=lambda evs: any(
            e.subject == str(user.id) and e.type == "tt.user.updated" for e in evs
        ),
    )
    # (The fixture's "created" event may arrive in this window too: the relay is async.)
    mine = [e for e in events if e.subject == str(user.id) and e.type != "tt.user.created"]
    assert [e.type for e in mine] == ["tt.user.updated"]
    assert mine[0].data["version"] == 2
    assert mine[0].state["timezone"] == "Asia/Tokyo"
    assert set(mine[0].state) == {
        "id", "username", "email", "full_name", "is_admin", "is_active", "timezone", "role",
        "default_hourly_rate", "created_at", "updated_at",
    }  # fmt: skip


def test_a_new_password_works_and_the_old_one_does_not(
    admin_api: httpx.Client, user: User, gateway_url: str
) -> None:
    r = admin_api.put(f"/api/v1/admin/users/{user.id}", json={"password": "a-brand-new-secret"})
    assert r.status_code == 200
    with httpx.Client(base_url=gateway_url) as browser:
        old = browser.post("/login", json={"username": user.username, "password": user.password})
        assert old.status_code == 401
        new = browser.post(
            "/login", json={"username": user.username, "password": "a-brand-new-secret"}
        )
        assert new.status_code == 200


def test_deactivation_locks_the_user_out_at_once(admin_api: httpx.Client, user: User) -> None:
    assert user.api.get("/api/v1/users/me").status_code == 200
    r = admin_api.delete(f"/api/v1/admin/users/{user.id}")
    assert r.status_code == 200
    assert r.json()["user"]["is_active"] is False
    refused = user.api.get("/api/v1/users/me")
    assert_error(refused, 401, "unauthorized")
    # Reactivation restores access, also at once.
    assert admin_api.patch(f"/api/v1/admin/users/{user.id}", json={"is_active": True}).is_success
    assert user.api.get("/api/v1/users/me").status_code == 200


def test_demoting_an_admin_takes_admin_scope_away_from_their_session(
    admin_api: httpx.Client, admin_user: User, gateway_url: str
) -> None:
    with closing(browser_session(gateway_url, admin_user.username, admin_user.password)) as browser:
        page = browser.get("/admin/api-tokens")
        assert page.status_code == 200
        assert admin_api.patch(
            f"/api/v1/admin/users/{admin_user.id}", json={"is_admin": False}
        ).is_success
        # A demotion ends the user's sessions (docs/api.md §1): signed out, not 403.
        assert_error(browser.get("/admin/api-tokens"), 401, "unauthorized")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "x@example.test", "password": "longenough"}, "username"),
        ({"username": "ok", "email": "x@example.test"}, "password"),
        ({"username": "has space", "password": "longenough"}, "username"),
        ({"username": "x" * 81, "password": "longenough"}, "username"),
        ({"username": "nul\x00name", "password": "longenough"}, "username"),
        ({"username": "ok", "password": "short"}, "password"),
        ({"username": "ok", "password": "longenough", "timezone": "Mars/Olympus"}, "timezone"),
        ({"username": "ok", "password": "longenough", "email": "not-an-email"}, "email"),
        ({"username": "ok", "password": "longenough", "is_admin": "maybe"}, "is_admin"),
        ({"username": "ok", "password": "longenough", "role": "owner"}, "role"),
    ],
)
def test_bad_input_is_400_with_the_field_and_creates_nothing(
    admin_api: httpx.Client, body: dict[str, object], field: str
) -> None:
    tag = unique("bad")
    if "username" in body and body["username"] == "ok":
        body = {**body, "username": tag}
    r = admin_api.post("/api/v1/admin/users", json=body)
    error = assert_error(r, 400, "validation_error")
    assert field in error["errors"], error
    listed = admin_api.get("/api/v1/admin/users", params={"search": tag}).json()
    assert listed["users"] == []


def test_field_errors_keep_their_wording(admin_api: httpx.Client) -> None:
    # The messages these answers have always carried (pydantic's "Value error, " prefix
    # included): clients match them (docs/api.md §2, errors).
    body = {"username": unique("tz"), "password": "longenough1", "timezone": "Mars/Olympus"}
    error = assert_error(admin_api.post("/api/v1/admin/users", json=body), 400, "validation_error")
    assert error["errors"] == {"timezone": ["Value error, Unknown IANA time zone"]}
    body = {"username": unique("em"), "password": "longenough1", "email": "not-an-address"}
    error = assert_error(admin_api.post("/api/v1/admin/users", json=body), 400, "validation_error")
    assert error["errors"] == {"email": ["Value error, Invalid email address"]}


def test_the_hourly_rate_is_a_number_when_created_and_a_decimal_string_after(
    admin_api: httpx.Client,
) -> None:
    # As it has always been answered (docs/api.md §1: add, do not edit); the OpenAPI
    # document says which answer carries which.
    body = {"username": unique("rate"), "password": "longenough1", "default_hourly_rate": 12.5}
    created = admin_api.post("/api/v1/admin/users", json=body)
    assert created.status_code == 201, created.text
    user = created.json()["user"]
    assert user["default_hourly_rate"] == 12.5
    got = admin_api.get(f"/api/v1/admin/users/{user['id']}").json()["user"]
    assert got["default_hourly_rate"] == "12.50"
    assert got["standard_hours_per_day"] == 8.0


def test_malformed_and_non_object_bodies_are_400(admin_api: httpx.Client) -> None:
    r = admin_api.post(
        "/api/v1/admin/users", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(r, 400, "validation_error")
    assert_error(admin_api.post("/api/v1/admin/users", json=[1, 2]), 400, "validation_error")


def test_duplicate_username_or_email_is_409(admin_api: httpx.Client, user: User) -> None:
    r = admin_api.post(
        "/api/v1/admin/users",
        json={"username": user.username.upper(), "password": "longenough1"},
    )
    assert_error(r, 409, "conflict")
    r = admin_api.post(
        "/api/v1/admin/users",
        json={"username": unique(), "password": "longenough1", "email": user.data["email"]},
    )
    assert_error(r, 409, "conflict")


def test_unknown_and_absurd_ids_are_404(admin_api: httpx.Client) -> None:
    # An id that cannot be one names no resource either (as the time service answers).
    assert_error(admin_api.get("/api/v1/admin/users/999999999"), 404, "not_found")
    assert_error(admin_api.get(f"/api/v1/admin/users/{2**70}"), 404, "not_found")
    assert_error(admin_api.get("/api/v1/admin/users/abc"), 404, "not_found")


def test_the_admin_api_needs_admin_all(user: User) -> None:
    r = user.api.get("/api/v1/admin/users")
    body = assert_error(r, 403, "forbidden")
    assert body["required_scope"] == "admin:all"
    assert sorted(body["available_scopes"]) == sorted(user.scopes)
