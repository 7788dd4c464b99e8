"""The read model's consumer: late users, timezone changes, bad events, replays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from prodkit import Direct, entry_state, event, new_id, project_state, user_state

from support.kafka import end_offsets, publish_raw, read_events
from support.platform import PlatformInfo

HOUR = timedelta(hours=1)


def _seconds_by_day(stats: dict[str, Any]) -> dict[str, int]:
    return {c["date"]: c["seconds"] for c in stats["heatmap"] if c["seconds"]}


def test_entries_before_their_user_then_timezone_changes(direct: Direct) -> None:
    uid, eid = new_id(), new_id()
    # 11:30 UTC three days ago: that UTC day, the next local day in Tonga (UTC+13), and
    # still the same day in Honolulu (01:30, UTC-10).
    utc_day = (datetime.now(UTC) - timedelta(days=3)).date()
    start = datetime(utc_day.year, utc_day.month, utc_day.day, 11, 30, tzinfo=UTC)
    direct.publish(
        event("time_entry", "created", eid, 1, entry_state(eid, uid, start, start + HOUR))
    )
    stats = direct.wait_stats(uid, lambda s: s["focus"]["sessions"] == 1, "entry without user")
    assert _seconds_by_day(stats) == {utc_day.isoformat(): 3600}
    assert stats["timezone"] == "UTC"

    direct.publish(event("user", "created", uid, 1, user_state(uid, "Pacific/Tongatapu")))
    stats = direct.wait_stats(
        uid, lambda s: s["timezone"] == "Pacific/Tongatapu", "user arrived with a timezone"
    )
    assert _seconds_by_day(stats) == {(utc_day + timedelta(days=1)).isoformat(): 3600}
    assert stats["focus"]["most_productive_hour"] == 0  # 00:30 local

    direct.publish(event("user", "updated", uid, 2, user_state(uid, "Pacific/Honolulu")))
    stats = direct.wait_stats(
        uid, lambda s: s["timezone"] == "Pacific/Honolulu", "timezone changed"
    )
    assert _seconds_by_day(stats) == {utc_day.isoformat(): 3600}
    assert stats["focus"]["most_productive_hour"] == 1


def test_a_bad_event_goes_to_the_dlq_and_the_next_is_applied(
    direct: Direct, platform: PlatformInfo
) -> None:
    uid, bad, good = new_id(), new_id(), new_id()
    since = end_offsets(platform.kafka_bootstrap, "tt.time.entries.dlq")
    start = datetime.now(UTC) - timedelta(days=1)
    broken = entry_state(bad, uid, start, start + HOUR)
    broken["start_time"] = "not a time"
    publish_raw(platform.kafka_bootstrap, "tt.time.entries", str(bad).encode(), b"{not json")
    direct.publish(
        event("time_entry", "created", bad, 1, broken),
        event("time_entry", "created", good, 1, entry_state(good, uid, start, start + HOUR)),
    )
    direct.wait_stats(uid, lambda s: s["focus"]["sessions"] == 1, "the good entry applied")
    dead = read_events(
        platform.kafka_bootstrap,
        "tt.time.entries.dlq",
        since=since,
        raw=True,
        until=lambda events: any(e.subject == str(bad) for e in events),
        timeout=20,
    )
    assert any(key == str(bad).encode() and value == b"{not json" for key, value, _ in dead)
    assert any(key == str(bad).encode() and b"not a time" in value for key, value, _ in dead)


def test_replayed_and_duplicated_events_change_nothing(direct: Direct) -> None:
    uid, eid = new_id(), new_id()
    start = datetime.now(UTC) - timedelta(days=2)
    created = event("time_entry", "created", eid, 1, entry_state(eid, uid, start, start + HOUR))
    updated = event("time_entry", "updated", eid, 2, entry_state(eid, uid, start, start + 2 * HOUR))
    direct.publish(created, updated, created, updated, created)
    stats = direct.wait_stats(uid, lambda s: s["focus"]["sessions"] == 1, "entry applied")
    marker = new_id()
    direct.publish(
        event("time_entry", "created", marker, 1, entry_state(marker, uid, start, start + HOUR))
    )
    stats = direct.wait_stats(uid, lambda s: s["focus"]["sessions"] == 2, "marker applied")
    assert sum(c["seconds"] for c in stats["heatmap"]) == 3 * 3600
    value = direct.value(uid)
    assert value["entries_count"] == 2
    assert value["total_hours"] == 3.0


def test_many_versions_of_one_entry_in_one_batch(direct: Direct) -> None:
    """Changes of one entry applied in one transaction each take back what the previous
    one added (not what a stale copy of the row says)."""
    uid, eid, pid = new_id(), new_id(), new_id()
    start = datetime.now(UTC) - timedelta(days=4)
    events = [event("project", "created", pid, 1, project_state(pid, "Rated", hourly_rate=100))]
    for version, hours in enumerate((1, 2, 3, 1.5), start=1):
        state = entry_state(eid, uid, start, start + hours * HOUR, project_id=pid)
        events.append(event("time_entry", "updated", eid, version, state))
    direct.publish(*events)
    # Batches may also split the versions: wait for the last one, then check its totals.
    value = direct.wait_value(
        uid, lambda v: v["estimated_value_tracked"] == 150.0, "1.5 h at 100 (the last version)"
    )
    assert value["total_hours"] == 1.5
    assert value["entries_count"] == 1
    stats = direct.stats(uid)
    assert stats["focus"]["sessions"] == 1
    assert sum(c["seconds"] for c in stats["heatmap"]) == 5400


def test_many_timezone_changes_in_one_batch(direct: Direct) -> None:
    """The last of several timezone changes applied in one transaction wins, even when it
    lands back on the zone the user had before the batch."""
    uid, eid = new_id(), new_id()
    utc_day = (datetime.now(UTC) - timedelta(days=4)).date()
    start = datetime(utc_day.year, utc_day.month, utc_day.day, 11, 30, tzinfo=UTC)
    direct.publish(
        event("user", "created", uid, 1, user_state(uid, "UTC")),
        event("time_entry", "created", eid, 1, entry_state(eid, uid, start, start + HOUR)),
    )
    direct.wait_stats(uid, lambda s: s["focus"]["sessions"] == 1, "entry applied")
    # Tonga, then an unknown zone: UTC again (and a warning that shows the batch is done).
    direct.publish(
        event("user", "updated", uid, 2, user_state(uid, "Pacific/Tongatapu")),
        event("user", "updated", uid, 3, user_state(uid, "Mars/Olympus_Mons")),
    )
    stats = direct.wait_stats(
        uid, lambda s: s["timezone_warning"] is not None, "the last timezone applied"
    )
    assert stats["timezone"] == "UTC"
    assert _seconds_by_day(stats) == {utc_day.isoformat(): 3600}
    assert stats["focus"]["most_productive_hour"] == 11
