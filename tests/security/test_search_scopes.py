"""Finding 11: search shows each result type only to a token holding that type's read
scope; a type asked for by name without its scope is a 403."""

from __future__ import annotations

from support.api import User, Users, assert_error, token_client, unique, wait_until


def test_a_read_projects_token_sees_no_client_emails_or_entry_notes(
    users: Users, user: User, gateway_url: str
) -> None:
    word = unique("zq")
    project = user.api.post("/api/v1/projects", json={"name": f"{word} project"})
    assert project.status_code == 201, project.text
    client = user.api.post(
        "/api/v1/clients", json={"name": f"{word} client", "email": f"{word}@example.test"}
    )
    assert client.status_code == 201, client.text
    entry = user.api.post(
        "/api/v1/time-entries",
        json={
            "project_id": project.json()["project"]["id"],
            "start_time": "2024-03-04T09:00:00Z",
            "end_time": "2024-03-04T10:00:00Z",
            "notes": f"{word} secret note",
        },
    )
    assert entry.status_code == 201, entry.text

    def everything() -> set[str] | None:
        r = user.api.get("/api/v1/search", params={"q": word})
        kinds = {hit["type"] for hit in r.json()["results"]} if r.status_code == 200 else set()
        return kinds if {"project", "client", "entry"} <= kinds else None

    wait_until(everything, timeout=30, what="the project, client and entry indexed")

    token, _ = users.token_for(user.id, ["read:projects"])
    with token_client(gateway_url, token) as narrow:
        r = narrow.get("/api/v1/search", params={"q": word})
        assert r.status_code == 200, r.text
        assert {hit["type"] for hit in r.json()["results"]} == {"project"}, r.json()
        assert word + "@" not in r.text
        assert "secret note" not in r.text
        r = narrow.get("/api/v1/search", params={"q": word, "types": "client"})
        body = assert_error(r, 403, "forbidden")
        assert body["required_scope"] == "read:clients"
