"""The shapes of a project: the API answer (as the reference server's ``Project.to_dict``)
and, cut from it, the event state. Hours come from the trigger-kept ``work_totals``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import orjson

from tt.time.projects.models import Project

COLUMNS = tuple(column.key for column in Project.__table__.columns)


def fields_of(project: Project) -> dict[str, Any]:
    """An ORM project as the mapping ``project_view`` reads (raw rows already are one)."""
    return {name: getattr(project, name) for name in COLUMNS}


def _money(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _json(value: Any) -> Any:
    # JSONB comes as text on a raw connection, already decoded through the ORM.
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value


def project_view(
    project: Mapping[str, Any],
    *,
    client: str | None,
    seconds: int = 0,
    billable_seconds: int = 0,
) -> dict[str, Any]:
    rate = project["hourly_rate"]
    total_hours = round(seconds / 3600, 2)
    billable_hours = round(billable_seconds / 3600, 2)
    consumed = round(float(rate) * billable_seconds / 3600, 2) if rate is not None else 0.0
    budget = project["budget_amount"]
    return {
        "id": project["id"],
        "name": project["name"],
        "code": project["code"],
        "code_display": project["code"] or project["name"],
        "client_id": project["client_id"],
        "client": client,
        "description": project["description"],
        "billable": project["billable"],
        "hourly_rate": _money(rate),
        "billing_ref": project["billing_ref"],
        "status": project["status"],
        "estimated_hours": project["estimated_hours"],
        "budget_amount": _money(budget),
        "budget_threshold_percent": project["budget_threshold_percent"],
        "currency": project["currency"],
        "created_at": project["created_at"],
        "updated_at": project["updated_at"],
        "total_hours": total_hours,
        "total_billable_hours": billable_hours,
        "estimated_cost": (
            round(float(rate) * project["estimated_hours"], 2)
            if rate is not None and project["estimated_hours"] is not None
            else None
        ),
        "budget_consumed_amount": consumed,
        "budget_threshold_exceeded": bool(
            budget and consumed >= float(budget) * project["budget_threshold_percent"] / 100
        ),
        "custom_fields": _json(project["custom_fields"]) or {},
        "is_archived": project["status"] == "archived",
        "archived_at": project["archived_at"],
        "archived_by": project["archived_by"],
        "archived_reason": project["archived_reason"],
        "color": project["color"],
    }
