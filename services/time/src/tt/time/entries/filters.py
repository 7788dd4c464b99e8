"""The time-entry list's query filters, read once for every route that lists entries
(``GET /api/v1/time-entries`` and its CSV export)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from tt.common.identity import Identity, current_identity
from tt.time.entries import service
from tt.time.entries.repository import EntryFilter
from tt.time.web.params import QueryId, bound, flag

Text = Annotated[str | None, Query(max_length=64)]


async def entry_filter(
    request: Request,
    identity: Annotated[Identity, Depends(current_identity)],
    project_id: QueryId = None,
    user_id: QueryId = None,
    start_date: Text = None,
    end_date: Text = None,
    billable: Text = None,
    include_active: Text = None,
) -> EntryFilter:
    """FastAPI dependency. Running timers only with ``include_active=true``; plain dates
    are whole days in the listed user's timezone; ``user_id`` is for admins (who see
    everyone's entries when they leave it out)."""
    visible = service.visible_user(identity, user_id)
    zone = ""
    if start_date or end_date:
        engine = request.app.state.resources.engine
        zone = await service.timezone_for(engine, identity, visible)
    return EntryFilter(
        user_id=visible,
        project_id=project_id,
        start=bound("start_date", start_date, zone, end=False),
        end=bound("end_date", end_date, zone, end=True),
        billable=flag("billable", billable),
        include_active=bool(flag("include_active", include_active)),
    )


Filter = Annotated[EntryFilter, Depends(entry_filter)]
