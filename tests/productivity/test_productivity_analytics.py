"""Unit tests of the pure logic (no platform): timezones, streaks, heatmap, focus, days.

Hand-made data around DST changes (Berlin, New York) and for users in UTC+13 (Tonga)
and UTC-10 (Honolulu).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tt.productivity.analytics.days import (
    DayTotal,
    completed_seconds,
    last_n_days,
    most_productive_weekday,
    total_between,
    week_start,
)
from tt.productivity.analytics.focus import Session, focus_of_sessions
from tt.productivity.analytics.heatmap import build_heatmap, level_for
from tt.productivity.analytics.insights import build_insights
from tt.productivity.analytics.streaks import current_streak, longest_streak, summarize_streaks
from tt.productivity.analytics.timezones import local_day, local_wall_time, resolve_zone, today_in

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TONGA = ZoneInfo("Pacific/Tongatapu")  # UTC+13 all year
HONOLULU = ZoneInfo("Pacific/Honolulu")  # UTC-10 all year


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ------------------------------------------------------------------ timezones


def test_resolve_zone_known_unknown_and_missing() -> None:
    assert resolve_zone("Europe/Berlin").name == "Europe/Berlin"
    assert resolve_zone("Europe/Berlin").warning is None
    unknown = resolve_zone("Mars/Olympus_Mons")
    assert unknown.name == "UTC"
    assert unknown.fell_back
    assert "Mars/Olympus_Mons" in (unknown.warning or "")
    assert resolve_zone(None).name == "UTC"
    assert resolve_zone("").warning is None
    # Files under the zoneinfo folder that are not zone names, and path tricks.
    for name in ("localtime", "../../etc/passwd", "posixrules", "Europe/"):
        assert resolve_zone(name).fell_back, name


@pytest.mark.parametrize(
    ("instant", "zone", "day"),
    [
        # UTC+13: the local day starts at 11:00 UTC the day before.
        (utc(2026, 6, 15, 10, 59), TONGA, date(2026, 6, 15)),
        (utc(2026, 6, 15, 11, 0), TONGA, date(2026, 6, 16)),
        # UTC-10: the local day starts at 10:00 UTC.
        (utc(2026, 6, 15, 9, 59), HONOLULU, date(2026, 6, 14)),
        (utc(2026, 6, 15, 10, 0), HONOLULU, date(2026, 6, 15)),
        # Berlin springs forward on 2026-03-29 (CET+1 -> CEST+2 at 01:00 UTC).
        (utc(2026, 3, 28, 22, 59), BERLIN, date(2026, 3, 28)),
        (utc(2026, 3, 28, 23, 0), BERLIN, date(2026, 3, 29)),
        (utc(2026, 3, 29, 21, 59), BERLIN, date(2026, 3, 29)),  # 23:59 CEST
        (utc(2026, 3, 29, 22, 0), BERLIN, date(2026, 3, 30)),  # midnight is 22:00 UTC now
        # Berlin falls back on 2026-10-25: midnight after is 23:00 UTC again.
        (utc(2026, 10, 24, 21, 59), BERLIN, date(2026, 10, 24)),
        (utc(2026, 10, 24, 22, 0), BERLIN, date(2026, 10, 25)),
        (utc(2026, 10, 25, 22, 59), BERLIN, date(2026, 10, 25)),  # the 25-hour day
        (utc(2026, 10, 25, 23, 0), BERLIN, date(2026, 10, 26)),
        # New York on its fall-back night (2026-11-01).
        (utc(2026, 11, 1, 4, 30), NEW_YORK, date(2026, 11, 1)),
        (utc(2026, 11, 2, 4, 59), NEW_YORK, date(2026, 11, 1)),
        (utc(2026, 11, 2, 5, 0), NEW_YORK, date(2026, 11, 2)),
    ],
)
def test_local_day_of_an_instant(instant: datetime, zone: ZoneInfo, day: date) -> None:
    assert local_day(instant, zone) == day


def test_local_wall_time_across_dst_and_naive_instants() -> None:
    # The repeated hour on Berlin's fall-back night: both instants read 02:30.
    assert local_wall_time(utc(2026, 10, 25, 0, 30), BERLIN) == datetime(2026, 10, 25, 2, 30)
    assert local_wall_time(utc(2026, 10, 25, 1, 30), BERLIN) == datetime(2026, 10, 25, 2, 30)
    # The skipped hour: 01:30 UTC is already 03:30 local.
    assert local_wall_time(utc(2026, 3, 29, 1, 30), BERLIN) == datetime(2026, 3, 29, 3, 30)
    assert local_wall_time(datetime(2026, 1, 1, 12, 0), TONGA) == datetime(2026, 1, 2, 1, 0)


def test_today_depends_on_the_zone() -> None:
    now = utc(2026, 6, 15, 10, 30)
    assert today_in(TONGA, now) == date(2026, 6, 15)
    assert today_in(HONOLULU, now) == date(2026, 6, 15)
    assert today_in(TONGA, utc(2026, 6, 15, 11, 30)) == date(2026, 6, 16)
    assert today_in(HONOLULU, utc(2026, 6, 15, 9, 30)) == date(2026, 6, 14)


# ------------------------------------------------------------------ streaks


def _days(*offsets: int, today: date = date(2026, 6, 15)) -> set[date]:
    return {today - timedelta(days=o) for o in offsets}


def test_current_streak_counts_back_from_today_or_yesterday() -> None:
    today = date(2026, 6, 15)
    assert current_streak(set(), today) == 0
    assert current_streak(_days(0, 1, 2), today) == 3
    assert current_streak(_days(1, 2), today) == 2  # today not tracked yet
    assert current_streak(_days(2, 3), today) == 0  # yesterday missing
    assert current_streak(_days(0, 2, 3), today) == 1


def test_longest_streak_over_all_history() -> None:
    assert longest_streak([]) == 0
    assert longest_streak(_days(10, 11, 12, 13, 0, 1)) == 4
    assert longest_streak([date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)]) == 3
    assert longest_streak([date(2024, 2, 28), date(2024, 3, 1)]) == 1  # 2024 has 29 February


def test_streak_days_come_from_local_days_across_dst() -> None:
    # Work just after local midnight on each day around Berlin's spring-forward night.
    sessions = [utc(2026, 3, 27, 23, 30), utc(2026, 3, 28, 23, 30), utc(2026, 3, 29, 22, 30)]
    days = {local_day(s, BERLIN) for s in sessions}
    assert days == {date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)}
    assert current_streak(days, date(2026, 3, 30)) == 3
    # In UTC the same instants give 27, 28 and 29 March.
    assert {s.date() for s in sessions} == {date(2026, 3, 27), date(2026, 3, 28), date(2026, 3, 29)}


def test_streaks_for_users_in_utc_plus_13_and_minus_10() -> None:
    # Two sessions 23 hours apart in UTC: the same local day in Tonga, two days in UTC.
    a, b = utc(2026, 6, 15, 11, 0), utc(2026, 6, 16, 10, 0)
    assert {local_day(a, TONGA), local_day(b, TONGA)} == {date(2026, 6, 16)}
    assert longest_streak({local_day(a, TONGA), local_day(b, TONGA)}) == 1
    # Evening work in Honolulu is the next morning in UTC: local days stay consecutive.
    evenings = [utc(2026, 6, d, 7, 0) for d in (15, 16, 17)]  # 21:00 the day before, local
    days = {local_day(e, HONOLULU) for e in evenings}
    assert days == {date(2026, 6, 14), date(2026, 6, 15), date(2026, 6, 16)}
    summary = summarize_streaks(days, today_in(HONOLULU, utc(2026, 6, 17, 9, 0)))
    assert summary.current_streak == 3
    assert summary.tracked_days_this_month == 3
    assert summary.total_days_this_month == 16


# ------------------------------------------------------------------ heatmap


def test_heatmap_levels() -> None:
    assert [level_for(s) for s in (0, -5, 1, 7199, 7200, 14399, 14400, 21599, 21600, 86400)] == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]


def test_heatmap_is_twelve_weeks_ending_today() -> None:
    today = date(2026, 3, 30)
    days = {
        today: 3600,
        today - timedelta(days=83): 7200,  # first cell
        today - timedelta(days=84): 999,  # just outside
        today + timedelta(days=1): 50,  # future
    }
    cells = build_heatmap(days, today, day_entries={today: 2})
    assert len(cells) == 84
    assert cells[0].day == today - timedelta(days=83)
    assert cells[-1].day == today
    assert cells[0].seconds == 7200
    assert cells[-1].entries == 2
    assert sum(c.seconds for c in cells) == 3600 + 7200
    assert [c.day for c in cells] == sorted({c.day for c in cells})  # consecutive, no gap


def test_heatmap_over_a_dst_change_has_one_cell_per_local_day() -> None:
    # 23- and 25-hour days are still one cell each.
    sessions = [
        (utc(2026, 10, 24, 22, 30), 3600),  # 25 Oct 00:30 CEST
        (utc(2026, 10, 25, 22, 30), 1800),  # 25 Oct 23:30 CET
        (utc(2026, 10, 25, 23, 30), 900),  # 26 Oct 00:30 CET
    ]
    per_day: dict[date, int] = {}
    for start, seconds in sessions:
        d = local_day(start, BERLIN)
        per_day[d] = per_day.get(d, 0) + seconds
    cells = {c.day: c for c in build_heatmap(per_day, date(2026, 10, 26), weeks=1)}
    assert cells[date(2026, 10, 25)].seconds == 5400
    assert cells[date(2026, 10, 26)].seconds == 900
    assert len(cells) == 7


# ------------------------------------------------------------------ focus


def test_focus_of_sessions() -> None:
    sessions = [
        Session(datetime(2026, 6, 15, 9, 0), 2 * 3600),  # Monday, deep work
        Session(datetime(2026, 6, 15, 14, 0), 30 * 60),
        Session(datetime(2026, 6, 16, 9, 30), 90 * 60),  # Tuesday, deep work
        Session(datetime(2026, 6, 16, 16, 0), 4 * 60),  # under 5 minutes: not averaged
    ]
    f = focus_of_sessions(sessions)
    assert f.sessions == 4
    assert f.avg_session_length_minutes == round((120 + 30 + 90) / 3, 1)
    assert f.longest_session_hours == 2.0
    assert f.entries_per_day == 2.0
    assert f.most_productive_hour == 9
    assert f.most_productive_day == "Monday"
    assert f.hour_distribution[9] == 3.5
    assert len(f.hour_distribution) == 24
    assert f.deep_work_sessions == 2
    assert f.deep_work_hours == 3.5
    assert f.deep_work_share == round(3.5 / (3.5 + 0.5 + 4 / 60), 3)


def test_focus_metrics_empty_and_ties() -> None:
    empty = focus_of_sessions([])
    assert empty.sessions == 0
    assert empty.most_productive_hour is None
    assert empty.most_productive_day is None
    assert empty.deep_work_share == 0.0
    tie = focus_of_sessions(
        [Session(datetime(2026, 6, 17, 15), 600), Session(datetime(2026, 6, 15, 8), 600)]
    )
    assert tie.most_productive_hour == 8  # hours: the earliest
    assert tie.most_productive_day == "Wednesday"  # weekdays: the most recently tracked


def test_focus_hours_are_local_hours_across_dst() -> None:
    # 07:00 UTC is 08:00 in Berlin before the spring change and 09:00 after it.
    before = local_wall_time(utc(2026, 3, 28, 7, 0), BERLIN)
    after = local_wall_time(utc(2026, 3, 30, 7, 0), BERLIN)
    f = focus_of_sessions([Session(before, 3600), Session(after, 1800)])
    assert f.hour_distribution[8] == 1.0
    assert f.hour_distribution[9] == 0.5
    tonga = focus_of_sessions([Session(local_wall_time(utc(2026, 6, 15, 20, 0), TONGA), 3600)])
    assert tonga.most_productive_hour == 9
    assert tonga.most_productive_day == "Tuesday"


# ------------------------------------------------------------------ days


def test_completed_seconds() -> None:
    start = utc(2026, 6, 15, 9)
    assert completed_seconds(start, None, None) is None
    assert completed_seconds(start, start + timedelta(hours=2), 5400) == 5400
    assert completed_seconds(start, start + timedelta(hours=2), None, 600) == 6600
    assert completed_seconds(start, start - timedelta(hours=1), None) == 0


def test_day_windows_and_most_productive_weekday() -> None:
    today = date(2026, 6, 17)  # Wednesday
    days = {
        date(2026, 6, 15): DayTotal(3600, 3600, 1),
        date(2026, 6, 17): DayTotal(1800, 0, 2),
        date(2026, 6, 7): DayTotal(7200, 0, 1),  # Sunday
    }
    assert week_start(today) == date(2026, 6, 15)
    assert total_between(days, date(2026, 6, 15), today) == DayTotal(5400, 3600, 3)
    series = last_n_days(days, today, 7)
    assert next(d for d, _ in series) == date(2026, 6, 11)
    assert series[-1][1].entries == 2
    assert series[0][1] == DayTotal()
    assert most_productive_weekday(days) == "Sunday"
    assert most_productive_weekday({}) is None
    tie = {date(2026, 6, 15): DayTotal(60, 0, 1), date(2026, 6, 14): DayTotal(60, 0, 1)}
    assert most_productive_weekday(tie) == "Monday"  # ties: the most recently tracked


def test_insights() -> None:
    tips = build_insights(
        week_hours=12.0,
        last_week_hours=10.0,
        current_streak=4,
        most_productive_hour=23,
        projects=[{"name": "Site", "hours": 3.0}, {"name": "App", "hours": 1.0}],
        billable_percent_week=80,
    )
    assert tips == [
        "You logged 20% more this week than last week",
        "You've tracked time 4 days in a row - keep it up!",
        "Your most productive time is 23:00-00:00",
        "Site accounted for 75% of your tracked time",
    ]
    assert (
        build_insights(
            week_hours=0,
            last_week_hours=0,
            current_streak=0,
            most_productive_hour=None,
            projects=[],
            billable_percent_week=0,
        )
        == []
    )
