"""TimeTrack key/secret pairs: created by admins (secret shown once), accepted by verify on
``/api/v2/ext/...`` only, rate-limited like tokens, revocable at once."""

from __future__ import annotations

import re

import httpx
import jwt
from authkit import verify

from support.api import User, assert_error
from support.platform import PlatformInfo

EXT = "/api/v2/ext/project_time_entries"


def create_key(admin: httpx.Client, user_id: int) -> dict[str, object]:
    r = admin.post("/api/v1/admin/timetrack-keys", json={"user_id": user_id})
    assert r.status_code == 201, r.text
    return dict(r.json())


def pair(key: dict[str, object]) -> dict[str, str]:
    record = key["timetrack_key"]
    assert isinstance(record, dict)
    return {
        "X-TimeTrack-Api-Key": record["api_key"],
        "X-TimeTrack-Api-Secret": str(key["api_secret"]),
    }


def test_create_answers_the_key_and_the_secret_once(admin_api: httpx.Client, user: User) -> None:
    key = create_key(admin_api, user.id)
    record = key["timetrack_key"]
    assert isinstance(record, dict)
    assert {"id", "user_id", "api_key", "created_at"} <= set(record)
    assert record["user_id"] == user.id
    assert isinstance(key["api_secret"], str)
    assert re.fullmatch(r"[A-Za-z0-9]{40}", key["api_secret"])
    listed = admin_api.get("/api/v1/admin/timetrack-keys", params={"user_id": user.id}).json()
    assert [k["id"] for k in listed["timetrack_keys"]] == [record["id"]]
    assert key["api_secret"] not in str(listed)


def test_verify_accepts_the_pair_on_the_ext_api_only(
    platform: PlatformInfo, admin_api: httpx.Client, user: User
) -> None:
    headers = pair(create_key(admin_api, user.id))
    r = verify(platform, EXT + "?user=x", headers=headers)
    assert r.status_code == 200, r.text
    claims = jwt.decode(r.headers["X-TT-Identity"], options={"verify_signature": False})
    assert claims["amr"] == "timetrack"
    assert claims["sub"] == str(user.id)
    assert r.headers["X-RateLimit-Limit"] == "100"
    # The pair is no API token.
    assert_error(verify(platform, "/api/v1/projects", headers=headers), 401, "unauthorized")
    # And a token is no pair.
    refused = verify(platform, EXT, headers={"Authorization": f"Bearer {user.token}"})
    assert_error(refused, 401, "unauthorized")


def test_wrong_missing_or_malformed_secrets_are_401(
    platform: PlatformInfo, admin_api: httpx.Client, user: User
) -> None:
    good = pair(create_key(admin_api, user.id))
    key = good["X-TimeTrack-Api-Key"]
    for headers in (
        {},
        {"X-TimeTrack-Api-Key": key},
        {"X-TimeTrack-Api-Key": key, "X-TimeTrack-Api-Secret": "A" * 40},
        {"X-TimeTrack-Api-Key": key, "X-TimeTrack-Api-Secret": "short"},
        {"X-TimeTrack-Api-Key": "ttk_" + "Z" * 24, "X-TimeTrack-Api-Secret": "A" * 40},
        {"X-TimeTrack-Api-Key": "x" * 5000, "X-TimeTrack-Api-Secret": "A" * 40},
    ):
        r = verify(platform, EXT, headers=headers)
        assert_error(r, 401, "unauthorized")
        assert "X-TT-Identity" not in r.headers


def test_revocation_is_effective_at_once(
    platform: PlatformInfo, admin_api: httpx.Client, user: User
) -> None:
    key = create_key(admin_api, user.id)
    headers = pair(key)
    assert verify(platform, EXT, headers=headers).status_code == 200
    record = key["timetrack_key"]
    assert isinstance(record, dict)
    r = admin_api.delete(f"/api/v1/admin/timetrack-keys/{record['id']}")
    assert r.status_code == 200
    assert r.json()["timetrack_key"]["is_active"] is False
    assert_error(verify(platform, EXT, headers=headers), 401, "unauthorized")


def test_through_the_gateway_the_ext_api_needs_the_pair(gateway_url: str) -> None:
    r = httpx.get(gateway_url + EXT)
    body = assert_error(r, 401, "unauthorized")
    assert "X-TimeTrack-Api-Key" in body["message"]


def test_only_admins_manage_keys_and_bad_input_is_400(admin_api: httpx.Client, user: User) -> None:
    denied = assert_error(
        user.api.post("/api/v1/admin/timetrack-keys", json={"user_id": user.id}), 403, "forbidden"
    )
    assert denied["required_scope"] == "admin:all"
    for body in ({}, {"user_id": "abc"}, {"user_id": 987654321}, {"user_id": 1, "extra": 1}):
        r = admin_api.post("/api/v1/admin/timetrack-keys", json=body)
        assert_error(r, 400, "validation_error")
    assert_error(admin_api.delete("/api/v1/admin/timetrack-keys/987654321"), 404, "not_found")
