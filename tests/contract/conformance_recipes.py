"""How the conformance run makes a resource an operation's path or body names: one
recipe per id name, through the API as a client would, as the operation's own actor."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Protocol

import httpx

FINISHED = {"start_time": "2024-03-04T09:00:00Z", "end_time": "2024-03-04T10:00:00Z"}
CSV = "project_id,start_time,end_time\n{project},2024-03-05T09:00:00Z,2024-03-05T10:00:00Z\n"
HOOK = {"url": "https://example.test/hook", "events": ["tt.time_entry.*"]}


class Maker(Protocol):
    """What a recipe needs of the operation's sandbox."""

    subject_id: int

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response: ...

    def id_of(self, name: str) -> int: ...

    def subject_token_id(self) -> int: ...


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def answer(response: httpx.Response, key: str) -> dict[str, Any]:
    """The object under ``key`` of a successful answer to a set-up request."""
    assert response.status_code < 300, (response.request.url, response.text)
    value: dict[str, Any] = response.json()[key]
    return value


def created(box: Maker, path: str, body: dict[str, Any], key: str) -> int:
    return int(answer(box.call("POST", path, json=body), key)["id"])


def _client(box: Maker) -> int:
    return created(box, "/api/v1/clients", {"name": unique("Client")}, "client")


def _project(box: Maker) -> int:
    body = {"name": unique("Project"), "client_id": box.id_of("client_id")}
    return created(box, "/api/v1/projects", body, "project")


def _task(box: Maker) -> int:
    body = {"name": unique("Task"), "project_id": box.id_of("project_id")}
    return created(box, "/api/v1/tasks", body, "task")


def _entry(box: Maker) -> int:
    body = {"project_id": box.id_of("project_id"), **FINISHED}
    return created(box, "/api/v1/time-entries", body, "time_entry")


def _approval(box: Maker) -> int:
    body = {"entry_ids": [box.id_of("entry_id")]}
    return created(box, "/api/v1/time-entry-approvals", body, "approval")


def _import(box: Maker) -> int:
    csv = CSV.format(project=box.id_of("project_id"))
    headers = {"Content-Type": "text/csv"}
    r = box.call("POST", "/api/v1/time-entries/import-csv", content=csv, headers=headers)
    return int(answer(r, "import")["id"])


def _contact(box: Maker) -> int:
    path = f"/api/v1/clients/{box.id_of('client_id')}/contacts"
    return created(box, path, {"first_name": "Ada", "last_name": "Lovelace"}, "contact")


def _deal(box: Maker) -> int:
    return created(box, "/api/v1/deals", {"name": unique("Deal")}, "deal")


def _lead(box: Maker) -> int:
    return created(box, "/api/v1/leads", {"first_name": "Grace", "last_name": "Hopper"}, "lead")


def _item(box: Maker) -> int:
    body = {"sku": unique("SKU"), "name": unique("Item")}
    return created(box, "/api/v1/inventory/items", body, "item")


def _warehouse(box: Maker) -> int:
    body = {"code": unique("WH"), "name": unique("Warehouse")}
    return created(box, "/api/v1/inventory/warehouses", body, "warehouse")


def _transfer(box: Maker) -> int:
    item, source = box.id_of("stock_item_id"), box.id_of("from_warehouse_id")
    stock = {"stock_item_id": item, "warehouse_id": source, "quantity": 5}
    created(box, "/api/v1/inventory/movements", stock, "movement")
    body = {
        "stock_item_id": item,
        "from_warehouse_id": source,
        "to_warehouse_id": box.id_of("to_warehouse_id"),
        "quantity": 1,
    }
    r = box.call("POST", "/api/v1/inventory/transfers", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["reference_id"])


def _webhook(box: Maker) -> int:
    return created(box, "/api/v1/webhooks", HOOK, "webhook")


def _delivery(box: Maker) -> int:
    """The delivery of a test event (recorded when the test is asked for)."""
    webhook = box.id_of("webhook_id")
    box.call("POST", f"/api/v1/webhooks/{webhook}/test")
    r = box.call("GET", f"/api/v1/webhooks/{webhook}/deliveries")
    assert r.status_code == 200, r.text
    return int(r.json()["deliveries"][0]["id"])


def _timetrack_key(box: Maker) -> int:
    body = {"user_id": box.subject_id}
    return created(box, "/api/v1/admin/timetrack-keys", body, "timetrack_key")


# What an id names, and how to make one. Users, tokens and keys are the subject's: a
# case may demote, deactivate or revoke them, never the actor that sends the cases.
RECIPES: dict[str, Callable[[Maker], int]] = {
    "client_id": _client,
    "project_id": _project,
    "related_project_id": _project,
    "task_id": _task,
    "entry_id": _entry,
    "approval_id": _approval,
    "import_id": _import,
    "contact_id": _contact,
    "deal_id": _deal,
    "lead_id": _lead,
    "item_id": _item,
    "stock_item_id": _item,
    "warehouse_id": _warehouse,
    "from_warehouse_id": _warehouse,
    "to_warehouse_id": _warehouse,
    "reference_id": _transfer,
    "webhook_id": _webhook,
    "delivery_id": _delivery,
    "user_id": lambda box: box.subject_id,
    "owner_id": lambda box: box.subject_id,
    "token_id": lambda box: box.subject_token_id(),
    "key_id": _timetrack_key,
}


def _timer_running(box: Maker) -> None:
    status = box.call("GET", "/api/v1/timer/status").json()
    if status["timer"] is None:
        body = {"project_id": box.id_of("project_id")}
        assert box.call("POST", "/api/v1/timer/start", json=body).status_code == 201
    elif status["timer"]["is_paused"]:
        assert box.call("POST", "/api/v1/timer/resume").status_code == 200


def _timer_paused(box: Maker) -> None:
    _timer_running(box)
    assert box.call("POST", "/api/v1/timer/pause").status_code == 200


def _timer_idle(box: Maker) -> None:
    if box.call("GET", "/api/v1/timer/status").json()["active"]:
        assert box.call("POST", "/api/v1/timer/stop").status_code == 200


def _timer_stopped(box: Maker) -> None:
    """No timer runs, and the last entry is one a timer made (legacy resume restarts it)."""
    _timer_running(box)
    assert box.call("POST", "/api/v1/timer/stop").status_code == 200


# Operations that answer 2xx only from a state of the actor's timer: each case starts
# from it (otherwise every case after the first would be the same 400).
STATES: dict[str, Callable[[Maker], None]] = {
    "POST /api/v1/timer/start": _timer_idle,
    "POST /api/timer/start": _timer_idle,
    "POST /api/v1/timer/stop": _timer_running,
    "POST /api/v1/timer/pause": _timer_running,
    "POST /api/v1/timer/resume": _timer_paused,
    "POST /api/timer/stop": _timer_running,
    "POST /api/timer/resume": _timer_stopped,
}
