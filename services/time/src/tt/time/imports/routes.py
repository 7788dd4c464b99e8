"""HTTP routes of CSV imports: ``POST /api/v1/time-entries/import-csv`` and the import
jobs, ``GET /api/v1/imports`` and ``GET /api/v1/imports/<id>``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from tt.common.app import DbSession
from tt.common.body import parse_id
from tt.common.errors import NotFound
from tt.common.identity import Identity, require_scope
from tt.common.openapi import IDEMPOTENCY_KEY, errors
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse
from tt.time.imports import jobs, service
from tt.time.imports.schemas import ImportAnswer, Imported, ImportPage, ImportRefused, ImportStatus
from tt.time.imports.views import job_view
from tt.time.publishers import Publisher, publisher
from tt.time.web.answers import FOUND, LISTED

router = APIRouter(prefix="/api/v1/time-entries", tags=["time entries"])
jobs_router = APIRouter(prefix="/api/v1/imports", tags=["time entries"])

Reader = Annotated[Identity, Depends(require_scope("read:time_entries"))]
Writer = Annotated[Identity, Depends(require_scope("write:time_entries"))]
Events = Annotated[Publisher, Depends(publisher)]
# The import's own refusal, besides too large (413), not CSV (415), a concurrent import
# under the same Idempotency-Key (409) and that key reused with another file (422).
IMPORT_ANSWERS = {
    **errors(409, 413, 415, 422),
    400: {"model": ImportRefused, "description": "validation_error: nothing was imported"},
}

_CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"csv": {"type": "string"}, "data": {"type": "string"}},
                }
            },
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/import-csv",
    response_model=Imported,
    responses=IMPORT_ANSWERS,
    openapi_extra={**_CSV_BODY, **IDEMPOTENCY_KEY},
)
async def import_csv(request: Request, identity: Writer, events: Events) -> Response:
    """Import the caller's entries from CSV (multipart ``file``, JSON ``csv``/``data``, or a
    ``text/csv`` body; at most 10 MiB). Every row is checked like a create; one bad row
    and nothing is imported (400, ``errors`` keyed ``row <n>``, header = row 1). While it
    runs, ``GET /api/v1/imports`` shows its progress."""
    return await service.import_csv(request, identity, events)


@jobs_router.get("", response_model=ImportPage, responses=LISTED)
async def list_imports(
    session: DbSession,
    identity: Reader,
    params: Annotated[PageParams, Depends(page_params)],
    status: Annotated[ImportStatus | None, Query()] = None,
) -> JSONResponse:
    """The caller's imports, newest first (an admin's: everyone's)."""
    owner = None if identity.acts_as_admin else identity.user_id
    rows, total = await jobs.page(session, params, user_id=owner, status=status)
    return JSONResponse(paginated("imports", [job_view(r) for r in rows], params, total))


@jobs_router.get("/{import_id:int}", response_model=ImportAnswer, responses=FOUND)
async def get_import(session: DbSession, identity: Reader, import_id: int) -> JSONResponse:
    job = await jobs.get(session, parse_id(import_id, "Import"))
    if job is None or not (identity.acts_as_admin or job.user_id == identity.user_id):
        raise NotFound("Import not found")
    return JSONResponse({"import": job_view(job)})
