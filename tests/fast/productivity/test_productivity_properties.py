"""Property tests (hypothesis) of the aggregations: whatever the entries and the zone
(DST zones, UTC+13, UTC-10, UTC+14, half-hour offsets), the heatmap's days add up to the
time tracked in its window, and streaks and focus metrics stay consistent."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tt.productivity.analytics.focus import Session, focus_of_sessions
from tt.productivity.analytics.heatmap import build_heatmap
from tt.productivity.analytics.streaks import current_streak, longest_streak
from tt.productivity.analytics.timezones import local_wall_time, today_in
from tt.productivity.readmodel.repository import Contribution

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Pacific/Tongatapu",  # UTC+13
    "Pacific/Apia",  # UTC+13
    "Pacific/Honolulu",  # UTC-10
    "Pacific/Kiritimati",  # UTC+14
    "Asia/Kolkata",  # UTC+5:30
    "Australia/Lord_Howe",  # half-hour DST
    "America/Santiago",  # DST change at midnight
]
# Around both 2026 DST changes of the northern and southern hemispheres.
NOW = datetime(2026, 10, 27, 12, 0, tzinfo=UTC)

entries = st.lists(
    st.tuples(
        st.integers(min_value=-200 * 24 * 3600, max_value=2 * 24 * 3600),  # offset from NOW
        st.integers(min_value=0, max_value=12 * 3600),  # seconds
    ),
    max_size=60,
)


def _day_of(start: datetime, seconds: int, zone: ZoneInfo) -> date:
    """The day the worker files a completed entry under (its real code path)."""
    contribution = Contribution.of(
        {
            "user_id": 1,
            "local_start": local_wall_time(start, zone),
            "project_id": None,
            "client_id": None,
            "seconds": seconds,
            "billable": True,
        }
    )
    assert contribution is not None
    return contribution.day


@settings(max_examples=200, deadline=None)
@given(entries=entries, zone_name=st.sampled_from(ZONES), hour=st.integers(0, 23))
def test_heatmap_days_add_up_to_the_total(
    entries: list[tuple[int, int]], zone_name: str, hour: int
) -> None:
    zone = ZoneInfo(zone_name)
    now = NOW.replace(hour=hour)
    today = today_in(zone, now)
    first = today - timedelta(days=83)
    per_day: dict[date, int] = defaultdict(int)
    in_window = 0
    for offset, seconds in entries:
        start = now + timedelta(seconds=offset)
        day = _day_of(start, seconds, zone)
        per_day[day] += seconds
        if first <= day <= today:
            in_window += seconds
    cells = build_heatmap(per_day, today)
    assert len(cells) == 84
    assert len({c.day for c in cells}) == 84
    assert sum(c.seconds for c in cells) == in_window
    assert abs(sum(c.hours for c in cells) - in_window / 3600) <= 0.005 * 84
    assert all((c.level == 0) == (c.seconds == 0) for c in cells)


@settings(max_examples=200, deadline=None)
@given(entries=entries, zone_name=st.sampled_from(ZONES))
def test_local_day_is_within_a_day_of_the_utc_date(
    entries: list[tuple[int, int]], zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    for offset, seconds in entries:
        start = NOW + timedelta(seconds=offset)
        assert abs((_day_of(start, seconds, zone) - start.date()).days) <= 1


@settings(max_examples=200, deadline=None)
@given(
    days=st.sets(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)), max_size=80),
    today=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
)
def test_streak_invariants(days: set[date], today: date) -> None:
    current = current_streak(days, today)
    longest = longest_streak(days)
    assert 0 <= current <= longest <= len(days)
    # Tracking time today never breaks a streak, and it always counts today.
    assert current_streak(days | {today}, today) >= max(current, 1)
    if current:
        anchor = today if today in days else today - timedelta(days=1)
        assert all(anchor - timedelta(days=i) in days for i in range(current))
        assert anchor - timedelta(days=current) not in days


@settings(max_examples=200, deadline=None)
@given(entries=entries, zone_name=st.sampled_from(ZONES))
def test_focus_metrics_are_consistent(entries: list[tuple[int, int]], zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    sessions = [Session(local_wall_time(NOW + timedelta(seconds=o), zone), s) for o, s in entries]
    f = focus_of_sessions(sessions)
    total = sum(s for _, s in entries)
    assert f.sessions == len(entries)
    assert abs(sum(f.hour_distribution) - total / 3600) <= 0.005 * 24
    assert 0.0 <= f.deep_work_share <= 1.0
    assert f.deep_work_hours <= round(total / 3600, 2) + 0.01
    assert f.longest_session_hours == round(max((s for _, s in entries), default=0) / 3600, 2)
    if total == 0:
        assert f.most_productive_hour is None
    else:
        assert f.hour_distribution[f.most_productive_hour or 0] == max(f.hour_distribution)
