"""The admin tokens API: the token is shown once, stored hashed, revocable at once, with
events on ``tt.auth.tokens`` and ``last_used_at`` kept without a write per request."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from support.api import User, Users, assert_error, token_client, unique, wait_until
from support.kafka import end_offsets, read_events
from support.platform import PlatformInfo

TOKEN_FIELDS = {
    "id", "name", "description", "user_id", "token_prefix", "scopes", "expires_at",
    "created_at", "updated_at", "last_used_at", "revoked_at", "is_active",
}  # fmt: skip


def create(admin: httpx.Client, **body: object) -> httpx.Response:
    return admin.post("/api/v1/admin/api-tokens", json={"name": unique("tok-"), **body})


def test_create_answers_201_and_shows_the_token_once(
    admin_api: httpx.Client, user: User, platform: PlatformInfo
) -> None:
    r = create(admin_api, user_id=user.id, scopes=["read:projects", "read:users"])
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"api_token", "token", "message"}
    assert re.fullmatch(r"tt_[A-Za-z0-9]{32}", body["token"])
    token = body["api_token"]
    assert set(token) >= TOKEN_FIELDS
    assert token["user_id"] == user.id
    assert token["scopes"] == ["read:projects", "read:users"]
    # No expiry given: the default (90 days), never an immortal token.
    assert token["expires_at"] is not None
    assert token["last_used_at"] is None
    assert body["token"].startswith(token["token_prefix"])
    # Never again: not in get or list answers, not in the database.
    got = admin_api.get(f"/api/v1/admin/api-tokens/{token['id']}").json()
    assert body["token"] not in str(got)
    listed = admin_api.get("/api/v1/admin/api-tokens", params={"user_id": user.id}).json()
    assert body["token"] not in str(listed)
    assert token["id"] in [t["id"] for t in listed["api_tokens"]]

    async def stored() -> list[str]:
        conn = await asyncpg.connect(platform.dsn("auth"))
        try:
            rows = await conn.fetch("SELECT * FROM api_tokens WHERE id = $1", token["id"])
            return [str(v) for v in rows[0].values()]
        finally:
            await conn.close()

    assert body["token"] not in asyncio.run(stored())


def test_the_token_works_with_bearer_and_x_api_key(
    admin_api: httpx.Client, user: User, gateway_url: str
) -> None:
    text = create(admin_api, user_id=user.id, scopes=["read:users"]).json()["token"]
    for header in ("bearer", "x-api-key"):
        with token_client(gateway_url, text, header=header) as client:
            me = client.get("/api/v1/users/me")
            assert me.status_code == 200, me.text
            assert me.json()["user"]["id"] == user.id


def test_revocation_is_effective_on_the_very_next_request(
    admin_api: httpx.Client, user: User, platform: PlatformInfo
) -> None:
    since = end_offsets(platform.kafka_bootstrap, "tt.auth.tokens")
    assert user.api.get("/api/v1/users/me").status_code == 200  # cached in verify now
    r = admin_api.delete(f"/api/v1/admin/api-tokens/{user.token_id}")
    assert r.status_code == 200
    assert r.json()["api_token"]["is_active"] is False
    assert r.json()["api_token"]["revoked_at"]
    refused = user.api.get("/api/v1/users/me")
    body = assert_error(refused, 401, "unauthorized")
    assert body["error"] == "Invalid token"
    # Revoking again is harmless; the revoked token cannot be edited.
    assert admin_api.delete(f"/api/v1/admin/api-tokens/{user.token_id}").status_code == 200
    assert_error(
        admin_api.patch(f"/api/v1/admin/api-tokens/{user.token_id}", json={"name": "x"}),
        409,
        "conflict",
    )
    events = read_events(
        platform.kafka_bootstrap,
        "tt.auth.tokens",
        since=since,
        until=lambda evs: any(
            e.subject == str(user.token_id) and e.type == "tt.api_token.deleted" for e in evs
        ),
    )
    # (The fixture's "created" event may arrive in this window too: the relay is async.)
    deleted = [
        e for e in events if e.subject == str(user.token_id) and e.type == "tt.api_token.deleted"
    ]
    assert len(deleted) == 1
    assert deleted[0].data["version"] == 2
    state = deleted[0].state
    assert state["revoked_at"]
    assert not {"token_hash", "token"} & set(state)


def test_update_changes_name_and_scopes_at_once(admin_api: httpx.Client, user: User) -> None:
    assert user.api.get("/api/v1/users/me").status_code == 200
    r = admin_api.patch(
        f"/api/v1/admin/api-tokens/{user.token_id}",
        json={"name": "renamed", "scopes": ["read:projects"]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["api_token"]["name"] == "renamed"
    assert r.json()["api_token"]["scopes"] == ["read:projects"]
    refused = assert_error(user.api.get("/api/v1/users/me"), 403, "forbidden")
    assert refused["required_scope"] == "read:users"
    assert refused["available_scopes"] == ["read:projects"]


def test_an_expired_token_is_refused(admin_api: httpx.Client, user: User, gateway_url: str) -> None:
    soon = datetime.now(UTC) + timedelta(seconds=2)
    r = create(admin_api, user_id=user.id, scopes=["read:users"], expires_at=soon.isoformat())
    assert r.status_code == 201, r.text
    with token_client(gateway_url, r.json()["token"]) as client:
        assert client.get("/api/v1/users/me").status_code == 200

        def refused() -> httpx.Response | None:
            answer = client.get("/api/v1/users/me")
            return answer if answer.status_code == 401 else None

        answer = wait_until(refused, timeout=10, interval=0.2, what="expiry")
        assert answer.json()["error"] == "Invalid token"


def test_last_used_at_is_recorded(admin_api: httpx.Client, user: User) -> None:
    assert user.api.get("/api/v1/users/me").status_code == 200

    def used() -> str | None:
        token = admin_api.get(f"/api/v1/admin/api-tokens/{user.token_id}").json()["api_token"]
        return token["last_used_at"]

    stamp = wait_until(used, timeout=20, interval=0.5, what="last_used_at")
    assert datetime.fromisoformat(stamp) > datetime.now(UTC) - timedelta(minutes=1)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"scopes": ["read:projects", "read:everything"]}, "scopes"),
        ({"scopes": []}, "scopes"),
        ({"scopes": "read:projects"}, "scopes"),
        ({"scopes": ["read:*"]}, "scopes"),
        ({"scopes": ["read:users"], "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"scopes": ["read:users"], "expires_at": "tomorrow"}, "expires_at"),
        ({"scopes": ["read:users"], "expires_in_days": 0}, "expires_in_days"),
        ({"scopes": ["read:users"], "token": "tt_" + "a" * 32}, "token"),
    ],
)
def test_bad_input_is_400_and_creates_nothing(
    admin_api: httpx.Client, user: User, extra: dict[str, object], field: str
) -> None:
    before = admin_api.get("/api/v1/admin/api-tokens", params={"user_id": user.id}).json()
    r = create(admin_api, user_id=user.id, **extra)
    error = assert_error(r, 400, "validation_error")
    assert field in error["errors"], error
    after = admin_api.get("/api/v1/admin/api-tokens", params={"user_id": user.id}).json()
    assert after["pagination"]["total"] == before["pagination"]["total"]


def test_field_errors_keep_their_wording(admin_api: httpx.Client, user: User) -> None:
    # The messages these answers have always carried (docs/api.md §2, errors).
    base = {"name": "n", "user_id": user.id}
    cases = [
        ({**base, "scopes": []}, {"scopes": ["Value error, At least one scope is required"]}),
        (
            {**base, "scopes": ["read:projects"], "expires_at": "2001-01-01T00:00:00Z"},
            {"expires_at": ["Value error, expires_at must be in the future"]},
        ),
        (
            {**base, "scopes": ["read:projects"], "expires_in_days": 3,
             "expires_at": "2999-01-01T00:00:00Z"},
            {"body": ["Value error, Give expires_at or expires_in_days, not both"]},
        ),
    ]  # fmt: skip
    for body, errors in cases:
        r = admin_api.post("/api/v1/admin/api-tokens", json=body)
        assert assert_error(r, 400, "validation_error")["errors"] == errors, body
    r = admin_api.post("/api/v1/admin/api-tokens", json={**base, "scopes": ["read:{nothing}"]})
    message = assert_error(r, 400, "validation_error")["errors"]["scopes"][0]
    assert message.startswith("Value error, Unknown scopes: read:{nothing}; known: read:projects")


def test_a_token_for_a_missing_or_deactivated_user_is_refused(
    admin_api: httpx.Client, users: Users
) -> None:
    r = create(admin_api, user_id=987654321, scopes=["read:users"])
    assert "user_id" in assert_error(r, 400, "validation_error")["errors"]
    gone = users.create()
    assert admin_api.delete(f"/api/v1/admin/users/{gone.id}").status_code == 200
    r = create(admin_api, user_id=gone.id, scopes=["read:users"])
    assert "user_id" in assert_error(r, 400, "validation_error")["errors"]


def test_list_filters_by_user_and_state(admin_api: httpx.Client, users: Users) -> None:
    owner = users.create()
    _, second_id = users.token_for(owner.id, ["read:users"])
    assert admin_api.delete(f"/api/v1/admin/api-tokens/{second_id}").status_code == 200
    listed = admin_api.get("/api/v1/admin/api-tokens", params={"user_id": owner.id}).json()
    assert [t["id"] for t in listed["api_tokens"]] == [second_id, owner.token_id]  # newest first
    active = admin_api.get(
        "/api/v1/admin/api-tokens", params={"user_id": owner.id, "active": "true"}
    ).json()
    assert [t["id"] for t in active["api_tokens"]] == [owner.token_id]
    assert_error(admin_api.get("/api/v1/admin/api-tokens/999999999"), 404, "not_found")
