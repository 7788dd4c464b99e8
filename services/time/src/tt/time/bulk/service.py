"""Bulk actions on time entries, in one transaction.

Each id is reported: changed, unchanged (already as asked), or skipped with a reason:
``not_found`` (no such entry, or another user's for non-admins, as a single request
would answer 404), ``active`` (a running timer), ``approved`` / ``pending`` (locked by an
approval, for non-admins), ``tags_too_long``. Only changed entries get a new version and
an event; the entries are locked in id order, so concurrent bulk requests cannot
deadlock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.contracts import time as contracts
from tt.common.identity import Identity
from tt.time.approvals import repository as approvals
from tt.time.approvals.locks import locked_for
from tt.time.bulk.publish import entry_views, publish_entries
from tt.time.bulk.schemas import BulkAction
from tt.time.entries.models import TimeEntry
from tt.time.entries.service import own
from tt.time.publishers import Publisher

MAX_TAGS_LENGTH = 500

_SET_TAGS = text(
    "UPDATE time_entries AS e SET tags = v.tags, version = e.version + 1, updated_at = :now"
    " FROM unnest(CAST(:ids AS bigint[]), CAST(:tags AS text[])) AS v(id, tags)"
    " WHERE e.id = v.id"
)


def _new_tags(current: str | None, action: BulkAction) -> str | None:
    tags = [t for t in (current or "").split(",") if t]
    if action.action == "add_tag":
        tags += [t for t in action.tags if t not in tags]
    else:
        tags = [t for t in tags if t not in action.tags]
    return ",".join(tags) or None


async def apply(
    session: AsyncSession, events: Publisher, identity: Identity, action: BulkAction
) -> dict[str, Any]:
    wanted = list(dict.fromkeys(action.entry_ids))
    found = {e.id: e for e in await approvals.lock_entries(session, sorted(wanted))}
    skipped: list[dict[str, Any]] = []
    targets: list[TimeEntry] = []
    for entry_id in wanted:
        entry = found.get(entry_id)
        if entry is None or not own(entry.user_id, identity):
            skipped.append({"id": entry_id, "reason": "not_found"})
        elif entry.end_time is None:
            skipped.append({"id": entry_id, "reason": "active"})
        elif locked_for(entry.approval_status, identity):
            skipped.append({"id": entry_id, "reason": entry.approval_status})
        else:
            targets.append(entry)

    now = datetime.now(UTC)
    changed: list[int] = []
    if action.action == "delete":
        changed = [e.id for e in targets]
        if changed:
            last_states = await entry_views(session, identity, changed)
            await session.execute(
                delete(TimeEntry)
                .where(TimeEntry.id.in_(changed))
                .execution_options(synchronize_session=False)
            )
            await publish_entries(
                session, events, last_states, contracts.TIME_ENTRY_DELETED, bump=1
            )
    elif action.action in ("set_billable", "set_paid"):
        field = "billable" if action.action == "set_billable" else "paid"
        changed = [e.id for e in targets if getattr(e, field) != action.value]
        if changed:
            await session.execute(
                update(TimeEntry)
                .where(TimeEntry.id.in_(changed))
                .values({field: action.value, "version": TimeEntry.version + 1, "updated_at": now})
                .execution_options(synchronize_session=False)
            )
    else:
        new_tags: dict[int, str | None] = {}
        for entry in list(targets):
            tags = _new_tags(entry.tags, action)
            if tags is not None and len(tags) > MAX_TAGS_LENGTH:
                targets.remove(entry)
                skipped.append({"id": entry.id, "reason": "tags_too_long"})
            elif tags != (entry.tags or None):
                new_tags[entry.id] = tags
        changed = list(new_tags)
        if changed:
            await session.execute(
                _SET_TAGS, {"ids": changed, "tags": list(new_tags.values()), "now": now}
            )
    if changed and action.action != "delete":
        views = await entry_views(session, identity, changed)
        await publish_entries(session, events, views, contracts.TIME_ENTRY_UPDATED)

    done = set(changed)
    unchanged = [e.id for e in targets if e.id not in done]
    return {
        "success": True,
        "action": action.action,
        "affected": len(targets),
        "changed_ids": changed,
        "unchanged_ids": unchanged,
        "skipped": skipped,
        "message": f"{len(changed)} time entries changed, {len(skipped)} skipped",
    }
