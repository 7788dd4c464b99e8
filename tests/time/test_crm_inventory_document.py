"""The answers of contacts, deals, leads and inventory carry exactly the fields the merged
OpenAPI document (``/api/openapi.json``) declares for them, every one always present: the
document's models and the views that build the answers are two spellings of one shape,
and a client generated from the document must read every field we send."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from timekit import PAGINATION_KEYS, create_client, create_project, ok

from support.api import User, unique

INV = "/api/v1/inventory"


@pytest.fixture(scope="module")
def schemas(anonymous: httpx.Client) -> dict[str, Any]:
    document = ok(anonymous.get("/api/openapi.json"))
    return dict(document["components"]["schemas"])


def assert_documented(answer: dict[str, Any], schemas: dict[str, Any], name: str) -> None:
    """``answer`` has the fields of schema ``name``, no more, and the schema requires each."""
    schema = schemas[name]
    assert set(answer) == set(schema["properties"]), name
    assert set(schema["required"]) == set(schema["properties"]), name


def assert_page(body: dict[str, Any], schemas: dict[str, Any], page: str, key: str) -> None:
    assert set(body) == {key, "pagination"} == set(schemas[page]["properties"])
    assert set(body["pagination"]) == PAGINATION_KEYS == set(schemas["Pagination"]["properties"])


def test_contacts_deals_and_leads_answer_as_documented(user: User, schemas: dict[str, Any]) -> None:
    client = create_client(user.api)
    project = create_project(user.api, client["id"])
    contacts = f"/api/v1/clients/{client['id']}/contacts"
    saved = ok(user.api.post(contacts, json={"first_name": "Ann", "last_name": "Lee"}), 201)
    assert_documented(saved, schemas, "ContactSaved")
    assert_documented(saved["contact"], schemas, "ContactView")
    listed = ok(user.api.get(contacts))
    assert_page(listed, schemas, "ContactPage", "contacts")
    assert_documented(listed["contacts"][0], schemas, "ContactView")
    one = ok(user.api.get(f"{contacts}/{saved['contact']['id']}"))
    assert_documented(one, schemas, "ContactAnswer")

    deal = ok(
        user.api.post(
            "/api/v1/deals",
            json={
                "name": "Relaunch",
                "client_id": client["id"],
                "contact_id": saved["contact"]["id"],
                "related_project_id": project["id"],
                "value": 100,
            },
        ),
        201,
    )
    assert_documented(deal, schemas, "DealSaved")
    assert_documented(deal["deal"], schemas, "DealView")
    path = f"/api/v1/deals/{deal['deal']['id']}"
    assert_documented(ok(user.api.get(path)), schemas, "DealAnswer")
    assert_documented(ok(user.api.patch(path, json={"status": "won"})), schemas, "DealSaved")
    listed = ok(user.api.get("/api/v1/deals", params={"status": "all"}))
    assert_page(listed, schemas, "DealPage", "deals")
    assert_documented(listed["deals"][0], schemas, "DealView")

    lead = ok(user.api.post("/api/v1/leads", json={"first_name": "Lu", "last_name": "Lo"}), 201)
    assert_documented(lead, schemas, "LeadSaved")
    assert_documented(lead["lead"], schemas, "LeadView")
    assert_documented(
        ok(user.api.get(f"/api/v1/leads/{lead['lead']['id']}")), schemas, "LeadAnswer"
    )
    listed = ok(user.api.get("/api/v1/leads"))
    assert_page(listed, schemas, "LeadPage", "leads")

    for deleted, name in (
        (user.api.delete(path), "CrmDeleted"),
        (user.api.delete(f"/api/v1/leads/{lead['lead']['id']}"), "CrmDeleted"),
        (user.api.delete(f"{contacts}/{saved['contact']['id']}"), "ContactDeleted"),
    ):
        assert_documented(ok(deleted), schemas, name)


def test_inventory_answers_as_documented(user: User, schemas: dict[str, Any]) -> None:
    item = ok(user.api.post(f"{INV}/items", json={"sku": unique("SKU-"), "name": "Bolt"}), 201)
    assert_documented(item, schemas, "ItemSaved")
    assert_documented(item["item"], schemas, "StockItemView")
    item_path = f"{INV}/items/{item['item']['id']}"
    assert_documented(ok(user.api.get(item_path)), schemas, "ItemAnswer")
    listed = ok(user.api.get(f"{INV}/items", params={"search": item["item"]["sku"]}))
    assert_page(listed, schemas, "StockItemPage", "items")
    assert_documented(listed["items"][0], schemas, "StockItemView")

    source, target = (
        ok(user.api.post(f"{INV}/warehouses", json={"name": "W", "code": unique("W-")}), 201)
        for _ in range(2)
    )
    assert_documented(source, schemas, "WarehouseSaved")
    assert_documented(source["warehouse"], schemas, "WarehouseView")
    warehouse_path = f"{INV}/warehouses/{source['warehouse']['id']}"
    assert_documented(ok(user.api.get(warehouse_path)), schemas, "WarehouseAnswer")
    assert_page(ok(user.api.get(f"{INV}/warehouses")), schemas, "WarehousePage", "warehouses")

    moved = ok(
        user.api.post(
            f"{INV}/movements",
            json={
                "stock_item_id": item["item"]["id"],
                "warehouse_id": source["warehouse"]["id"],
                "quantity": 5,
            },
        ),
        201,
    )
    assert_documented(moved, schemas, "MovementRecorded")
    assert_documented(moved["movement"], schemas, "MovementView")
    assert_documented(moved["stock_level"], schemas, "StockLevelView")
    levels = ok(user.api.get(f"{INV}/stock-levels", params={"stock_item_id": item["item"]["id"]}))
    assert_page(levels, schemas, "StockLevelPage", "stock_levels")
    assert_documented(levels["stock_levels"][0], schemas, "ListedStockLevel")

    created = ok(
        user.api.post(
            f"{INV}/transfers",
            json={
                "stock_item_id": item["item"]["id"],
                "from_warehouse_id": source["warehouse"]["id"],
                "to_warehouse_id": target["warehouse"]["id"],
                "quantity": 2,
            },
        ),
        201,
    )
    assert_documented(created, schemas, "TransferCreated")
    assert_documented(created["transfer"], schemas, "TransferView")
    for pair in created["transfers"]:
        assert_documented(pair, schemas, "TransferMovement")
    got = ok(user.api.get(f"{INV}/transfers/{created['reference_id']}"))
    assert_documented(got, schemas, "TransferAnswer")
    assert_documented(got["transfer"], schemas, "TransferDetail")
    assert_page(ok(user.api.get(f"{INV}/transfers")), schemas, "TransferPage", "transfers")

    for deactivated in (user.api.delete(item_path), user.api.delete(warehouse_path)):
        assert_documented(ok(deactivated), schemas, "InventoryDeactivated")
