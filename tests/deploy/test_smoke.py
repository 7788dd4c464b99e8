"""End-to-end smoke tests through the gateway of whatever platform is under test: the
local one (``./dev test``) or the compose stack (``./dev test-compose``). They need
nothing but the gateway's URL and the admin token, so the same file proves both ways of
running tt: routing, ForwardAuth, a write, its event through the outbox, Kafka and a
consumer, and the gateway's own error bodies and headers."""

from __future__ import annotations

import random
import string

import httpx

from support.api import User, assert_error, wait_until


def word() -> str:
    return "smoke" + "".join(random.choice(string.ascii_lowercase) for _ in range(10))


def test_public_routes_answer_without_credentials(anonymous: httpx.Client) -> None:
    for path in ("/api/v1/info", "/api/v1/health"):
        response = anonymous.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].startswith("application/json")


def test_the_api_refuses_a_request_without_a_token(anonymous: httpx.Client) -> None:
    assert_error(anonymous.get("/api/v1/projects"), 401, "unauthorized")
    assert_error(
        anonymous.get("/api/v1/projects", headers={"Authorization": "Bearer tt_" + "x" * 32}),
        401,
        "unauthorized",
    )


def test_an_unknown_path_is_the_contract_404(anonymous: httpx.Client) -> None:
    assert_error(anonymous.get(f"/{word()}/nothing-here"), 404, "not_found")


def test_a_legacy_route_carries_its_deprecation_headers(user: User) -> None:
    # A token on a session-only legacy route is refused, and the refusal is deprecated too.
    response = user.api.get("/api/search", params={"q": "anything"})
    assert response.status_code == 401, response.text
    assert response.headers["X-API-Deprecated"] == "true"
    assert response.headers["Link"] == '</api/v1/search>; rel="successor-version"'
    assert response.headers["Deprecation"].startswith("@")
    assert "Sunset" in response.headers


def test_an_entry_written_through_the_gateway_becomes_searchable(user: User) -> None:
    project = user.api.post("/api/v1/projects", json={"name": f"Smoke {word()}"})
    assert project.status_code == 201, project.text
    marker = word()
    created = user.api.post(
        "/api/v1/time-entries",
        json={
            "project_id": project.json()["project"]["id"],
            "start_time": "2026-01-05T09:00:00Z",
            "end_time": "2026-01-05T10:30:00Z",
            "notes": f"deployed {marker}",
        },
    )
    assert created.status_code == 201, created.text
    assert "x-ratelimit-limit" in created.headers
    assert "x-ratelimit-remaining" in created.headers
    entry_id = created.json()["time_entry"]["id"]
    fetched = user.api.get(f"/api/v1/time-entries/{entry_id}")
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["time_entry"]["notes"] == f"deployed {marker}"

    def found() -> list[tuple[str, int]]:
        response = user.api.get("/api/v1/search", params={"q": marker, "types": "entry"})
        assert response.status_code == 200, response.text
        return [(hit["type"], hit["id"]) for hit in response.json()["results"]]

    hits = wait_until(found, timeout=30, interval=0.2, what="the entry in search")
    assert hits == [("entry", entry_id)]
