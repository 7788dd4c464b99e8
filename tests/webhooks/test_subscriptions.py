"""The subscription API: create (secret shown once), read, update, delete, rotate, who
sees what, scopes, and bad input answered with the contract's 400 body."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from webhook_kit import Caller, Callers, Hooks, direct_client

from support.api import assert_error
from support.platform import PlatformInfo

URL = "https://hooks.example.com/tt"


def create(caller: Caller, **body: Any) -> Any:
    return caller.api.post(
        "/api/v1/webhooks", json={"url": URL, "events": ["tt.project.*"], **body}
    )


def test_create_shows_the_secret_once(caller: Caller, hooks: Hooks) -> None:
    body = hooks.create(
        caller, URL, ["tt.time_entry.*", "tt.project.created"], name="ci", description="builds"
    )
    webhook, secret = body["webhook"], body["secret"]
    assert body["message"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert webhook["url"] == URL
    assert webhook["events"] == ["tt.time_entry.*", "tt.project.created"]
    assert webhook["active"] is True
    assert webhook["user_id"] == caller.user_id
    assert (webhook["name"], webhook["description"]) == ("ci", "builds")
    assert webhook["created_at"].endswith("Z")

    for r in (
        caller.api.get(f"/api/v1/webhooks/{webhook['id']}"),
        caller.api.get("/api/v1/webhooks"),
        caller.api.put(f"/api/v1/webhooks/{webhook['id']}", json={"name": "renamed"}),
    ):
        assert r.status_code == 200, r.text
        assert "whsec_" not in r.text
        assert "secret" not in r.json().get("webhook", {})
    assert caller.api.get(f"/api/v1/webhooks/{webhook['id']}").json()["webhook"]["name"] == (
        "renamed"
    )


def test_list_is_the_callers_own_and_admins_see_all(
    callers: Callers, hooks: Hooks, admin: Caller
) -> None:
    alice, bob = callers.user(), callers.user()
    mine = hooks.create(alice, URL, ["tt.project.*"])["webhook"]["id"]
    theirs = hooks.create(bob, URL, ["tt.project.*"])["webhook"]["id"]

    listed = alice.api.get("/api/v1/webhooks", params={"per_page": 100}).json()
    assert [w["id"] for w in listed["webhooks"]] == [mine]
    assert listed["pagination"]["total"] == 1
    assert listed["pagination"]["page"] == 1

    everyone = admin.api.get("/api/v1/webhooks", params={"per_page": 100}).json()
    ids = {w["id"] for w in everyone["webhooks"]}
    assert {mine, theirs} <= ids or everyone["pagination"]["total"] > 100
    assert admin.api.get(f"/api/v1/webhooks/{theirs}").status_code == 200
    r = admin.api.put(f"/api/v1/webhooks/{theirs}", json={"active": False})
    assert r.status_code == 200
    assert r.json()["webhook"]["user_id"] == bob.user_id


def test_another_users_webhook_is_not_found(callers: Callers, hooks: Hooks) -> None:
    alice, mallory = callers.user(), callers.user()
    hook_id = hooks.create(alice, URL, ["tt.project.*"])["webhook"]["id"]
    for method, path in (
        ("GET", f"/api/v1/webhooks/{hook_id}"),
        ("PUT", f"/api/v1/webhooks/{hook_id}"),
        ("DELETE", f"/api/v1/webhooks/{hook_id}"),
        ("GET", f"/api/v1/webhooks/{hook_id}/deliveries"),
        ("POST", f"/api/v1/webhooks/{hook_id}/test"),
        ("POST", f"/api/v1/webhooks/{hook_id}/rotate-secret"),
        ("POST", f"/api/v1/webhooks/{hook_id}/deliveries/1/redeliver"),
    ):
        r = mallory.api.request(method, path, json={"active": False} if method == "PUT" else None)
        assert_error(r, 404, "not_found")
    assert alice.api.get(f"/api/v1/webhooks/{hook_id}").json()["webhook"]["active"] is True


def test_update_changes_only_the_fields_given(caller: Caller, hooks: Hooks) -> None:
    hook_id = hooks.create(caller, URL, ["tt.project.*"], name="a")["webhook"]["id"]
    r = caller.api.put(
        f"/api/v1/webhooks/{hook_id}",
        json={"events": ["tt.task.completed", "tt.task.completed"], "active": False},
    )
    assert r.status_code == 200, r.text
    webhook = r.json()["webhook"]
    assert webhook["events"] == ["tt.task.completed"]
    assert webhook["active"] is False
    assert (webhook["url"], webhook["name"]) == (URL, "a")

    r = caller.api.patch(f"/api/v1/webhooks/{hook_id}", json={"is_active": True, "url": URL + "/2"})
    assert r.status_code == 200, r.text
    assert (r.json()["webhook"]["active"], r.json()["webhook"]["url"]) == (True, URL + "/2")

    for bad in ({"url": None}, {"events": []}, {"events": ["nothing.*"]}, {"url": "ftp://x"}):
        assert_error(
            caller.api.put(f"/api/v1/webhooks/{hook_id}", json=bad), 400, "validation_error"
        )
    assert caller.api.get(f"/api/v1/webhooks/{hook_id}").json()["webhook"]["url"] == URL + "/2"


def test_delete(caller: Caller) -> None:
    hook_id = create(caller).json()["webhook"]["id"]
    r = caller.api.delete(f"/api/v1/webhooks/{hook_id}")
    assert r.status_code == 200
    assert r.json()["message"]
    assert_error(caller.api.get(f"/api/v1/webhooks/{hook_id}"), 404, "not_found")
    assert_error(caller.api.delete(f"/api/v1/webhooks/{hook_id}"), 404, "not_found")


def test_rotate_secret_returns_a_new_secret_once(caller: Caller, hooks: Hooks) -> None:
    created = hooks.create(caller, URL, ["tt.project.*"])
    hook_id = created["webhook"]["id"]
    r = caller.api.post(f"/api/v1/webhooks/{hook_id}/rotate-secret")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["secret"].startswith("whsec_")
    assert body["secret"] != created["secret"]
    assert body["webhook"]["secret_rotated_at"] is not None
    assert body["webhook"]["previous_secret_expires_at"] is not None
    assert "whsec_" not in caller.api.get(f"/api/v1/webhooks/{hook_id}").text
    r = caller.api.post(
        f"/api/v1/webhooks/{hook_id}/rotate-secret", json={"grace_period_seconds": -1}
    )
    assert_error(r, 400, "validation_error")


def test_event_types_are_listed(caller: Caller) -> None:
    r = caller.api.get("/api/v1/webhooks/events")
    assert r.status_code == 200
    events = r.json()["events"]
    assert "tt.time_entry.timer_started" in events
    assert "tt.project.status_changed" in events


def test_subscribing_needs_the_read_scope_of_the_events(callers: Callers) -> None:
    limited = callers.user(scopes=["read:projects"])
    assert create(limited, events=["tt.project.*"]).status_code == 201
    r = create(limited, events=["tt.time_entry.created"])
    body = assert_error(r, 403, "forbidden")
    assert body["required_scope"] == "read:time_entries"
    assert body["available_scopes"] == ["read:projects"]
    assert_error(create(limited, events=["*"]), 403, "forbidden")
    listed = limited.api.get("/api/v1/webhooks").json()["webhooks"]
    assert len(listed) == 1
    limited.api.delete(f"/api/v1/webhooks/{listed[0]['id']}")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "not a url"}, "url"),
        ({"url": "example.com/hook"}, "url"),
        ({"url": "ftp://example.com/hook"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "https://"}, "url"),
        ({"url": "https://user:pw@example.com/"}, "url"),
        ({"url": "https://example.com:99999/"}, "url"),
        ({"url": "https://example.com/" + "a" * 2100}, "url"),
        ({"url": 42}, "url"),
        ({"url": "https://169.254.169.254/latest/meta-data"}, "url"),
        ({"url": "https://metadata.google.internal/"}, "url"),
        ({"url": "https://0.0.0.0/"}, "url"),
        ({"events": []}, "events"),
        ({"events": "tt.project.*"}, "events"),
        ({"events": ["tt.nothing.created"]}, "events"),
        ({"events": ["project.created"]}, "events"),
        ({"events": ["tt.project.*", 7]}, "events.1"),
        ({"events": ["tt.project.*", "DROP TABLE"]}, "events"),
        ({"events": ["tt.*" + "?" * 200]}, "events"),
        ({"events": ["tt.project.created"] * 51}, "events"),
        ({"active": "maybe"}, "active"),
        ({"name": "n" * 201}, "name"),
    ],
)
def test_bad_input_is_400(caller: Caller, body: dict[str, Any], field: str) -> None:
    r = create(caller, **body)
    error = assert_error(r, 400, "validation_error")
    assert field in error["errors"], error


def test_missing_fields_and_malformed_bodies_are_400(caller: Caller) -> None:
    error = assert_error(caller.api.post("/api/v1/webhooks", json={}), 400, "validation_error")
    assert {"url", "events"} <= set(error["errors"])
    r = caller.api.post(
        "/api/v1/webhooks", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(r, 400, "validation_error")
    r = caller.api.post("/api/v1/webhooks", json=["https://x.example"])
    assert_error(r, 400, "validation_error")
    for path in ("/api/v1/webhooks/abc", "/api/v1/webhooks/0", f"/api/v1/webhooks/{2**70}"):
        assert_error(caller.api.get(path), 404, "not_found")  # ids that cannot be ids
    r = caller.api.get("/api/v1/webhooks/1/deliveries", params={"status": "lost"})
    assert r.status_code in (400, 404)
    assert r.json()["error_code"] in ("validation_error", "not_found")
    r = caller.api.post("/api/v1/webhooks", json={"url": URL, "events": ["x" * 10_000] * 200})
    assert r.status_code in (400, 413)


def test_http_targets_are_accepted_where_configured(caller: Caller) -> None:
    # Local platforms set TT_WEBHOOKS_ALLOW_HTTP and allow loopback (production refuses
    # both: see test_ssrf.py).
    r = create(caller, url="http://127.0.0.1:9/hook")
    assert r.status_code == 201, r.text
    caller.api.delete(f"/api/v1/webhooks/{r.json()['webhook']['id']}")


def test_the_api_takes_tokens_not_sessions(platform: PlatformInfo) -> None:
    with direct_client(platform, user_id=77, auth_method="session") as session_client:
        assert_error(session_client.get("/api/v1/webhooks"), 401, "unauthorized")
    with direct_client(platform, user_id=77) as token_client:
        assert token_client.get("/api/v1/webhooks").status_code == 200
    import httpx

    anonymous = httpx.get(platform.service_url("webhooks") + "/api/v1/webhooks")
    assert_error(anonymous, 401, "unauthorized")


def test_an_idempotency_key_creates_once_and_replays_the_secret(
    caller: Caller, platform: PlatformInfo
) -> None:
    """docs/api.md §5: the v1 POSTs that create honour Idempotency-Key; the replay is the first
    answer (secret included, so a client that lost it can still verify deliveries), and
    the stored answer is encrypted at rest like the subscription's secret."""
    import asyncio

    import asyncpg

    key = {"Idempotency-Key": f"hook-{caller.user_id}-once"}
    body = {"url": URL, "events": ["tt.project.*"]}
    first = caller.api.post("/api/v1/webhooks", json=body, headers=key)
    again = caller.api.post("/api/v1/webhooks", json=body, headers=key)
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    listed = caller.api.get("/api/v1/webhooks", params={"per_page": 100}).json()["webhooks"]
    assert [w["id"] for w in listed] == [first.json()["webhook"]["id"]]
    other = caller.api.post("/api/v1/webhooks", json={**body, "events": ["tt.task.*"]}, headers=key)
    assert_error(other, 422, "idempotency_key_reused")

    async def stored() -> list[bytes]:
        connection = await asyncpg.connect(platform.dsn("webhooks"))
        try:
            rows = await connection.fetch("SELECT body FROM idempotency_records")
        finally:
            await connection.close()
        return [bytes(row["body"]) for row in rows if row["body"] is not None]

    bodies = asyncio.run(stored())
    assert bodies
    secret = first.json()["secret"].encode()
    assert not any(secret in b or b"whsec_" in b for b in bodies)
