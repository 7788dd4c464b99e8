"""Client contacts, deals and leads through the gateway (scopes: clients)."""

from __future__ import annotations

from typing import Any

from timekit import create_client, create_project, ok

from support.api import User, Users, assert_error, unique


def _contacts(user: User, client_id: int) -> list[dict[str, Any]]:
    body = ok(user.api.get(f"/api/v1/clients/{client_id}/contacts"))
    assert body["pagination"]["total"] == len(body["contacts"])
    return list(body["contacts"])


def test_contacts_crud_and_one_primary_per_client(user: User) -> None:
    client = create_client(user.api)
    base = f"/api/v1/clients/{client['id']}/contacts"
    ann = ok(
        user.api.post(
            base,
            json={
                "first_name": "Ann",
                "last_name": "Lee",
                "email": "ann@example.test",
                "title": "CTO",
                "tags": "tech,board",
                "is_primary": True,
            },
        ),
        201,
    )
    assert ann["message"]
    ann = ann["contact"]
    assert (ann["client_id"], ann["full_name"], ann["display_name"]) == (
        client["id"],
        "Ann Lee",
        "Ann Lee (CTO)",
    )
    assert (ann["tags"], ann["is_primary"], ann["role"]) == (["tech", "board"], True, "contact")
    bob = ok(user.api.post(base, json={"first_name": "Bob", "last_name": "Adams"}), 201)["contact"]
    assert [c["first_name"] for c in _contacts(user, client["id"])] == ["Bob", "Ann"]
    # Making Bob primary unmarks Ann.
    bob = ok(user.api.patch(f"{base}/{bob['id']}", json={"is_primary": True}))["contact"]
    assert bob["is_primary"] is True
    assert ok(user.api.get(f"{base}/{ann['id']}"))["contact"]["is_primary"] is False
    ok(user.api.put(f"{base}/{ann['id']}", json={"phone": "+41 44 000 00 00"}))
    assert ok(user.api.get(f"{base}/{ann['id']}"))["contact"]["phone"] == "+41 44 000 00 00"
    assert ok(user.api.delete(f"{base}/{ann['id']}"))["message"]
    assert_error(user.api.get(f"{base}/{ann['id']}"), 404, "not_found")
    assert [c["id"] for c in _contacts(user, client["id"])] == [bob["id"]]


def test_contacts_belong_to_their_client(user: User) -> None:
    one, two = create_client(user.api), create_client(user.api)
    contact = ok(
        user.api.post(
            f"/api/v1/clients/{one['id']}/contacts", json={"first_name": "A", "last_name": "B"}
        ),
        201,
    )["contact"]
    assert_error(
        user.api.get(f"/api/v1/clients/{two['id']}/contacts/{contact['id']}"), 404, "not_found"
    )
    assert_error(user.api.get("/api/v1/clients/999999999/contacts"), 404, "not_found")
    missing = user.api.post(f"/api/v1/clients/{one['id']}/contacts", json={"first_name": "A"})
    assert list(assert_error(missing, 400, "validation_error")["errors"]) == ["last_name"]
    bad = user.api.post(
        f"/api/v1/clients/{one['id']}/contacts",
        json={"first_name": "A", "last_name": "B", "email": "not an email"},
    )
    assert list(assert_error(bad, 400, "validation_error")["errors"]) == ["email"]


def test_crm_needs_the_clients_scopes(users: Users) -> None:
    reader = users.create(scopes=["read:clients"])
    denied = reader.api.post("/api/v1/deals", json={"name": "x"})
    assert assert_error(denied, 403, "forbidden")["required_scope"] == "write:clients"
    ok(reader.api.get("/api/v1/leads"))
    writer = users.create(scopes=["write:time_entries"])
    assert assert_error(writer.api.get("/api/v1/deals"), 403, "forbidden")["required_scope"] == (
        "read:clients"
    )


def test_deals_crud_owner_and_closing(users: Users, user: User) -> None:
    client = create_client(user.api)
    project = create_project(user.api, client["id"])
    created = ok(
        user.api.post(
            "/api/v1/deals",
            json={
                "name": "Website relaunch",
                "client_id": client["id"],
                "related_project_id": project["id"],
                "value": 12000,
                "probability": 25,
                "expected_close_date": "2026-12-31",
            },
        ),
        201,
    )["deal"]
    assert (created["status"], created["stage"], created["owner_id"]) == (
        "open",
        "prospecting",
        user.id,
    )
    assert (created["value"], created["weighted_value"]) == (12000.0, 3000.0)
    assert created["currency_code"] == "EUR"
    path = f"/api/v1/deals/{created['id']}"
    won = ok(user.api.patch(path, json={"status": "won"}))["deal"]
    assert (won["stage"], won["is_won"], won["is_open"]) == ("closed_won", True, False)
    assert won["closed_at"] is not None
    assert won["actual_close_date"] is not None
    assert ok(user.api.get("/api/v1/deals"))["deals"] == []  # open ones by default
    assert [
        d["id"] for d in ok(user.api.get("/api/v1/deals", params={"status": "won"}))["deals"]
    ] == [created["id"]]
    # Another user neither sees nor changes it; an admin does.
    other = users.create()
    assert_error(other.api.get(path), 404, "not_found")
    assert_error(other.api.delete(path), 404, "not_found")
    assert ok(other.api.get("/api/v1/deals", params={"status": "all"}))["deals"] == []
    admin = users.create(is_admin=True)
    assert ok(admin.api.get(path))["deal"]["id"] == created["id"]
    assert_error(
        other.api.post("/api/v1/deals", json={"name": "x", "owner_id": user.id}), 403, "forbidden"
    )
    bad = user.api.post(
        "/api/v1/deals", json={"name": "x", "client_id": 999999999, "probability": 150}
    )
    assert set(assert_error(bad, 400, "validation_error")["errors"]) == {"probability"}
    bad = user.api.post("/api/v1/deals", json={"name": "x", "client_id": 999999999})
    assert set(assert_error(bad, 400, "validation_error")["errors"]) == {"client_id"}
    assert ok(user.api.delete(path))["message"]
    assert_error(user.api.get(path), 404, "not_found")


def test_leads_crud_search_and_default_filter(user: User) -> None:
    def lead(**fields: Any) -> dict[str, Any]:
        return dict(ok(user.api.post("/api/v1/leads", json=fields), 201)["lead"])

    hot = lead(first_name="Hanna", last_name="Hot", company_name="Acme AG", score=90)
    cold = lead(first_name="Carl", last_name="Cold", email="carl@cold.test", score=10)
    gone = lead(first_name="Lou", last_name="Lost", status="lost")
    assert (hot["status"], hot["display_name"]) == ("new", "Hanna Hot (Acme AG)")

    def ids(**params: Any) -> list[int]:
        return [x["id"] for x in ok(user.api.get("/api/v1/leads", params=params))["leads"]]

    assert ids() == [hot["id"], cold["id"]]  # best score first, lost ones left out
    assert ids(status="all") == [hot["id"], cold["id"], gone["id"]]
    assert ids(status="lost") == [gone["id"]]
    assert ids(search="acme") == [hot["id"]]
    assert ids(search="cold.test") == [cold["id"]]
    assert ids(search="%") == []
    converted = ok(user.api.put(f"/api/v1/leads/{cold['id']}", json={"status": "converted"}))
    assert converted["lead"]["is_converted"] is True
    assert converted["lead"]["converted_by"] == user.id
    assert_error(user.api.get("/api/v1/leads", params={"status": "warm"}), 400, "validation_error")
    assert ok(user.api.delete(f"/api/v1/leads/{hot['id']}"))["message"]
    assert ids(status="all") == [cold["id"], gone["id"]]


def test_what_a_deal_points_at_must_exist(user: User) -> None:
    client, other = create_client(user.api), create_client(user.api)
    project = create_project(user.api, client["id"])
    contact = ok(
        user.api.post(
            f"/api/v1/clients/{other['id']}/contacts", json={"first_name": "O", "last_name": "T"}
        ),
        201,
    )["contact"]
    lead = ok(user.api.post("/api/v1/leads", json={"first_name": "L", "last_name": "D"}), 201)
    refused = user.api.post(
        "/api/v1/deals",
        json={
            "name": "x",
            "client_id": client["id"],
            "contact_id": contact["id"],  # at another client
            "lead_id": 999999999,
            "related_project_id": 999999999,
        },
    )
    assert assert_error(refused, 400, "validation_error")["errors"] == {
        "lead_id": ["Lead not found"],
        "related_project_id": ["Project not found"],
        "contact_id": ["The contact belongs to another client"],
    }
    missing = user.api.post("/api/v1/deals", json={"name": "x", "contact_id": 999999999})
    assert assert_error(missing, 400, "validation_error")["errors"] == {
        "contact_id": ["Contact not found"]
    }
    deal = ok(
        user.api.post(
            "/api/v1/deals",
            json={
                "name": "x",
                "client_id": other["id"],
                "contact_id": contact["id"],
                "lead_id": lead["lead"]["id"],
                "related_project_id": project["id"],
            },
        ),
        201,
    )["deal"]
    assert (deal["contact_id"], deal["lead_id"], deal["related_project_id"]) == (
        contact["id"],
        lead["lead"]["id"],
        project["id"],
    )
    # An update naming a contact checks it against the client it names.
    bad = user.api.patch(
        f"/api/v1/deals/{deal['id']}", json={"client_id": client["id"], "contact_id": contact["id"]}
    )
    assert list(assert_error(bad, 400, "validation_error")["errors"]) == ["contact_id"]


def test_deal_and_lead_lists_filter(users: Users) -> None:
    owner, other = users.create(), users.create()
    client = create_client(owner.api)
    tag = unique("stage-")
    mine = ok(
        owner.api.post(
            "/api/v1/deals", json={"name": "a", "stage": tag, "client_id": client["id"]}
        ),
        201,
    )["deal"]
    ok(owner.api.post("/api/v1/deals", json={"name": "b", "stage": tag}), 201)
    ok(other.api.post("/api/v1/deals", json={"name": "c", "stage": tag}), 201)

    def deal_ids(api_user: User, **params: Any) -> set[int]:
        body = ok(api_user.api.get("/api/v1/deals", params={"stage": tag, **params}))
        return {d["id"] for d in body["deals"]}

    assert len(deal_ids(owner)) == 2
    assert deal_ids(owner, client_id=client["id"]) == {mine["id"]}
    # A user's ``owner`` names nobody else: they see their own.
    assert deal_ids(owner, owner=other.id) == deal_ids(owner)
    admin = users.create(is_admin=True)
    assert len(deal_ids(admin)) == 3
    assert deal_ids(admin, owner=owner.id) == deal_ids(owner)

    source = unique("fair-")
    lead = ok(
        owner.api.post(
            "/api/v1/leads", json={"first_name": "F", "last_name": "S", "source": source}
        ),
        201,
    )["lead"]
    ok(
        other.api.post(
            "/api/v1/leads", json={"first_name": "G", "last_name": "S", "source": source}
        ),
        201,
    )
    by_source = ok(owner.api.get("/api/v1/leads", params={"source": source}))["leads"]
    assert [x["id"] for x in by_source] == [lead["id"]]
    everyone = ok(admin.api.get("/api/v1/leads", params={"source": source}))["leads"]
    assert len(everyone) == 2
    only = ok(admin.api.get("/api/v1/leads", params={"source": source, "owner": owner.id}))
    assert [x["id"] for x in only["leads"]] == [lead["id"]]
