"""Applies ``tt.auth.users`` events to the users projection (run by the worker)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.consumer import Handler
from tt.common.contracts import DELETED
from tt.common.contracts.auth import USER
from tt.common.events import Event
from tt.time.users import repository


async def apply_user_events(session: AsyncSession, events: Sequence[Event]) -> None:
    """``tt.user.created|updated|deleted``: the runner has already checked the versions and
    hands them over in order, so each user's last event is the state to keep."""
    rows: dict[int, dict[str, object]] = {}
    for event in events:
        row = repository.user_values(USER.read(event), deleted=event.verb == DELETED)
        rows[row["id"]] = row
    await repository.apply_states(session, [rows[uid] for uid in sorted(rows)])


HANDLERS: dict[str, Handler] = {USER.pattern: apply_user_events}
