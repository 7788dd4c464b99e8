"""Clients through the gateway: CRUD, archive-when-referenced, validation, scopes."""

from __future__ import annotations

from timekit import PAGINATION_KEYS, create_client, create_entry, create_project, every, ok

from support.api import User, Users, assert_error, unique


def test_client_crud_in_the_reference_shape(user: User) -> None:
    created = ok(
        user.api.post(
            "/api/v1/clients",
            json={
                "name": "Acme Corp",
                "email": "contact@acme.com",
                "company": "Acme Corporation",
                "phone": "+1-555-0123",
                "default_hourly_rate": 75,
                "currency": "usd",
            },
        ),
        201,
    )
    assert created["message"]
    client = created["client"]
    assert isinstance(client["id"], int)
    assert client["name"] == "Acme Corp"
    assert client["email"] == "contact@acme.com"
    assert client["company"] == "Acme Corporation"
    assert client["default_hourly_rate"] == "75.00"  # a string, as the reference answers
    assert client["currency"] == "USD"
    assert client["status"] == "active"
    assert client["is_active"] is True
    assert client["total_projects"] == 0
    assert client["created_at"].endswith("Z")

    fetched = ok(user.api.get(f"/api/v1/clients/{client['id']}"))["client"]
    assert fetched == client

    updated = ok(user.api.patch(f"/api/v1/clients/{client['id']}", json={"phone": "+49 30 1"}))
    assert updated["client"]["phone"] == "+49 30 1"
    assert updated["client"]["name"] == "Acme Corp"  # untouched fields stay

    put = ok(user.api.put(f"/api/v1/clients/{client['id']}", json={"status": "inactive"}))
    assert put["client"]["status"] == "inactive"
    assert put["client"]["is_active"] is False

    assert ok(user.api.delete(f"/api/v1/clients/{client['id']}"))["message"]
    assert_error(user.api.get(f"/api/v1/clients/{client['id']}"), 404, "not_found")


def test_a_referenced_client_is_archived_not_deleted(user: User) -> None:
    client = create_client(user.api)
    project = create_project(user.api, client["id"])
    create_entry(user.api, project["id"])
    body = ok(user.api.delete(f"/api/v1/clients/{client['id']}"))
    assert "archived" in body["message"].lower()
    kept = ok(user.api.get(f"/api/v1/clients/{client['id']}"))["client"]
    assert kept["status"] == "archived"
    assert kept["total_projects"] == 1
    assert kept["active_projects"] == 1


def test_client_list_is_sorted_by_name_and_filters_status(user: User) -> None:
    prefix = unique("zz-")
    names = [f"{prefix}-b", f"{prefix}-a", f"{prefix}-c"]
    ids = [create_client(user.api, name=n)["id"] for n in names]
    ok(user.api.patch(f"/api/v1/clients/{ids[2]}", json={"status": "inactive"}))
    first = ok(user.api.get("/api/v1/clients", params={"per_page": 1}))
    assert set(first["pagination"]) == PAGINATION_KEYS
    active = every(user.api, "/api/v1/clients", "clients", status="active")
    assert [c["name"] for c in active if c["name"].startswith(prefix)] == sorted(names[:2])
    listed = every(user.api, "/api/v1/clients", "clients")
    assert [c["name"] for c in listed if c["name"].startswith(prefix)] == sorted(names)
    assert [c["name"] for c in listed] == sorted(c["name"] for c in listed)
    assert_error(
        user.api.get("/api/v1/clients", params={"status": "gone"}), 400, "validation_error"
    )


def nested(depth: int) -> dict[str, object]:
    value: dict[str, object] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def test_client_validation(user: User) -> None:
    for body, field in [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "ok", "default_hourly_rate": "lots"}, "default_hourly_rate"),
        ({"name": "ok", "default_hourly_rate": -5}, "default_hourly_rate"),
        ({"name": "ok", "currency": "EURO"}, "currency"),
        ({"name": "ok", "email": "not-an-email"}, "email"),
        ({"name": "ok", "status": "retired"}, "status"),
        ({"name": "nul\x00byte"}, "name"),
        ({"name": "ok", "custom_fields": {"k": "nul\x00"}}, "custom_fields"),
        ({"name": "ok", "custom_fields": nested(300)}, "custom_fields"),
        ({"name": "ok", "custom_fields": {"k": "v" * 10_001}}, "custom_fields"),
    ]:
        error = assert_error(user.api.post("/api/v1/clients", json=body), 400, "validation_error")
        assert field in error["errors"], (body, error)
    malformed = user.api.post(
        "/api/v1/clients", content=b'{"name": ', headers={"Content-Type": "application/json"}
    )
    assert assert_error(malformed, 400, "validation_error")["errors"] == {
        "body": ["Malformed JSON body"]
    }
    assert_error(user.api.post("/api/v1/clients", json=["a"]), 400, "validation_error")
    assert_error(
        user.api.post("/api/v1/clients", content=b"name=x", headers={"Content-Type": "text/xml"}),
        415,
        "unsupported_media_type",
    )
    client = create_client(user.api)
    nulled = user.api.patch(f"/api/v1/clients/{client['id']}", json={"name": None})
    assert "name" in assert_error(nulled, 400, "validation_error")["errors"]
    assert_error(user.api.get("/api/v1/clients/999999999999"), 404, "not_found")
    assert_error(user.api.get("/api/v1/clients/abc"), 404, "not_found")


def test_client_scopes(users: Users) -> None:
    reader = users.create(scopes=["read:clients"])
    denied = assert_error(reader.api.post("/api/v1/clients", json={"name": "x"}), 403, "forbidden")
    assert denied["required_scope"] == "write:clients"
    assert denied["available_scopes"] == ["read:clients"]
    ok(reader.api.get("/api/v1/clients"))
    writer = users.create(scopes=["write:clients"])  # write does not imply read
    create_client(writer.api)
    assert (
        assert_error(writer.api.get("/api/v1/clients"), 403, "forbidden")["required_scope"]
        == "read:clients"
    )
