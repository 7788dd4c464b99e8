"""Projects through the gateway: CRUD, DELETE archives, list defaults and filters, the
pagination envelope, validation and scopes."""

from __future__ import annotations

from timekit import PAGINATION_KEYS, create_client, create_entry, create_project, ok

from support.api import User, Users, assert_error


def test_project_crud_and_archive(user: User) -> None:
    client = create_client(user.api, name="Acme for projects")
    created = ok(
        user.api.post(
            "/api/v1/projects",
            json={
                "name": "New Project",
                "description": "Project description",
                "client_id": client["id"],
                "hourly_rate": 75.00,
                "estimated_hours": 100,
                "status": "active",
            },
        ),
        201,
    )
    assert created["message"]
    project = created["project"]
    assert project["client"] == "Acme for projects"  # the client's name, as a string
    assert project["client_id"] == client["id"]
    assert project["hourly_rate"] == 75.0
    assert project["estimated_hours"] == 100
    assert project["billable"] is True
    assert project["status"] == "active"
    assert project["is_archived"] is False
    assert project["total_hours"] == 0

    assert ok(user.api.get(f"/api/v1/projects/{project['id']}"))["project"] == project

    create_entry(user.api, project["id"])  # 8 h
    renamed = ok(user.api.put(f"/api/v1/projects/{project['id']}", json={"name": "Renamed"}))
    assert renamed["project"]["name"] == "Renamed"
    assert renamed["project"]["total_hours"] == 8.0
    assert renamed["project"]["budget_consumed_amount"] == 600.0

    archived = ok(user.api.delete(f"/api/v1/projects/{project['id']}"))
    assert archived == {"message": "Project archived successfully"}
    kept = ok(user.api.get(f"/api/v1/projects/{project['id']}"))["project"]
    assert kept["status"] == "archived"
    assert kept["is_archived"] is True
    assert kept["archived_by"] == user.id
    assert kept["archived_at"].endswith("Z")

    restored = ok(user.api.patch(f"/api/v1/projects/{project['id']}", json={"status": "active"}))
    assert restored["project"]["is_archived"] is False
    assert restored["project"]["archived_at"] is None


def test_list_defaults_to_active_and_filters_by_client(user: User) -> None:
    client = create_client(user.api)
    active = create_project(user.api, client["id"], name="a-active")
    on_hold = create_project(user.api, client["id"], name="b-on-hold", status="on_hold")
    archived = create_project(user.api, client["id"], name="c-archived")
    ok(user.api.delete(f"/api/v1/projects/{archived['id']}"))
    other = create_project(user.api)  # another client's

    def listed(**params: object) -> list[int]:
        body = ok(user.api.get("/api/v1/projects", params={"client_id": client["id"], **params}))
        return [p["id"] for p in body["projects"]]

    assert listed() == [active["id"]]
    assert listed(status="on_hold") == [on_hold["id"]]
    assert listed(status="archived") == [archived["id"]]
    assert listed(status="all") == [active["id"], on_hold["id"], archived["id"]]
    assert other["id"] not in listed(status="all")
    assert_error(
        user.api.get("/api/v1/projects", params={"status": "nope"}), 400, "validation_error"
    )
    assert_error(
        user.api.get("/api/v1/projects", params={"client_id": "x"}), 400, "validation_error"
    )


def test_pagination_envelope(user: User) -> None:
    client = create_client(user.api)
    ids = [create_project(user.api, client["id"], name=f"p{i:02d}")["id"] for i in range(5)]

    def page(**params: object) -> dict[str, object]:
        return ok(user.api.get("/api/v1/projects", params={"client_id": client["id"], **params}))

    first = page(per_page=2)
    assert [p["id"] for p in first["projects"]] == ids[:2]
    assert first["pagination"] == {
        "page": 1, "per_page": 2, "total": 5, "pages": 3, "has_next": True,
        "has_prev": False, "next_page": 2, "prev_page": None,
    }  # fmt: skip
    last = page(per_page=2, page=3)
    assert [p["id"] for p in last["projects"]] == ids[4:]
    assert last["pagination"] == {
        "page": 3, "per_page": 2, "total": 5, "pages": 3, "has_next": False,
        "has_prev": True, "next_page": None, "prev_page": 2,
    }  # fmt: skip
    beyond = page(per_page=2, page=9)
    assert beyond["projects"] == []
    assert beyond["pagination"]["total"] == 5
    clamped = page(per_page=500)
    assert clamped["pagination"]["per_page"] == 100
    assert set(clamped["pagination"]) == PAGINATION_KEYS
    assert_error(user.api.get("/api/v1/projects", params={"page": 0}), 400, "validation_error")
    assert_error(
        user.api.get("/api/v1/projects", params={"per_page": "x"}), 400, "validation_error"
    )


def test_project_validation(user: User) -> None:
    code_holder = create_project(user.api, code="C" + user.username[-8:])
    for body, field in [
        ({"client_id": 1}, "name"),
        ({"name": "p", "client_id": 999_999_999}, "client_id"),
        ({"name": "p", "client_id": "abc"}, "client_id"),
        ({"name": "p", "hourly_rate": "cheap"}, "hourly_rate"),
        ({"name": "p", "status": "paused"}, "status"),
        ({"name": "p", "billable": "yes"}, "billable"),
        ({"name": "p", "color": "red"}, "color"),
        ({"name": "p", "code": code_holder["code"].lower()}, "code"),
        ({"name": "p", "estimated_hours": -1}, "estimated_hours"),
    ]:
        error = assert_error(user.api.post("/api/v1/projects", json=body), 400, "validation_error")
        assert field in error["errors"], (body, error)
    assert_error(user.api.put("/api/v1/projects/999999999", json={"name": "x"}), 404, "not_found")
    assert_error(user.api.delete("/api/v1/projects/999999999"), 404, "not_found")


def test_project_scopes(users: Users) -> None:
    reader = users.create(scopes=["read:projects"])
    denied = assert_error(reader.api.post("/api/v1/projects", json={"name": "x"}), 403, "forbidden")
    assert denied["required_scope"] == "write:projects"
    assert_error(reader.api.delete("/api/v1/projects/1"), 403, "forbidden")
    nobody = users.create(scopes=["read:tasks"])
    assert (
        assert_error(nobody.api.get("/api/v1/projects"), 403, "forbidden")["required_scope"]
        == "read:projects"
    )
