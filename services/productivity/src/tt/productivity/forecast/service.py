"""A project's deterministic forecast: time and cost so far, the burn rate over the last
4 weeks, and where that rate leads against the estimate and the budget. No model is
called (``ai_enabled`` is false). Access is checked on every request; the forecast is
cached per project and time zone, shared by the project's users."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.db import unit_of_work
from tt.common.errors import Forbidden, NotFound
from tt.common.identity import Identity
from tt.productivity.analytics.timezones import resolve_zone, today_in
from tt.productivity.answers import Answer, encode, read_snapshot
from tt.productivity.cache import FORECAST
from tt.productivity.forecast import repository as repo
from tt.productivity.forecast import views
from tt.productivity.forecast.repository import ProjectPlan, Work
from tt.productivity.formats import hours
from tt.productivity.runtime import Runtime

BURN_WEEKS = 4
BURN_DAYS = BURN_WEEKS * 7
# The time service's default alert threshold, for projects whose own is not known.
DEFAULT_THRESHOLD_PERCENT = 80


async def forecast_answer(
    rt: Runtime, identity: Identity, project_id: int, refresh: bool
) -> Answer:
    """The forecast of a project the caller may see (checked first, on every request),
    from the cache while fresh; ``refresh`` drops the cached one first."""
    ttl = rt.settings.forecast_cache_seconds
    # The caller's zone only sets "today": the identity's, no read needed.
    zone = resolve_zone(identity.timezone).zone
    now = datetime.now(UTC)
    async with unit_of_work(rt.sessions) as session:
        plan = await visible_plan(session, identity, project_id)
    if refresh:
        await rt.cache.drop_project(FORECAST, project_id)
    found = await rt.cache.lookup_project(FORECAST, project_id, zone.key, ttl)
    if found.body is not None:
        return Answer(found.body, "HIT")
    async with read_snapshot(rt.sessions) as session:
        payload = await forecast_payload(session, plan, today_in(zone, now), now, zone.key)
    body = encode(payload)
    if found.stamp is None:  # Redis is down
        return Answer(body, "BYPASS")
    await rt.cache.store_project(FORECAST, project_id, zone.key, body, found.stamp, ttl)
    return Answer(body, "MISS")


async def visible_plan(session: AsyncSession, identity: Identity, project_id: int) -> ProjectPlan:
    """The project if the caller may see it: admins every project, others the projects
    they have tracked time on. 404 for a project nobody knows, 403 for another's."""
    access = await repo.project_access(session, identity.user_id, project_id)
    if access.plan is None:
        raise NotFound("Project not found")
    if not (identity.acts_as_admin or access.tracked):
        raise Forbidden("You do not have access to this project", error="Access denied")
    return access.plan


def _money(value: Decimal | float) -> float:
    return float(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _percent(part: float, whole: float) -> float:
    return round(part / whole * 100, 1)


@dataclass(frozen=True, slots=True)
class Burn:
    """The work of the last ``BURN_DAYS`` days, as rates."""

    work: Work

    @property
    def hours_per_day(self) -> float:
        return self.work.seconds / 3600 / BURN_DAYS

    @property
    def cost_per_day(self) -> float:
        return float(self.work.value) / BURN_DAYS


def _days_at(rate_per_day: float, remaining: float) -> int | None:
    """Whole days until ``remaining`` is used up at ``rate_per_day`` (None: never)."""
    if remaining <= 0:
        return 0
    if rate_per_day <= 0:
        return None
    return math.ceil(round(remaining / rate_per_day, 9))


def _after(today: date, days: int | None) -> str | None:
    return (today + timedelta(days=days)).isoformat() if days is not None else None


def project_forecast(plan: ProjectPlan, total: Work, burn: Burn, today: date) -> dict[str, Any]:
    """The forecast's figures (pure: every input is given)."""
    logged = total.seconds / 3600
    cost = float(total.value)
    # The price of an hour still to come: the recent average, else the overall one.
    if burn.work.seconds > 0:
        hour_price = float(burn.work.value) / (burn.work.seconds / 3600)
    elif total.seconds > 0:
        hour_price = cost / logged
    else:
        hour_price = float(plan.hourly_rate or 0)
    out: dict[str, Any] = {
        "project_name": plan.name,
        "status": plan.status,
        "currency": plan.currency,
        "has_data": total.seconds > 0,
        "total_logged_hours": hours(total.seconds),
        "cost_so_far": _money(total.value),
        "hourly_rate": _money(plan.hourly_rate) if plan.hourly_rate is not None else None,
        "burn_window_weeks": BURN_WEEKS,
        "hours_last_4_weeks": hours(burn.work.seconds),
        "cost_last_4_weeks": _money(burn.work.value),
        "burn_rate_hours_per_week": round(burn.hours_per_day * 7, 2),
        "burn_rate_hours_per_day": round(burn.hours_per_day, 2),
        "burn_rate_cost_per_week": round(burn.cost_per_day * 7, 2),
    }
    estimated = plan.estimated_hours
    remaining = max(0.0, estimated - logged) if estimated is not None else None
    to_completion = _days_at(burn.hours_per_day, remaining) if remaining is not None else None
    out.update(
        estimated_hours=estimated,
        hours_remaining=round(remaining, 2) if remaining is not None else None,
        estimate_used_percent=_percent(logged, estimated) if estimated else None,
        days_to_completion=to_completion,
        projected_completion_date=_after(today, to_completion),
    )
    projected_cost = cost + remaining * hour_price if remaining is not None else None
    threshold = plan.budget_threshold_percent or DEFAULT_THRESHOLD_PERCENT
    out["budget_threshold_percent"] = threshold
    out.update(_budget(plan.budget_amount, threshold, cost, projected_cost, burn, today))
    return out


def _budget(
    amount: Decimal | None,
    threshold: int,
    cost: float,
    projected_cost: float | None,
    burn: Burn,
    today: date,
) -> dict[str, Any]:
    """Budget use now, at the projected completion, and when the burn would exhaust it."""
    if amount is None or amount <= 0:
        return {
            "budget_amount": float(amount) if amount is not None else None,
            "budget_used_percent": None,
            "budget_remaining": None,
            "budget_threshold_exceeded": False,
            "projected_cost_at_completion": _round(projected_cost),
            "projected_budget_used_percent": None,
            "projected_threshold_exceeded": False,
            "days_to_budget_exhausted": None,
            "projected_budget_exhausted_date": None,
        }
    budget = float(amount)
    alert = budget * threshold / 100
    to_exhaustion = _days_at(burn.cost_per_day, budget - cost)
    return {
        "budget_amount": budget,
        "budget_used_percent": _percent(cost, budget),
        "budget_remaining": round(budget - cost, 2),
        "budget_threshold_exceeded": cost >= alert,
        "projected_cost_at_completion": _round(projected_cost),
        "projected_budget_used_percent": (
            _percent(projected_cost, budget) if projected_cost is not None else None
        ),
        "projected_threshold_exceeded": projected_cost is not None and projected_cost >= alert,
        "days_to_budget_exhausted": to_exhaustion,
        "projected_budget_exhausted_date": _after(today, to_exhaustion),
    }


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


async def forecast_payload(
    session: AsyncSession, plan: ProjectPlan, today: date, now: datetime, zone: str
) -> dict[str, Any]:
    total = await repo.total_work(session, plan.project_id)
    since = now - timedelta(days=BURN_DAYS)
    burn = Burn(await repo.window_work(session, plan.project_id, since, now))
    figures = project_forecast(plan, total, burn, today)
    return views.forecast_view(plan, figures, since=since, today=today, zone=zone, now=now)
