"""HTTP for the summary report and its CSV export (token with ``read:reports``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from tt.common.app import DbSession
from tt.common.errors import Forbidden
from tt.common.identity import Identity
from tt.productivity.reports import service
from tt.productivity.reports.ranges import parse_range
from tt.productivity.reports.schemas import SummaryReport
from tt.productivity.reports.service import ReportScope
from tt.productivity.stats.repository import user_zone
from tt.productivity.web import TokenUser

router = APIRouter(tags=["Reports"])

DateParam = Annotated[
    str | None, Query(description="YYYY-MM-DD (your local day) or an ISO 8601 datetime")
]
IdParam = Annotated[int | None, Query(ge=1)]


def _scope(identity: Identity, user_id: int | None, project_id: int | None) -> ReportScope:
    if user_id is not None and user_id != identity.user_id and not identity.acts_as_admin:
        raise Forbidden("Only administrators may report on other users", error="Access denied")
    if user_id is None and not identity.acts_as_admin:
        user_id = identity.user_id
    return ReportScope(user_id=user_id, project_id=project_id)


async def _report(
    session: DbSession,
    identity: Identity,
    start_date: str | None,
    end_date: str | None,
    project_id: int | None,
    user_id: int | None,
) -> dict[str, Any]:
    scope = _scope(identity, user_id, project_id)
    zone = await user_zone(session, identity.user_id, identity.timezone)
    window = parse_range(start_date, end_date, zone.zone, datetime.now(UTC))
    return await service.summary(session, window, scope)


@router.get(
    "/api/v1/reports/summary",
    summary="Summary report",
    response_model=SummaryReport,
    responses={200: {"content": {"text/csv": {}}}},
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
) -> Any:
    report = await _report(session, identity, start_date, end_date, project_id, user_id)
    if output == "csv":
        return _csv(report)
    return {"summary": report}


@router.get(
    "/api/v1/reports/summary/export",
    summary="Summary report as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_report_summary(
    session: DbSession,
    identity: TokenUser,
    start_date: DateParam = None,
    end_date: DateParam = None,
    project_id: IdParam = None,
    user_id: IdParam = None,
) -> Response:
    report = await _report(session, identity, start_date, end_date, project_id, user_id)
    return _csv(report)


def _csv(report: dict[str, Any]) -> Response:
    name = f"summary-{report['start_date'][:10]}-{report['end_date'][:10]}.csv"
    return Response(
        service.summary_csv(report).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
