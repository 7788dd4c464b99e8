"""Unit tests of the dashboard's pure logic (no platform): the overtime split of a run of
days and a project's forecast from given totals, with fixed dates and hand-computed
expectations."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tt.productivity.analytics.overtime import WorkSchedule, split_overtime
from tt.productivity.forecast.repository import ProjectPlan, Work
from tt.productivity.forecast.service import Burn, project_forecast
from tt.productivity.suggest.service import confidence

H = 3600
MON, SAT, SUN = date(2026, 3, 23), date(2026, 3, 28), date(2026, 3, 29)


def test_overtime_daily_with_weekends_as_overtime() -> None:
    days = {MON: 10 * H, date(2026, 3, 24): 6 * H, SAT: 3.5 * H, SUN: 3 * H}
    split = split_overtime(days, MON, SUN, WorkSchedule())
    assert (split.regular_seconds, split.overtime_seconds) == (14 * H, 8.5 * H)
    # Only the days in the range count.
    assert split_overtime(days, SAT, SAT, WorkSchedule()).overtime_seconds == 3.5 * H
    assert split_overtime(days, date(2026, 3, 30), date(2026, 4, 5), WorkSchedule()) == (
        split_overtime({}, MON, SUN, WorkSchedule())
    )


def test_overtime_with_weekends_as_working_days_and_a_short_standard_day() -> None:
    days = {MON: 10 * H, SAT: 3.5 * H}
    schedule = WorkSchedule(standard_hours_per_day=7.5, include_weekends=True)
    split = split_overtime(days, MON, SUN, schedule)
    assert (split.regular_seconds, split.overtime_seconds) == (11 * H, 2.5 * H)


@given(
    st.dictionaries(
        st.integers(0, 60).map(lambda n: MON + timedelta(days=n)),
        st.integers(0, 24 * H),
        max_size=30,
    ),
    st.sampled_from([4.0, 7.5, 8.0, 10.0]),
    st.booleans(),
)
def test_overtime_split_adds_up(days: dict[date, int], standard: float, weekends: bool) -> None:
    first, last = MON + timedelta(days=7), MON + timedelta(days=40)
    split = split_overtime(days, first, last, WorkSchedule(standard, weekends))
    inside = {d: s for d, s in days.items() if first <= d <= last}
    assert split.regular_seconds + split.overtime_seconds == sum(inside.values())
    working = [d for d in inside if weekends or d.weekday() < 5]
    assert split.regular_seconds <= standard * H * len(working)
    assert split.overtime_seconds >= sum(s for d, s in inside.items() if d not in working)


def _plan(**values: object) -> ProjectPlan:
    base: dict[str, object] = {
        "project_id": 7,
        "name": "Site",
        "status": "active",
        "currency": "EUR",
        "hourly_rate": Decimal("50.00"),
        "estimated_hours": None,
        "budget_amount": None,
        "budget_threshold_percent": None,
    }
    base.update(values)
    return ProjectPlan(**base)  # type: ignore[arg-type]


TODAY = date(2026, 6, 15)


def test_forecast_against_estimate_and_budget() -> None:
    # 30 h so far for 1500; 14 h in the last 28 days for 700 (0.5 h and 25 a day).
    plan = _plan(
        estimated_hours=40.0, budget_amount=Decimal("2200.00"), budget_threshold_percent=75
    )
    f = project_forecast(plan, Work(30 * H, Decimal(1500)), Burn(Work(14 * H, Decimal(700))), TODAY)
    assert f["total_logged_hours"] == 30.0
    assert f["cost_so_far"] == 1500.0
    assert f["burn_rate_hours_per_week"] == 3.5
    assert f["burn_rate_hours_per_day"] == 0.5
    assert f["burn_rate_cost_per_week"] == 175.0
    assert f["hours_remaining"] == 10.0
    assert f["estimate_used_percent"] == 75.0
    assert f["days_to_completion"] == 20  # 10 h at 0.5 h a day
    assert f["projected_completion_date"] == "2026-07-05"
    assert f["budget_used_percent"] == 68.2  # 1500 / 2200
    assert f["budget_remaining"] == 700.0
    assert f["budget_threshold_percent"] == 75
    assert f["budget_threshold_exceeded"] is False  # 1500 < 1650
    assert f["projected_cost_at_completion"] == 2000.0  # 1500 + 10 h x 50
    assert f["projected_budget_used_percent"] == 90.9
    assert f["projected_threshold_exceeded"] is True
    assert f["days_to_budget_exhausted"] == 28  # 700 at 25 a day
    assert f["projected_budget_exhausted_date"] == "2026-07-13"


def test_forecast_without_a_plan_or_recent_work() -> None:
    f = project_forecast(_plan(), Work(12 * H, Decimal(600)), Burn(Work(0, Decimal(0))), TODAY)
    assert f["has_data"] is True
    assert f["burn_rate_hours_per_week"] == 0.0
    for key in (
        "estimated_hours",
        "hours_remaining",
        "days_to_completion",
        "projected_completion_date",
        "budget_amount",
        "budget_used_percent",
        "projected_cost_at_completion",
        "days_to_budget_exhausted",
    ):
        assert f[key] is None, key
    assert f["budget_threshold_percent"] == 80
    assert f["budget_threshold_exceeded"] is False


def test_forecast_estimate_reached_and_no_burn_to_project_with() -> None:
    done = project_forecast(
        _plan(estimated_hours=10.0), Work(12 * H, Decimal(600)), Burn(Work(0, Decimal(0))), TODAY
    )
    assert (done["hours_remaining"], done["days_to_completion"]) == (0.0, 0)
    assert done["projected_completion_date"] == "2026-06-15"
    assert done["estimate_used_percent"] == 120.0
    stalled = project_forecast(
        _plan(estimated_hours=20.0, budget_amount=Decimal(500)),
        Work(12 * H, Decimal(600)),
        Burn(Work(0, Decimal(0))),
        TODAY,
    )
    assert stalled["days_to_completion"] is None  # no time in the last 4 weeks
    # Over budget already: exhausted today, and the rest priced at the overall 50 an hour.
    assert stalled["budget_threshold_exceeded"] is True
    assert stalled["days_to_budget_exhausted"] == 0
    assert stalled["projected_cost_at_completion"] == 1000.0


def test_confidence_labels() -> None:
    assert [confidence(x) for x in (0.7, 0.69, 0.4, 0.39)] == ["high", "medium", "medium", "low"]
