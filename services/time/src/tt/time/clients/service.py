"""Client use cases. They take a session and never commit (the caller's unit of work does)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.contracts import EventType
from tt.common.contracts import time as contracts
from tt.common.errors import NotFound
from tt.common.identity import Identity
from tt.time.clients import repository
from tt.time.clients.models import Client
from tt.time.clients.schemas import ClientCreate, ClientUpdate
from tt.time.clients.views import client_view, event_overrides
from tt.time.publishers import Publisher
from tt.time.stewards import check_may_retire, check_stewarded_changes
from tt.time.web.updates import apply, changes

# Money and lifecycle of a shared client: its creator and admins only (tt.time.stewards).
STEWARDED = ("default_hourly_rate", "status")


async def get_client(session: AsyncSession, client_id: int) -> dict[str, Any]:
    row = await repository.get_with_counts(session, client_id)
    if row is None:
        raise NotFound("Client not found")
    return client_view(
        row.Client, total_projects=row.total_projects, active_projects=row.active_projects
    )


async def create_client(
    session: AsyncSession,
    events: Publisher,
    identity: Identity,
    payload: ClientCreate,
    default_currency: str,
) -> dict[str, Any]:
    now = datetime.now(UTC)
    values = payload.model_dump()
    values["currency"] = values["currency"] or default_currency
    values["status"] = values["status"] or "active"
    client = Client(
        **values, created_by=identity.user_id, version=1, created_at=now, updated_at=now
    )
    session.add(client)
    await session.flush()
    view = client_view(client)
    await events.emit(
        session,
        contracts.CLIENT_CREATED,
        version=1,
        view=view,
        overrides=event_overrides(client),
    )
    return view


async def update_client(
    session: AsyncSession,
    events: Publisher,
    identity: Identity,
    client_id: int,
    payload: ClientUpdate,
) -> dict[str, Any]:
    client = await repository.lock(session, client_id)
    if client is None:
        raise NotFound("Client not found")
    values = changes(payload, required=("name", "currency", "status"))
    check_stewarded_changes(identity, client, values, STEWARDED, "client")
    if not apply(client, values):
        return await get_client(session, client_id)  # nothing changed: no new version
    return await _changed(session, events, client, contracts.CLIENT_UPDATED)


async def delete_client(
    session: AsyncSession, events: Publisher, identity: Identity, client_id: int
) -> str:
    """Delete the client, or archive it when projects or entries still refer to it."""
    client = await repository.lock(session, client_id)
    if client is None:
        raise NotFound("Client not found")
    check_may_retire(identity, client, "client")
    if await repository.is_referenced(session, client_id):
        if apply(client, {"status": "archived"}):
            await _changed(session, events, client, contracts.CLIENT_UPDATED)
        return "Client archived (it still has projects or time entries)"
    view = client_view(client)
    await session.delete(client)
    await events.emit(
        session,
        contracts.CLIENT_DELETED,
        version=client.version + 1,
        view=view,
        overrides=event_overrides(client),
    )
    return "Client deleted successfully"


async def _changed(
    session: AsyncSession, events: Publisher, client: Client, event_type: EventType
) -> dict[str, Any]:
    client.version += 1
    client.updated_at = datetime.now(UTC)
    await session.flush()
    row = await repository.get_with_counts(session, client.id)
    assert row is not None
    view = client_view(
        client, total_projects=row.total_projects, active_projects=row.active_projects
    )
    await events.emit(
        session,
        event_type,
        version=client.version,
        view=view,
        overrides=event_overrides(client),
    )
    return view
