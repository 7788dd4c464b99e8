"""docs/api.md §2 (errors), every service through the gateway: each 4xx is the contract's JSON
body, never a 500 and never the framework's own text: unknown routes, wrong methods,
malformed JSON, wrong types, unknown enum and query values, out-of-range dates, ids that
cannot be ids, unsupported media types, oversized bodies and NUL characters."""

from __future__ import annotations

import httpx
import pytest
from contractkit import booking, error, ok

from support.api import User, unique

# One JSON-body create per service (time, auth, webhooks) and the app login.
TIME_CREATE = "/api/v1/projects"
WEBHOOKS_CREATE = "/api/v1/webhooks"
AUTH_CREATE = "/api/v1/admin/users"


def _client(path: str, user: User, admin_api: httpx.Client) -> httpx.Client:
    return admin_api if "/admin/" in path else user.api


def test_unknown_routes_are_json_404_with_or_without_a_token(
    anonymous: httpx.Client, user: User
) -> None:
    for client in (anonymous, user.api):
        for path in ("/api/v1/nope", "/api/nope", "/nope/deeper"):
            error(client.get(path), 404, "not_found")  # docs/api.md §2: not_found 404
    # Under a service's prefix the token is checked first, then the service answers 404.
    error(anonymous.get("/api/v1/projects/1/nope"), 401, "unauthorized")
    error(user.api.get("/api/v1/projects/1/nope"), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/v1/projects"),  # time
        ("POST", "/api/v1/users/me"),  # auth
        ("DELETE", "/api/v1/search?q=ab"),  # search
        ("POST", "/api/v1/productivity/stats"),  # productivity
        ("PATCH", "/api/v1/webhooks"),  # webhooks
        ("DELETE", "/api/v1/info"),  # auth, no token needed
    ],
)
def test_a_wrong_method_is_405_with_the_error_body(user: User, method: str, path: str) -> None:
    r = user.api.request(method, path)
    # docs/api.md §2: every 4xx body is the JSON error body (405 is not in the code list, so
    # only the shape is the contract's); Allow names what the route takes (RFC 9110).
    body = error(r, 405, "method_not_allowed")
    assert method not in r.headers["Allow"], body


@pytest.mark.parametrize("path", [TIME_CREATE, WEBHOOKS_CREATE, AUTH_CREATE])
def test_malformed_json_is_400_validation_error(
    user: User, admin_api: httpx.Client, path: str
) -> None:
    api = _client(path, user, admin_api)
    json_type = {"Content-Type": "application/json"}
    # docs/api.md §2: "Malformed JSON ... 4xx with this body": validation_error 400.
    for raw in (b"{not json", b'{"name": "x",}', b"\xff\xfe", b"[" * 20_000 + b"]" * 20_000):
        error(api.post(path, content=raw, headers=json_type), 400, "validation_error")


def test_malformed_json_on_app_login_and_version_dismiss(
    anonymous: httpx.Client, admin_api: httpx.Client
) -> None:
    deep = b'{"username": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
    json_type = {"Content-Type": "application/json"}
    for api, path in ((anonymous, "/api/v1/auth/login"), (admin_api, "/api/version/dismiss")):
        error(api.post(path, content=deep, headers=json_type), 400, "validation_error")


@pytest.mark.parametrize("path", [TIME_CREATE, WEBHOOKS_CREATE, AUTH_CREATE])
@pytest.mark.parametrize(
    "media", ["application/xml", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_bodies_that_are_not_json_are_415(
    user: User, admin_api: httpx.Client, path: str, media: str
) -> None:
    api = _client(path, user, admin_api)
    r = api.post(path, content=b"name=x&url=y", headers={"Content-Type": media})
    error(r, 415, "unsupported_media_type")  # docs/api.md §2: unsupported_media_type 415


def test_wrong_types_are_400_with_the_field_named(user: User, admin_api: httpx.Client) -> None:
    # docs/api.md §2: "wrong types ... 4xx with this body"; errors is {field: [messages]}.
    hook = {"url": "http://127.0.0.1:9/x", "events": "tt.*"}
    token = {"name": "n", "user_id": user.id, "scopes": "read:users"}
    cases = [
        (user.api, "/api/v1/projects", {"name": 12}, "name"),
        (user.api, "/api/v1/time-entries", {"project_id": "x", "start_time": "2024"}, "project_id"),
        (user.api, "/api/v1/webhooks", hook, "events"),
        (admin_api, "/api/v1/admin/users", {"username": ["x"], "password": "long1234"}, "username"),
        (admin_api, "/api/v1/admin/api-tokens", token, "scopes"),
        (admin_api, "/api/v1/admin/timetrack-keys", {"user_id": "me"}, "user_id"),
    ]
    for api, path, body, field in cases:
        assert field in error(api.post(path, json=body), 400, "validation_error")["errors"], path
    # A JSON value that is not an object is a validation error too.
    for path in ("/api/v1/projects", "/api/v1/webhooks"):
        error(user.api.post(path, json=[1, 2]), 400, "validation_error")


def test_unknown_enum_values_are_400(user: User) -> None:
    b = booking(user.api)
    cases = [
        user.api.post("/api/v1/projects", json={"name": "p", "status": "paused-ish"}),
        user.api.patch(f"/api/v1/tasks/{b.task['id']}", json={"priority": "whenever"}),
        user.api.post(
            "/api/v1/time-entries/bulk", json={"entry_ids": [1], "action": "explode", "value": None}
        ),
        user.api.get("/api/v1/search", params={"q": "ab", "types": "project,planet"}),
        user.api.post(
            "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x", "events": ["tt.nothing.*"]}
        ),
    ]
    for r in cases:
        error(r, 400, "validation_error")  # docs/api.md §2: unknown enum values


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/projects", {"status": "sleeping"}),
        ("/api/v1/time-entries", {"billable": "maybe"}),
        ("/api/v1/time-entries", {"include_active": "perhaps"}),
        ("/api/v1/time-entries", {"project_id": "first"}),
        ("/api/v1/reports/summary", {"format": "xml"}),
        ("/api/v1/reports/summary", {"project_id": "one"}),
        ("/api/v1/productivity/stats", {"period": "month"}),
        ("/api/v1/search", {"q": "ab", "limit": "many"}),
        ("/api/v1/webhooks", {"page": "two"}),
    ],
)
def test_unknown_query_values_are_400(user: User, path: str, params: dict[str, str]) -> None:
    error(user.api.get(path, params=params), 400, "validation_error")  # docs/api.md §2


def test_out_of_range_dates_are_400(user: User, admin_api: httpx.Client) -> None:
    b = booking(user.api)
    # docs/api.md §2: "out-of-range dates ... 4xx with this body".
    bad_entry = {"project_id": b.project["id"], "start_time": "2024-13-45T09:00:00Z"}
    error(user.api.post("/api/v1/time-entries", json=bad_entry), 400, "validation_error")
    for params in ({"start_date": "2024-02-30"}, {"end_date": "2024-00-10"}):
        error(user.api.get("/api/v1/time-entries", params=params), 400, "validation_error")
        error(user.api.get("/api/v1/reports/summary", params=params), 400, "validation_error")
    token = {"name": "n", "user_id": user.id, "scopes": ["read:users"], "expires_at": "2030-02-30"}
    error(admin_api.post("/api/v1/admin/api-tokens", json=token), 400, "validation_error")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects/{}",
        "/api/v1/time-entries/{}",
        "/api/v1/tasks/{}",
        "/api/v1/clients/{}",
        "/api/v1/webhooks/{}",
        "/api/v1/webhooks/{}/deliveries",
        "/api/v1/admin/users/{}",
        "/api/v1/admin/api-tokens/{}",
        "/api/v1/admin/timetrack-keys/{}",
    ],
)
def test_ids_that_cannot_be_ids_name_no_resource(
    user: User, admin_api: httpx.Client, path: str
) -> None:
    """docs/api.md §5 "Ids are integers"; the reference server's int routes answer 404 for an
    id that cannot be one (notes/reference-clients.md 4: unmatched ids under /api/ are 404
    not_found), so one rule holds on every service: as for an unknown id."""
    api = _client(path, user, admin_api)
    for bad in ("abc", "1.5", "0", "-3", str(2**70)):
        error(api.get(path.format(bad)), 404, "not_found")
    error(api.get(path.format(987_654_321)), 404, "not_found")


def test_bodies_over_the_limit_are_413(user: User, admin_api: httpx.Client) -> None:
    # docs/api.md §2: payload_too_large 413, from each service and from the gateway itself.
    big = b'{"name": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    json_type = {"Content-Type": "application/json"}
    targets = ((user.api, TIME_CREATE), (user.api, WEBHOOKS_CREATE), (admin_api, AUTH_CREATE))
    for api, path in targets:
        error(api.post(path, content=big, headers=json_type), 413, "payload_too_large")
    huge = b'{"name": "' + b"x" * (17 * 1024 * 1024) + b'"}'
    error(user.api.post(TIME_CREATE, content=huge, headers=json_type), 413, "payload_too_large")


def test_nul_characters_are_400_never_500(user: User, admin_api: httpx.Client) -> None:
    """PostgreSQL text cannot hold NUL; docs/api.md §2 wants a 4xx body for bad input, and the
    standards never a 500 on user input. Every text field of every service."""
    nul = "a\x00b"
    hook = {"url": "http://127.0.0.1:9/hook", "events": ["tt.project.*"]}
    cases = [
        (user.api.post("/api/v1/projects", json={"name": nul}), "name"),
        (user.api.post("/api/v1/webhooks", json={**hook, "name": nul}), "name"),
        (user.api.post("/api/v1/webhooks", json={**hook, "description": nul}), "description"),
        (
            admin_api.post(
                "/api/v1/admin/users",
                json={"username": unique(), "password": "longenough", "full_name": nul},
            ),
            "full_name",
        ),
        (admin_api.patch(f"/api/v1/admin/users/{user.id}", json={"full_name": nul}), "full_name"),
        (
            admin_api.post(
                "/api/v1/admin/api-tokens",
                json={"name": nul, "user_id": user.id, "scopes": ["read:users"]},
            ),
            "name",
        ),
        (
            admin_api.post(
                "/api/v1/admin/api-tokens",
                json={
                    "name": "n",
                    "description": nul,
                    "user_id": user.id,
                    "scopes": ["read:users"],
                },
            ),
            "description",
        ),
    ]
    for r, field in cases:
        assert field in error(r, 400, "validation_error")["errors"], r.request.url
    hook_id = ok(user.api.post("/api/v1/webhooks", json=hook), 201)["webhook"]["id"]
    r = user.api.put(f"/api/v1/webhooks/{hook_id}", json={"name": nul})
    error(r, 400, "validation_error")
    r = admin_api.put(f"/api/v1/admin/api-tokens/{user.token_id}", json={"name": nul})
    error(r, 400, "validation_error")
    # Query parameters too: every service refuses text it cannot store at its edge, so a
    # NUL is the same 400 on every route (it used to be a 500 on some, 200 on others).
    q = nul + unique("nomatch")
    body = error(user.api.get("/api/v1/search", params={"q": q}), 400, "validation_error")
    assert "q" in body["errors"]
