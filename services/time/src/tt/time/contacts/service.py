"""Contact use cases. They take a session and never commit. Contacts belong to the
organisation like their clients: any token with the clients scopes reaches them. A
client has at most one primary contact: marking one primary unmarks the others."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.errors import NotFound
from tt.common.identity import Identity
from tt.common.pagination import PageParams
from tt.time.clients import repository as clients
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
    query = select(Contact).where(Contact.id == contact_id, Contact.client_id == client_id)
    contact = (
        await session.execute(query.with_for_update() if lock else query)
    ).scalar_one_or_none()
    if contact is None:
        raise NotFound("Contact not found")
    return contact


async def _only_primary(session: AsyncSession, contact: Contact) -> None:
    await session.execute(
        update(Contact)
        .where(
            Contact.client_id == contact.client_id,
            Contact.id != contact.id,
            Contact.is_primary.is_(True),
        )
        .values(is_primary=False, updated_at=datetime.now(UTC))
    )


async def list_contacts(
    session: AsyncSession, client_id: int, params: PageParams
) -> tuple[list[dict[str, Any]], int]:
    await _client(session, client_id)
    where = Contact.client_id == client_id
    rows: Sequence[Contact] = (
        (
            await session.execute(
                select(Contact)
                .where(where)
                .order_by(Contact.last_name, Contact.first_name, Contact.id)
                .limit(params.per_page)
                .offset(params.offset)
            )
        )
        .scalars()
        .all()
    )
    total = (await session.execute(select(func.count()).where(where))).scalar_one()
    return [contact_view(c) for c in rows], int(total)


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
        await _only_primary(session, contact)
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
            await _only_primary(session, contact)
    return contact_view(contact)


async def delete_contact(session: AsyncSession, client_id: int, contact_id: int) -> None:
    await _client(session, client_id)
    contact = await _contact(session, client_id, contact_id, lock=True)
    await session.execute(delete(Contact).where(Contact.id == contact.id))
