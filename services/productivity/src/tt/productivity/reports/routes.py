"""HTTP for the summary report and its CSV export (token with ``read:reports``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from tt.common.app import DbSession
from tt.common.openapi import errors
from tt.common.responses import JSONResponse
from tt.productivity.reports import service, views
from tt.productivity.reports.schemas import SummaryReport
from tt.productivity.web import TokenUser

router = APIRouter(tags=["Reports"])

DateParam = Annotated[
    str | None, Query(description="YYYY-MM-DD (your local day) or an ISO 8601 datetime")
]
IdParam = Annotated[int | None, Query(ge=1)]
CSV = {"description": "The report as CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}
ERRORS = errors(
    400,
    403,
    e400="a bad date, a reversed range or one over 5 years, or a bad id",
    e403="user_id names another user and the caller is not an admin",
)


@router.get(
    "/api/v1/reports/summary",
    summary="Summary report",
    response_model=SummaryReport,
    responses={200: {"content": CSV["content"]}, **ERRORS},
)
async def report_summary(
    session: DbSession,
    identity: TokenUser,
    start_date: DateParam = None,
    end_date: DateParam = None,
    project_id: IdParam = None,
    user_id: IdParam = None,
    output: Annotated[
        Literal["json", "csv"],
        Query(alias="format", description="csv: the same report as /summary/export"),
    ] = "json",
) -> Response:
    report = await service.summary_report(
        session,
        identity,
        start_date=start_date,
        end_date=end_date,
        project_id=project_id,
        user_id=user_id,
    )
    if output == "csv":
        return _csv(report)
    return JSONResponse({"summary": report})


@router.get(
    "/api/v1/reports/summary/export",
    summary="Summary report as CSV",
    response_class=Response,
    responses={200: CSV, **ERRORS},
)
async def export_report_summary(
    session: DbSession,
    identity: TokenUser,
    start_date: DateParam = None,
    end_date: DateParam = None,
    project_id: IdParam = None,
    user_id: IdParam = None,
) -> Response:
    report = await service.summary_report(
        session,
        identity,
        start_date=start_date,
        end_date=end_date,
        project_id=project_id,
        user_id=user_id,
    )
    return _csv(report)


def _csv(report: dict[str, Any]) -> Response:
    return Response(
        views.summary_csv(report).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{views.csv_filename(report)}"'},
    )
