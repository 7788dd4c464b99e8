"""Deals and leads as the reference server's ``to_dict`` shapes them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tt.time.crm.models import Deal, Lead


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def deal_view(deal: Deal) -> dict[str, Any]:
    weighted = (deal.value or Decimal(0)) * Decimal(deal.probability) / 100
    return {
        "id": deal.id,
        "client_id": deal.client_id,
        "contact_id": deal.contact_id,
        "lead_id": deal.lead_id,
        "name": deal.name,
        "description": deal.description,
        "stage": deal.stage,
        "value": _number(deal.value),
        "currency_code": deal.currency_code,
        "probability": deal.probability,
        "weighted_value": float(round(weighted, 2)),
        "expected_close_date": deal.expected_close_date,
        "actual_close_date": deal.actual_close_date,
        "status": deal.status,
        "loss_reason": deal.loss_reason,
        "related_project_id": deal.related_project_id,
        "notes": deal.notes,
        "created_by": deal.created_by,
        "owner_id": deal.owner_id,
        "created_at": deal.created_at,
        "updated_at": deal.updated_at,
        "closed_at": deal.closed_at,
        "is_open": deal.status == "open",
        "is_won": deal.status == "won",
        "is_lost": deal.status == "lost",
    }


def lead_view(lead: Lead) -> dict[str, Any]:
    full_name = f"{lead.first_name} {lead.last_name}".strip()
    return {
        "id": lead.id,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "full_name": full_name,
        "display_name": f"{full_name} ({lead.company_name})" if lead.company_name else full_name,
        "company_name": lead.company_name,
        "email": lead.email,
        "phone": lead.phone,
        "title": lead.title,
        "source": lead.source,
        "status": lead.status,
        "score": lead.score,
        "estimated_value": _number(lead.estimated_value),
        "currency_code": lead.currency_code,
        "converted_to_client_id": lead.converted_to_client_id,
        "converted_to_deal_id": lead.converted_to_deal_id,
        "converted_at": lead.converted_at,
        "converted_by": lead.converted_by,
        "notes": lead.notes,
        "tags": lead.tags.split(",") if lead.tags else [],
        "created_by": lead.created_by,
        "owner_id": lead.owner_id,
        "created_at": lead.created_at,
        "updated_at": lead.updated_at,
        "is_converted": lead.status == "converted",
        "is_lost": lead.status == "lost",
    }
