"""Tasks through the gateway: CRUD, statuses and ``completed``, filters, delete rules,
and the legacy session route ``/api/projects/<id>/tasks``."""

from __future__ import annotations

import httpx
from timekit import create_entry, create_project, create_task, ok

from support.api import User, Users, assert_error


def test_task_crud_in_the_reference_shape(user: User) -> None:
    project = create_project(user.api)
    created = ok(
        user.api.post(
            "/api/v1/tasks",
            json={
                "name": "Implement login feature",
                "description": "Add user authentication",
                "project_id": project["id"],
                "status": "todo",
                "priority": 1,
            },
        ),
        201,
    )
    task = created["task"]
    assert task["priority"] == "low"
    assert task["priority_display"] == "Low"
    assert task["status"] == "todo"
    assert task["status_display"] == "To Do"
    assert task["project"] == project["name"]
    assert task["project_id"] == project["id"]
    assert task["created_by"] == user.id
    assert task["is_active"] is True
    assert task["tag_list"] == []
    assert task["total_hours"] == 0

    assert ok(user.api.get(f"/api/v1/tasks/{task['id']}"))["task"] == task

    started = ok(user.api.patch(f"/api/v1/tasks/{task['id']}", json={"status": "in_progress"}))
    assert started["task"]["started_at"] is not None
    done = ok(user.api.put(f"/api/v1/tasks/{task['id']}", json={"status": "done"}))["task"]
    assert done["completed_at"] is not None
    assert done["is_active"] is False
    reopened = ok(user.api.patch(f"/api/v1/tasks/{task['id']}", json={"status": "review"}))
    assert reopened["task"]["completed_at"] is None

    assert ok(user.api.delete(f"/api/v1/tasks/{task['id']}")) == {
        "message": "Task deleted successfully"
    }
    assert_error(user.api.get(f"/api/v1/tasks/{task['id']}"), 404, "not_found")


def test_task_filters(user: User) -> None:
    project = create_project(user.api)
    todo = create_task(user.api, project["id"])
    review = create_task(user.api, project["id"], status="review")
    done = create_task(user.api, project["id"], status="done")
    cancelled = create_task(user.api, project["id"], status="cancelled")
    elsewhere = create_task(user.api, create_project(user.api)["id"])

    def listed(**params: object) -> list[int]:
        body = ok(user.api.get("/api/v1/tasks", params={"project_id": project["id"], **params}))
        return [t["id"] for t in body["tasks"]]

    assert listed() == [todo["id"], review["id"], done["id"], cancelled["id"]]
    assert listed(status="done") == [done["id"]]
    # ``active`` (the browser extension's filter) means the open statuses.
    assert listed(status="active") == [todo["id"], review["id"]]
    assert elsewhere["id"] not in listed()
    assert_error(user.api.get("/api/v1/tasks", params={"status": "later"}), 400, "validation_error")


def test_task_rules(user: User) -> None:
    project = create_project(user.api)
    for body, field in [
        ({"project_id": project["id"]}, "name"),
        ({"name": "t"}, "project_id"),
        ({"name": "t", "project_id": 999_999_999}, "project_id"),
        ({"name": "t", "project_id": project["id"], "priority": "asap"}, "priority"),
        ({"name": "t", "project_id": project["id"], "priority": 9}, "priority"),
        ({"name": "t", "project_id": project["id"], "due_date": "31/12/2024"}, "due_date"),
        ({"name": "t", "project_id": project["id"], "status": "blocked"}, "status"),
    ]:
        error = assert_error(user.api.post("/api/v1/tasks", json=body), 400, "validation_error")
        assert field in error["errors"], (body, error)
    task = create_task(user.api, project["id"], tags=["ui", " api "])
    assert task["tags"] == "ui,api"
    assert task["tag_list"] == ["ui", "api"]
    create_entry(user.api, project["id"], task_id=task["id"])
    # A task with booked time is not deleted (cancel it instead).
    assert_error(user.api.delete(f"/api/v1/tasks/{task['id']}"), 409, "conflict")
    assert ok(user.api.get(f"/api/v1/tasks/{task['id']}"))["task"]["total_hours"] == 8.0


def test_task_scopes(users: Users) -> None:
    reader = users.create(scopes=["read:tasks"])
    denied = reader.api.post("/api/v1/tasks", json={"name": "t", "project_id": 1})
    assert assert_error(denied, 403, "forbidden")["required_scope"] == "write:tasks"


def test_legacy_project_tasks_lists_every_status(user: User, browser: httpx.Client) -> None:
    project = create_project(user.api)
    tasks = [
        create_task(user.api, project["id"], name=f"t-{status}", status=status)
        for status in ("todo", "in_progress", "review", "done", "cancelled")
    ]
    r = browser.get(f"/api/projects/{project['id']}/tasks")
    body = ok(r)
    assert body["success"] is True
    assert {t["id"] for t in body["tasks"]} == {t["id"] for t in tasks}
    assert {t["status"] for t in body["tasks"]} >= {"done", "cancelled"}
    assert set(body["tasks"][0]) == {"id", "name", "description", "status", "priority"}
    assert r.headers["X-API-Deprecated"] == "true"
    assert r.headers["Link"] == '</api/v1/tasks>; rel="successor-version"'
    # A token is not a session here.
    assert_error(user.api.get(f"/api/projects/{project['id']}/tasks"), 401, "unauthorized")
    ok(user.api.delete(f"/api/v1/projects/{project['id']}"))
    assert_error(browser.get(f"/api/projects/{project['id']}/tasks"), 404, "not_found")
