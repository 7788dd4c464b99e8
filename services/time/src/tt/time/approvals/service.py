"""Approval use cases. They take a session and never commit.

A request covers finished entries of one user that are not already pending or approved;
it marks them ``pending``. An admin approves or rejects it (a rejection needs a comment),
which marks them ``approved`` or ``rejected``. Each change publishes one event for the
approval and one per entry whose ``approval_status`` moved. Users see their own requests;
admins see and decide everyone's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.contracts import time as contracts
from tt.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tt.common.identity import Identity
from tt.common.pagination import PageParams
from tt.time.approvals import repository
from tt.time.approvals.models import Approval, ApprovalEntry
from tt.time.approvals.views import approval_view
from tt.time.bulk.publish import entry_views, publish_entries
from tt.time.entries.models import TimeEntry
from tt.time.entries.service import own
from tt.time.publishers import Publisher


def _visible(approval: Approval | None, identity: Identity) -> Approval:
    if approval is None or not own(approval.user_id, identity):
        raise NotFound("Approval not found")
    return approval


async def get_approval(
    session: AsyncSession, identity: Identity, approval_id: int
) -> dict[str, Any]:
    approval = _visible(await repository.find(session, approval_id), identity)
    ids = await repository.entry_ids(session, [approval.id])
    return approval_view(approval, ids.get(approval.id, []))


async def list_approvals(
    session: AsyncSession,
    identity: Identity,
    params: PageParams,
    *,
    user_id: int | None,
    status: str | None,
) -> tuple[list[dict[str, Any]], int]:
    if user_id is not None and user_id != identity.user_id and not identity.acts_as_admin:
        raise Forbidden("You can only list your own approval requests", error="Access denied")
    if user_id is None and not identity.acts_as_admin:
        user_id = identity.user_id
    approvals, total = await repository.page(session, params, user_id=user_id, status=status)
    ids = await repository.entry_ids(session, [a.id for a in approvals])
    return [approval_view(a, ids.get(a.id, [])) for a in approvals], total


def _refusals(entries: list[TimeEntry], wanted: list[int], identity: Identity) -> list[str]:
    found = {e.id: e for e in entries if own(e.user_id, identity)}
    problems = []
    for entry_id in wanted:
        entry = found.get(entry_id)
        if entry is None:
            problems.append(f"Time entry {entry_id} not found")
        elif entry.end_time is None:
            problems.append(f"Time entry {entry_id} is still running")
        elif entry.approval_status in ("pending", "approved"):
            problems.append(f"Time entry {entry_id} is already {entry.approval_status}")
    if not problems and len({e.user_id for e in found.values()}) > 1:
        problems.append("All entries of one request must belong to one user")
    return problems


async def _mark_entries(
    session: AsyncSession, events: Publisher, identity: Identity, ids: list[int], status: str
) -> None:
    await session.execute(
        update(TimeEntry)
        .where(TimeEntry.id.in_(ids))
        .values(
            approval_status=status,
            version=TimeEntry.version + 1,
            updated_at=datetime.now(UTC),
        )
        .execution_options(synchronize_session=False)
    )
    views = await entry_views(session, identity, ids)
    await publish_entries(session, events, views, contracts.TIME_ENTRY_UPDATED)


async def request_approval(
    session: AsyncSession,
    events: Publisher,
    identity: Identity,
    entry_ids: list[int],
    comment: str | None,
) -> dict[str, Any]:
    wanted = sorted(set(entry_ids))
    entries = await repository.lock_entries(session, wanted)
    problems = _refusals(entries, wanted, identity)
    if len(wanted) == 1 and problems and problems[0].endswith("not found"):
        raise NotFound("Time entry not found")
    if problems:
        raise ValidationFailed({"entry_ids": problems}, problems[0])
    now = datetime.now(UTC)
    approval = Approval(
        user_id=entries[0].user_id,
        requested_by=identity.user_id,
        status="pending",
        request_comment=comment or None,
        requested_at=now,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(approval)
    await session.flush()
    await session.execute(
        insert(ApprovalEntry), [{"approval_id": approval.id, "entry_id": i} for i in wanted]
    )
    await _mark_entries(session, events, identity, wanted, "pending")
    view = approval_view(approval, wanted)
    await events.emit(session, contracts.APPROVAL_CREATED, version=1, view=view)
    return view


async def decide(
    session: AsyncSession,
    events: Publisher,
    identity: Identity,
    approval_id: int,
    *,
    approve: bool,
    comment: str | None,
) -> dict[str, Any]:
    """Approve or reject a pending request (admins only)."""
    approval = _visible(await repository.lock(session, approval_id), identity)
    if not identity.acts_as_admin:
        raise Forbidden("Only an administrator can decide approval requests")
    if approval.status != "pending":
        raise Conflict(f"This request is already {approval.status}")
    ids = (await repository.entry_ids(session, [approval.id])).get(approval.id, [])
    await repository.lock_entries(session, ids)
    now = datetime.now(UTC)
    approval.status = "approved" if approve else "rejected"
    approval.decision_comment = comment or None
    approval.decided_by = identity.user_id
    approval.decided_at = now
    approval.version += 1
    approval.updated_at = now
    await session.flush()
    if ids:
        await _mark_entries(session, events, identity, ids, approval.status)
    view = approval_view(approval, ids)
    await events.emit(session, contracts.APPROVAL_UPDATED, version=approval.version, view=view)
    return view
