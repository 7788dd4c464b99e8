"""Finding 15: shared projects and clients may be renamed by anyone with the write scope,
but their rates, budget and status (archiving) only by their creator or an admin."""

from __future__ import annotations

from support.api import User, Users, assert_error


def test_another_user_cannot_set_the_rate_or_archive_a_project(
    users: Users, admin_user: User, user: User
) -> None:
    r = admin_user.api.post("/api/v1/projects", json={"name": "shared", "hourly_rate": 100})
    assert r.status_code == 201, r.text
    project_id = r.json()["project"]["id"]
    path = f"/api/v1/projects/{project_id}"

    assert user.api.put(path, json={"name": "renamed by a colleague"}).status_code == 200
    assert_error(user.api.put(path, json={"hourly_rate": 1}), 403, "forbidden")
    assert_error(user.api.put(path, json={"status": "archived"}), 403, "forbidden")
    assert_error(user.api.delete(path), 403, "forbidden")
    project = admin_user.api.get(path).json()["project"]
    assert float(project["hourly_rate"]) == 100.0
    assert project["status"] == "active"
    # Sending the unchanged rate along with a rename is fine.
    r = user.api.put(path, json={"name": "renamed again", "hourly_rate": 100})
    assert r.status_code == 200, r.text
    # The creator and admins may.
    assert admin_user.api.put(path, json={"hourly_rate": 120}).status_code == 200


def test_another_user_cannot_set_a_clients_rate_or_delete_it(admin_user: User, user: User) -> None:
    r = admin_user.api.post("/api/v1/clients", json={"name": "shared client"})
    assert r.status_code == 201, r.text
    path = f"/api/v1/clients/{r.json()['client']['id']}"
    assert user.api.put(path, json={"name": "renamed client"}).status_code == 200
    assert_error(user.api.put(path, json={"default_hourly_rate": 5}), 403, "forbidden")
    assert_error(user.api.delete(path), 403, "forbidden")
    assert admin_user.api.get(path).status_code == 200
    mine = user.api.post("/api/v1/clients", json={"name": "my client"}).json()["client"]
    r = user.api.put(f"/api/v1/clients/{mine['id']}", json={"default_hourly_rate": 5})
    assert r.status_code == 200, r.text
