"""``GET /api/v1/time-entries/export``: CSV of the entries the list would show."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import StreamingResponse

from tt.common.identity import Identity, require_scope
from tt.common.resources import Resources
from tt.time.entries.filters import Filter
from tt.time.exports.service import stream_csv
from tt.time.web.answers import LISTED

router = APIRouter(prefix="/api/v1/time-entries", tags=["time entries"])

Reader = Annotated[Identity, Depends(require_scope("read:time_entries"))]


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "The entries as CSV",
        },
        **LISTED,
    },
)
async def export_csv(request: Request, identity: Reader, where: Filter) -> StreamingResponse:
    """The list's filters (``project_id``, ``user_id`` for admins, ``start_date``,
    ``end_date``, ``billable``, ``include_active``), every matching entry, newest first.
    Columns: project_id, task_id, start_time, end_time, notes, tags, billable (importable
    as they are), then id, user, project, client, task, duration_seconds. Cells starting
    with ``=``, ``+``, ``-``, ``@`` (or a tab, a carriage return, an apostrophe) get a
    leading apostrophe, which import removes again."""
    res: Resources = request.app.state.resources
    name = f"time-entries-{datetime.now(UTC):%Y%m%d-%H%M%S}.csv"
    return StreamingResponse(
        stream_csv(res.sessions, where, (identity.user_id, identity.username)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
