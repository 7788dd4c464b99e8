"""Contact use cases. They take a session and never commit. Contacts belong to the
organisation like their clients: any token with the clients scopes reaches them. A
client has at most one primary contact: marking one primary unmarks the others."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.errors import NotFound
from tt.common.identity import Identity
from tt.common.pagination import PageParams
from tt.time.clients import repository as clients
from tt.time.contacts import repository
from tt.time.contacts.models import Contact
from tt.time.contacts.schemas import ContactCreate, ContactUpdate
from tt.time.contacts.views import contact_view
from tt.time.web.updates import apply, changes


async def _client(session: AsyncSession, client_id: int) -> None:
    if await clients.find(session, client_id) is None:
        raise NotFound("Client not found")


async def _contact(
    session: AsyncSession, client_id: int, contact_id: int, *, lock: bool = False
) -> Contact:
    contact = await repository.find_at_client(session, client_id, contact_id, lock=lock)
    if contact is None:
        raise NotFound("Contact not found")
    return contact


async def list_contacts(
    session: AsyncSession, client_id: int, params: PageParams
) -> tuple[list[dict[str, Any]], int]:
    await _client(session, client_id)
    contacts, total = await repository.page(session, client_id, params)
    return [contact_view(c) for c in contacts], total


async def get_contact(session: AsyncSession, client_id: int, contact_id: int) -> dict[str, Any]:
    await _client(session, client_id)
    return contact_view(await _contact(session, client_id, contact_id))


async def create_contact(
    session: AsyncSession, identity: Identity, client_id: int, payload: ContactCreate
) -> dict[str, Any]:
    await _client(session, client_id)
    now = datetime.now(UTC)
    values = payload.model_dump()
    values["role"] = values["role"] or "contact"
    values["is_primary"] = bool(values["is_primary"])
    contact = Contact(
        **values, client_id=client_id, created_by=identity.user_id, created_at=now, updated_at=now
    )
    session.add(contact)
    await session.flush()
    if contact.is_primary:
        await repository.unmark_other_primaries(session, contact)
    return contact_view(contact)


async def update_contact(
    session: AsyncSession, client_id: int, contact_id: int, payload: ContactUpdate
) -> dict[str, Any]:
    await _client(session, client_id)
    contact = await _contact(session, client_id, contact_id, lock=True)
    values = changes(payload, required=("first_name", "last_name", "role", "is_primary"))
    if apply(contact, values):
        contact.updated_at = datetime.now(UTC)
        await session.flush()
        if contact.is_primary:
            await repository.unmark_other_primaries(session, contact)
    return contact_view(contact)


async def delete_contact(session: AsyncSession, client_id: int, contact_id: int) -> None:
    await _client(session, client_id)
    contact = await _contact(session, client_id, contact_id, lock=True)
    await repository.delete_contact(session, contact.id)
