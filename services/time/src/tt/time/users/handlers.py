"""Applies ``tt.auth.users`` events to the users projection (run by the worker)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.events import Event
from tt.time.users import repository


async def apply_user_event(session: AsyncSession, event: Event) -> None:
    """``tt.user.created|updated|deleted``: the runner has already checked the version."""
    await repository.apply_state(session, event.state, deleted=event.verb == "deleted")


HANDLERS = {"tt.user.*": apply_user_event}
