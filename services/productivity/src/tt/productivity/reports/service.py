"""The summary report: totals and the per-project breakdown of whose entries the caller
may see, over a range of their local days or instants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.errors import Forbidden
from tt.common.identity import Identity
from tt.productivity.reports import repository as repo
from tt.productivity.reports import views
from tt.productivity.reports.ranges import parse_range
from tt.productivity.stats.repository import user_zone


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Whose entries: one user, or everyone's (an admin who names no user)."""

    user_id: int | None
    project_id: int | None


def scope_for(identity: Identity, user_id: int | None, project_id: int | None) -> ReportScope:
    """Non-admins report on themselves (403 for another user); admins on everyone unless
    they name a user."""
    if user_id is not None and user_id != identity.user_id and not identity.acts_as_admin:
        raise Forbidden("Only administrators may report on other users", error="Access denied")
    if user_id is None and not identity.acts_as_admin:
        user_id = identity.user_id
    return ReportScope(user_id=user_id, project_id=project_id)


async def summary_report(
    session: AsyncSession,
    identity: Identity,
    *,
    start_date: str | None,
    end_date: str | None,
    project_id: int | None,
    user_id: int | None,
) -> dict[str, Any]:
    """The report's ``summary``; dates are the caller's local days (400 when bad)."""
    scope = scope_for(identity, user_id, project_id)
    zone = await user_zone(session, identity.user_id, identity.timezone)
    window = parse_range(start_date, end_date, zone.zone, datetime.now(UTC))
    groups = await repo.totals_by_project(
        session,
        start=window.start,
        end=window.end,
        user_id=scope.user_id,
        project_id=scope.project_id,
    )
    return views.summary_view(window, groups)
