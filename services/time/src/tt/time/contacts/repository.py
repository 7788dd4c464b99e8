"""Queries on client contacts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.pagination import PageParams
from tt.time.contacts.models import Contact


async def page(
    session: AsyncSession, client_id: int, params: PageParams
) -> tuple[Sequence[Contact], int]:
    """One page of the client's contacts by last name, then first name, and their total."""
    where = Contact.client_id == client_id
    rows = await session.execute(
        select(Contact)
        .where(where)
        .order_by(Contact.last_name, Contact.first_name, Contact.id)
        .limit(params.per_page)
        .offset(params.offset)
    )
    total = (await session.execute(select(func.count()).where(where))).scalar_one()
    return rows.scalars().all(), int(total)


async def find(session: AsyncSession, contact_id: int) -> Contact | None:
    """The contact, whichever client it is at."""
    return await session.get(Contact, contact_id)


async def find_at_client(
    session: AsyncSession, client_id: int, contact_id: int, *, lock: bool = False
) -> Contact | None:
    """The contact if it is at that client; locked for update when ``lock``."""
    query = select(Contact).where(Contact.id == contact_id, Contact.client_id == client_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def unmark_other_primaries(session: AsyncSession, contact: Contact) -> None:
    """Every other contact of the contact's client stops being primary."""
    await session.execute(
        update(Contact)
        .where(
            Contact.client_id == contact.client_id,
            Contact.id != contact.id,
            Contact.is_primary.is_(True),
        )
        .values(is_primary=False, updated_at=datetime.now(UTC))
    )


async def delete_contact(session: AsyncSession, contact_id: int) -> None:
    await session.execute(delete(Contact).where(Contact.id == contact_id))
