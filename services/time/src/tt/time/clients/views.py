"""The shapes of a client: the API answer (as the reference server's ``Client.to_dict``,
plus ``company`` and ``currency``) and, cut from it, the event state."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tt.time.clients.models import Client


def client_view(
    client: Any, *, total_projects: int = 0, active_projects: int = 0
) -> dict[str, Any]:
    rate: Decimal | None = client.default_hourly_rate
    return {
        "id": client.id,
        "name": client.name,
        "description": client.description,
        "contact_person": client.contact_person,
        "email": client.email,
        "phone": client.phone,
        "address": client.address,
        "company": client.company,
        # The reference answers the rate as a string ("75.00"); events carry a number.
        "default_hourly_rate": str(rate) if rate is not None else None,
        "currency": client.currency,
        "status": client.status,
        "is_active": client.status == "active",
        "total_projects": total_projects,
        "active_projects": active_projects,
        "prepaid_hours_monthly": None,
        "prepaid_reset_day": None,
        "custom_fields": client.custom_fields or {},
        "created_at": client.created_at,
        "updated_at": client.updated_at,
    }


def event_overrides(client: Client) -> dict[str, Any]:
    rate = client.default_hourly_rate
    return {"default_hourly_rate": float(rate) if rate is not None else None}
