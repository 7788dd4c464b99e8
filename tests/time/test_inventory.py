"""The inventory module through the gateway: stock items, warehouses, movements and
transfers (``/api/v1/inventory/transfers`` as in the seeds); and, on a time process whose
setting switches it off, every inventory route 404 with the error body."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from timekit import Direct, ok

from support.api import User, Users, assert_error, unique, wait_until
from support.platform import PlatformInfo

INV = "/api/v1/inventory"


def _warehouse(user: User) -> dict[str, Any]:
    body = {"name": unique("Warehouse "), "code": unique("W-")}
    return dict(ok(user.api.post(f"{INV}/warehouses", json=body), 201)["warehouse"])


def _item(user: User, **fields: Any) -> dict[str, Any]:
    body = {"sku": unique("SKU-"), "name": unique("Item "), **fields}
    return dict(ok(user.api.post(f"{INV}/items", json=body), 201)["item"])


def _stock(user: User, item: dict[str, Any], warehouse: dict[str, Any], quantity: float) -> None:
    body = {
        "movement_type": "purchase",
        "stock_item_id": item["id"],
        "warehouse_id": warehouse["id"],
        "quantity": quantity,
    }
    ok(user.api.post(f"{INV}/movements", json=body), 201)


def _on_hand(user: User, item: dict[str, Any], warehouse: dict[str, Any]) -> float:
    levels = ok(
        user.api.get(
            f"{INV}/stock-levels",
            params={"stock_item_id": item["id"], "warehouse_id": warehouse["id"]},
        )
    )["stock_levels"]
    return float(levels[0]["quantity_on_hand"]) if levels else 0.0


def test_a_transfer_moves_stock_between_warehouses(user: User) -> None:
    source, target = _warehouse(user), _warehouse(user)
    item = _item(user, reorder_point=3)
    _stock(user, item, source, 10)
    created = ok(
        user.api.post(
            f"{INV}/transfers",
            json={
                "stock_item_id": item["id"],
                "from_warehouse_id": source["id"],
                "to_warehouse_id": target["id"],
                "quantity": 4,
                "notes": "restock the shop",
            },
        ),
        201,
    )
    assert created["message"]
    reference = created["reference_id"]
    out, into = (t["movement"] for t in created["transfers"])
    assert (out["warehouse_id"], out["quantity"]) == (source["id"], -4.0)
    assert (into["warehouse_id"], into["quantity"]) == (target["id"], 4.0)
    assert {out["reference_id"], into["reference_id"]} == {reference}
    assert (_on_hand(user, item, source), _on_hand(user, item, target)) == (6.0, 4.0)
    assert ok(user.api.get(f"{INV}/items/{item['id']}"))["item"]["total_quantity_on_hand"] == 10.0

    got = ok(user.api.get(f"{INV}/transfers/{reference}"))["transfer"]
    assert (got["reference_id"], got["stock_item_id"], got["quantity"]) == (
        reference,
        item["id"],
        4.0,
    )
    assert (got["from_warehouse_id"], got["to_warehouse_id"]) == (source["id"], target["id"])
    assert got["notes"] == "restock the shop"
    assert [m["id"] for m in got["movements"]] == [out["id"], into["id"]]

    listed = ok(user.api.get(f"{INV}/transfers", params={"per_page": 100}))
    [mine] = [t for t in listed["transfers"] if t["reference_id"] == reference]
    assert mine["movement_ids"] == [out["id"], into["id"]]
    assert set(mine) >= {
        "reference_id", "moved_at", "stock_item_id", "from_warehouse_id", "to_warehouse_id",
        "quantity", "notes", "movement_ids",
    }  # fmt: skip
    today = mine["moved_at"][:10]
    window = ok(user.api.get(f"{INV}/transfers", params={"date_from": today, "date_to": today}))
    assert reference in [t["reference_id"] for t in window["transfers"]]
    future = ok(user.api.get(f"{INV}/transfers", params={"date_from": "2099-01-01"}))
    assert future["transfers"] == []
    assert_error(user.api.get(f"{INV}/transfers/999999999"), 404, "not_found")


def test_transfers_never_overdraw_and_check_what_they_name(user: User) -> None:
    source, target = _warehouse(user), _warehouse(user)
    item = _item(user)
    _stock(user, item, source, 5)

    def refused(**body: Any) -> dict[str, Any]:
        full = {
            "stock_item_id": item["id"],
            "from_warehouse_id": source["id"],
            "to_warehouse_id": target["id"],
            "quantity": 1,
            **body,
        }
        return assert_error(user.api.post(f"{INV}/transfers", json=full), 400, "validation_error")

    assert list(refused(quantity=6)["errors"]) == ["quantity"]
    assert list(refused(quantity=0)["errors"]) == ["quantity"]
    assert list(refused(quantity=-1)["errors"]) == ["quantity"]
    assert list(refused(to_warehouse_id=source["id"])["errors"]) == ["to_warehouse_id"]
    assert list(refused(stock_item_id=999999999)["errors"]) == ["stock_item_id"]
    assert list(refused(from_warehouse_id=999999999)["errors"]) == ["from_warehouse_id"]
    empty = assert_error(user.api.post(f"{INV}/transfers", json={}), 400, "validation_error")
    assert set(empty["errors"]) == {
        "stock_item_id",
        "from_warehouse_id",
        "to_warehouse_id",
        "quantity",
    }
    assert (_on_hand(user, item, source), _on_hand(user, item, target)) == (5.0, 0.0)
    out = user.api.post(
        f"{INV}/movements",
        json={"stock_item_id": item["id"], "warehouse_id": source["id"], "quantity": -6},
    )
    assert list(assert_error(out, 400, "validation_error")["errors"]) == ["quantity"]


def test_items_and_warehouses(users: Users, user: User) -> None:
    item = _item(user, category="bolts", default_price=1.5, unit="box")
    assert (item["unit"], item["default_price"], item["is_active"]) == ("box", 1.5, True)
    again = user.api.post(f"{INV}/items", json={"sku": item["sku"], "name": "dup"})
    assert_error(again, 409, "conflict")
    changed = ok(user.api.patch(f"{INV}/items/{item['id']}", json={"name": "Renamed"}))["item"]
    assert changed["name"] == "Renamed"
    found = ok(user.api.get(f"{INV}/items", params={"search": item["sku"]}))["items"]
    assert [i["id"] for i in found] == [item["id"]]
    ok(user.api.delete(f"{INV}/items/{item['id']}"))
    assert ok(user.api.get(f"{INV}/items", params={"search": item["sku"]}))["items"] == []
    inactive = ok(
        user.api.get(f"{INV}/items", params={"search": item["sku"], "active_only": "false"})
    )["items"]
    assert inactive[0]["is_active"] is False

    warehouse = _warehouse(user)
    listed = ok(user.api.get(f"{INV}/warehouses", params={"per_page": 100}))
    assert warehouse["id"] in [w["id"] for w in listed["warehouses"]]
    dup = user.api.post(f"{INV}/warehouses", json={"name": "x", "code": warehouse["code"]})
    assert_error(dup, 409, "conflict")
    # Inventory uses the projects scopes, as the seeds say.
    reader = users.create(scopes=["read:time_entries"])
    assert assert_error(reader.api.get(f"{INV}/items"), 403, "forbidden")["required_scope"] == (
        "read:projects"
    )


def test_movements_refuse_inactive_records_and_lists_filter(user: User) -> None:
    category = unique("cat-")
    item, spare = _item(user, category=category), _item(user, category=category)
    warehouse, closed = _warehouse(user), _warehouse(user)
    found = ok(user.api.get(f"{INV}/items", params={"category": category}))["items"]
    assert {i["id"] for i in found} == {item["id"], spare["id"]}
    ok(user.api.delete(f"{INV}/items/{spare['id']}"))
    ok(user.api.delete(f"{INV}/warehouses/{closed['id']}"))
    assert ok(user.api.get(f"{INV}/warehouses/{closed['id']}"))["warehouse"]["is_active"] is False
    active = ok(user.api.get(f"{INV}/warehouses", params={"per_page": 100}))["warehouses"]
    assert closed["id"] not in [w["id"] for w in active]
    assert warehouse["id"] in [w["id"] for w in active]

    def movement(**body: Any) -> httpx.Response:
        full = {"stock_item_id": item["id"], "warehouse_id": warehouse["id"], "quantity": 1}
        return user.api.post(f"{INV}/movements", json={**full, **body})

    refused = assert_error(
        movement(stock_item_id=spare["id"], warehouse_id=closed["id"]), 400, "validation_error"
    )
    assert refused["errors"] == {"stock_item_id": ["Inactive"], "warehouse_id": ["Inactive"]}
    missing = assert_error(movement(warehouse_id=999999999), 400, "validation_error")
    assert missing["errors"] == {"warehouse_id": ["Warehouse not found"]}

    recorded = ok(movement(quantity=2.5, unit_cost=4), 201)
    assert recorded["movement"]["quantity"] == 2.5
    assert recorded["stock_level"] == {
        "warehouse_id": warehouse["id"],
        "stock_item_id": item["id"],
        "quantity_on_hand": 2.5,
        "quantity_reserved": 0.0,
        "quantity_available": 2.5,
        "location": None,
    }
    [level] = ok(user.api.get(f"{INV}/stock-levels", params={"stock_item_id": item["id"]}))[
        "stock_levels"
    ]
    assert (level["warehouse"]["id"], level["stock_item"]["id"]) == (warehouse["id"], item["id"])
    assert level["quantity_available"] == 2.5


def test_a_warehouse_code_stays_unique_when_changed(user: User) -> None:
    first, second = _warehouse(user), _warehouse(user)
    taken = user.api.patch(f"{INV}/warehouses/{second['id']}", json={"code": first["code"]})
    assert_error(taken, 409, "conflict")
    same = ok(user.api.put(f"{INV}/warehouses/{first['id']}", json={"code": first["code"]}))
    assert same["warehouse"]["code"] == first["code"]
    assert_error(user.api.get(f"{INV}/warehouses/999999999"), 404, "not_found")
    assert_error(user.api.get(f"{INV}/items/999999999"), 404, "not_found")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def inventory_off(platform: PlatformInfo) -> Iterator[str]:
    """A second time-service process, on the platform's database, with inventory off."""
    from tt.devenv.platform import Platform
    from tt.devenv.services import BY_NAME, service_env

    layout = Platform.from_file(platform.path).layout
    env = {
        **os.environ,
        **service_env(layout, BY_NAME["time"], platform.secrets),
        "TT_TIME_INVENTORY_ENABLED": "false",
        "TT_OTEL_INSTRUMENT": "false",
    }
    port = _free_port()
    log = (Path(platform.doc["logs"]) / f"time-inventory-off-{port}.log").open("wb")
    argv = [
        sys.executable, "-m", "uvicorn", "tt.time.main:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:

        def healthy() -> bool:
            assert process.poll() is None, "the time process exited"
            try:
                return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, timeout=120, interval=0.2, what="a time process with inventory off")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/transfers"),
        ("POST", "/transfers"),
        ("GET", "/transfers/1"),
        ("GET", "/items"),
        ("POST", "/warehouses"),
        ("GET", "/stock-levels"),
        ("POST", "/movements"),
    ],
)
def test_switched_off_every_route_is_404(
    inventory_off: str, direct: Direct, method: str, path: str
) -> None:
    headers = direct.identity(user_id=99_000_002, username="stock", is_admin=True)
    response = httpx.request(method, inventory_off + INV + path, headers=headers, json={})
    body = assert_error(response, 404, "not_found")
    assert "inventory" in body["message"]
    # The same process serves everything else.
    assert httpx.get(inventory_off + "/api/v1/clients", headers=headers).status_code == 200
