"""Deal and lead use cases. They take a session and never commit.

Each record has an owner (the creator unless an admin names another); users reach only
what they own (anything else is 404), admins everything. Ids a deal points at (client,
contact, lead, project) must exist. Closing a deal (``won``/``lost``) stamps
``closed_at`` and the close date; converting a lead stamps ``converted_at``/``_by``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.errors import Forbidden, NotFound, ValidationFailed
from tt.common.identity import Identity
from tt.common.pagination import PageParams
from tt.time.clients import repository as clients
from tt.time.contacts import repository as contacts
from tt.time.crm import repository
from tt.time.crm.models import Deal, Lead
from tt.time.crm.schemas import DealCreate, DealUpdate, LeadCreate, LeadUpdate
from tt.time.crm.views import deal_view, lead_view
from tt.time.web.updates import apply, changes

R = TypeVar("R", Deal, Lead)
_NAMES = {Deal: "Deal", Lead: "Lead"}
# Leads out of the pipeline: a list without ``status`` leaves them out, as the reference does.
_CLOSED_LEADS = ("converted", "lost")


def owner_for(identity: Identity, requested: int | None) -> int:
    if requested is None or requested == identity.user_id:
        return identity.user_id
    if not identity.acts_as_admin:
        raise Forbidden("Only admins can give a record to another owner")
    return requested


def visible_owner(identity: Identity, requested: int | None) -> int | None:
    """Whose records a list shows: the caller's own; an admin's choice (None: all)."""
    if not identity.acts_as_admin:
        return identity.user_id
    return requested


async def _find(
    session: AsyncSession, model: type[R], record_id: int, identity: Identity, *, lock: bool
) -> R:
    record = await repository.find(session, model, record_id, lock=lock)
    if record is None or not (identity.acts_as_admin or record.owner_id == identity.user_id):
        raise NotFound(f"{_NAMES[model]} not found")
    return record


async def _check_references(session: AsyncSession, values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    client_id, lead_id = values.get("client_id"), values.get("lead_id")
    if client_id is not None and await clients.find(session, client_id) is None:
        errors["client_id"] = ["Client not found"]
    if lead_id is not None and await repository.find(session, Lead, lead_id, lock=False) is None:
        errors["lead_id"] = ["Lead not found"]
    project_id = values.get("related_project_id")
    if project_id is not None and not await repository.project_exists(session, project_id):
        errors["related_project_id"] = ["Project not found"]
    if values.get("contact_id") is not None:
        contact = await contacts.find(session, values["contact_id"])
        if contact is None:
            errors["contact_id"] = ["Contact not found"]
        elif client_id is not None and contact.client_id != client_id:
            errors["contact_id"] = ["The contact belongs to another client"]
    if errors:
        raise ValidationFailed(errors)


def _close(deal: Deal, now: datetime, stage_sent: bool) -> None:
    if deal.status in ("won", "lost"):
        deal.closed_at = deal.closed_at or now
        deal.actual_close_date = deal.actual_close_date or now.date()
        if not stage_sent:
            deal.stage = f"closed_{deal.status}"
    elif deal.status == "open":
        deal.closed_at = None


# ------------------------------------------------------------------ deals


async def list_deals(
    session: AsyncSession,
    identity: Identity,
    params: PageParams,
    *,
    status: str | None,
    stage: str | None,
    owner: int | None,
    client_id: int | None,
) -> tuple[list[dict[str, Any]], int]:
    deals, total = await repository.deals_page(
        session,
        params,
        status=status,
        stage=stage,
        owner_id=visible_owner(identity, owner),
        client_id=client_id,
    )
    return [deal_view(d) for d in deals], total


async def get_deal(session: AsyncSession, identity: Identity, deal_id: int) -> dict[str, Any]:
    return deal_view(await _find(session, Deal, deal_id, identity, lock=False))


async def create_deal(
    session: AsyncSession, identity: Identity, payload: DealCreate, currency: str
) -> dict[str, Any]:
    values = payload.model_dump()
    await _check_references(session, values)
    now = datetime.now(UTC)
    values.update(
        owner_id=owner_for(identity, values["owner_id"]),
        currency_code=values["currency_code"] or currency,
        stage=values["stage"] or "prospecting",
        status=values["status"] or "open",
        probability=50 if values["probability"] is None else values["probability"],
    )
    deal = Deal(**values, created_by=identity.user_id, created_at=now, updated_at=now)
    _close(deal, now, stage_sent=payload.stage is not None)
    session.add(deal)
    await session.flush()
    return deal_view(deal)


async def update_deal(
    session: AsyncSession, identity: Identity, deal_id: int, payload: DealUpdate
) -> dict[str, Any]:
    deal = await _find(session, Deal, deal_id, identity, lock=True)
    values = changes(
        payload, required=("name", "stage", "status", "probability", "owner_id", "currency_code")
    )
    if "owner_id" in values:
        values["owner_id"] = owner_for(identity, values["owner_id"])
    await _check_references(session, {"client_id": deal.client_id, **values})
    if apply(deal, values):
        now = datetime.now(UTC)
        _close(deal, now, stage_sent="stage" in values)
        deal.updated_at = now
        await session.flush()
    return deal_view(deal)


async def delete_deal(session: AsyncSession, identity: Identity, deal_id: int) -> None:
    await session.delete(await _find(session, Deal, deal_id, identity, lock=True))


# ------------------------------------------------------------------ leads


async def list_leads(
    session: AsyncSession,
    identity: Identity,
    params: PageParams,
    *,
    status: str | None,
    source: str | None,
    owner: int | None,
    search: str | None,
) -> tuple[list[dict[str, Any]], int]:
    leads, total = await repository.leads_page(
        session,
        params,
        status=None if status == "all" else status,
        leaving_out=_CLOSED_LEADS if status is None else (),
        owner_id=visible_owner(identity, owner),
        source=source,
        search=search,
    )
    return [lead_view(lead) for lead in leads], total


async def get_lead(session: AsyncSession, identity: Identity, lead_id: int) -> dict[str, Any]:
    return lead_view(await _find(session, Lead, lead_id, identity, lock=False))


def _converted(lead: Lead, identity: Identity, now: datetime) -> None:
    if lead.status == "converted" and lead.converted_at is None:
        lead.converted_at = now
        lead.converted_by = identity.user_id


async def create_lead(
    session: AsyncSession, identity: Identity, payload: LeadCreate, currency: str
) -> dict[str, Any]:
    values = payload.model_dump()
    now = datetime.now(UTC)
    values.update(
        owner_id=owner_for(identity, values["owner_id"]),
        currency_code=values["currency_code"] or currency,
        status=values["status"] or "new",
        score=values["score"] or 0,
        tags=values["tags"] or None,
    )
    lead = Lead(**values, created_by=identity.user_id, created_at=now, updated_at=now)
    _converted(lead, identity, now)
    session.add(lead)
    await session.flush()
    return lead_view(lead)


async def update_lead(
    session: AsyncSession, identity: Identity, lead_id: int, payload: LeadUpdate
) -> dict[str, Any]:
    lead = await _find(session, Lead, lead_id, identity, lock=True)
    values = changes(
        payload,
        required=("first_name", "last_name", "status", "score", "owner_id", "currency_code"),
    )
    if "owner_id" in values:
        values["owner_id"] = owner_for(identity, values["owner_id"])
    if apply(lead, values):
        now = datetime.now(UTC)
        _converted(lead, identity, now)
        lead.updated_at = now
        await session.flush()
    return lead_view(lead)


async def delete_lead(session: AsyncSession, identity: Identity, lead_id: int) -> None:
    await session.delete(await _find(session, Lead, lead_id, identity, lock=True))
