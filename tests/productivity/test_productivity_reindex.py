"""Rebuilding the read model from the compacted topics (``python -m tt.productivity.worker
--reindex``, what ``./dev reindex productivity`` runs) gives the rows the live consumer
built, and loses nothing that arrives while it runs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from prodkit import (
    Direct,
    client_state,
    entry_state,
    event,
    new_id,
    project_state,
    user_state,
)

from support.api import wait_until
from support.platform import PlatformInfo
from support.rebuild import finished, start_reindex

HOUR = timedelta(hours=1)

# Every row a user's events leave, keyed by user (and the shared catalogue rows by id).
SNAPSHOT = {
    "users": "SELECT * FROM users WHERE id = ANY($1) ORDER BY id",
    "time_entries": "SELECT * FROM time_entries WHERE user_id = ANY($1) ORDER BY id",
    "user_days": "SELECT * FROM user_days WHERE user_id = ANY($1) ORDER BY user_id, day",
    "user_rate_groups": "SELECT * FROM user_rate_groups WHERE user_id = ANY($1) "
    "ORDER BY user_id, project_id, client_id",
}
CATALOGUE = {
    "projects": "SELECT * FROM projects WHERE id = ANY($1) ORDER BY id",
    "clients": "SELECT * FROM clients WHERE id = ANY($1) ORDER BY id",
}


def snapshot(platform: PlatformInfo, users: list[int], catalogue: list[int]) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        conn = await asyncpg.connect(platform.dsn("productivity"))
        try:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                return {
                    table: [dict(row) for row in await conn.fetch(sql, ids)]
                    for queries, ids in ((SNAPSHOT, users), (CATALOGUE, catalogue))
                    for table, sql in queries.items()
                }
        finally:
            await conn.close()

    return asyncio.run(run())


def _without_time(stats: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in stats.items() if key != "generated_at"}


def test_a_rebuild_from_the_topics_equals_the_live_read_model(
    platform: PlatformInfo, direct: Direct
) -> None:
    alice, bob, carol = new_id(), new_id(), new_id()
    client, project = new_id(), new_id()
    kept, changed, doomed, running, poison, carols = (new_id() for _ in range(6))
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=2)
    # Valid by its contract, refused by PostgreSQL (text cannot hold NUL): it fails its
    # batch after the batch's users were locked.
    broken = entry_state(poison, carol, start, None, notes="nul \x00 here")
    direct.publish(
        event("user", "created", alice, 1, user_state(alice, "Europe/Berlin")),
        event("user", "updated", alice, 2, user_state(alice, "Asia/Tokyo")),
        event("client", "created", client, 1, client_state(client, "Acme")),
        event("project", "created", project, 1, project_state(project, "Site", client_id=client)),
        event("project", "updated", project, 2, project_state(project, "Site", hourly_rate=90)),
        event(
            "time_entry",
            "created",
            kept,
            1,
            entry_state(kept, alice, start, start + HOUR, project_id=project, client_id=client),
        ),
        event("time_entry", "created", changed, 1, entry_state(changed, alice, start, None)),
        event(
            "time_entry", "updated", changed, 2, entry_state(changed, alice, start, start + HOUR)
        ),
        # A replay of an older version: never applied over the newer one.
        event("time_entry", "created", changed, 1, entry_state(changed, alice, start, None)),
        event("time_entry", "created", doomed, 1, entry_state(doomed, bob, start, start + HOUR)),
        event("time_entry", "deleted", doomed, 2, entry_state(doomed, bob, start, start + HOUR)),
        event("time_entry", "created", running, 1, entry_state(running, bob, start, None)),
        # A poison event beside the first entry of a user nobody announced: skipped, and
        # the user's placeholder row is kept all the same.
        event("time_entry", "created", poison, 1, broken),
        event("time_entry", "created", carols, 1, entry_state(carols, carol, start, None)),
    )
    users, catalogue = [alice, bob, carol], [client, project]

    def applied() -> dict[str, Any] | None:
        # Every event applied: users come on their own topic, entries and projects on theirs.
        rows = snapshot(platform, users, catalogue)
        done = (
            {r["id"] for r in rows["time_entries"]} == {kept, changed, running, carols}
            and {r["id"]: r["timezone"] for r in rows["users"]}.get(alice) == "Asia/Tokyo"
            and any(r["hourly_rate"] for r in rows["projects"])
            and len(rows["clients"]) == 1
        )
        return rows if done else None

    live = wait_until(applied, timeout=30, what="the live consumer applied the events")
    stats_before = _without_time(direct.stats(alice))

    summary = finished(start_reindex(platform, "productivity"))

    assert summary["applied"] >= 10
    assert summary["skipped"] >= 1
    assert snapshot(platform, users, catalogue) == live
    assert _without_time(direct.stats(alice)) == stats_before


def test_changes_made_during_a_rebuild_are_not_lost(platform: PlatformInfo, direct: Direct) -> None:
    owner, early, late = new_id(), new_id(), new_id()
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    direct.publish(event("time_entry", "created", early, 1, entry_state(early, owner, start, None)))
    process = start_reindex(platform, "productivity")
    # Published while the rebuild reads the topics: the rebuild or the live consumer
    # (which waits for the rebuild's transaction) applies them.
    direct.publish(
        event("time_entry", "updated", early, 2, entry_state(early, owner, start, start + HOUR)),
        event("time_entry", "created", late, 1, entry_state(late, owner, start, start + HOUR)),
    )
    finished(process)

    def both_closed() -> list[dict[str, Any]] | None:
        rows = snapshot(platform, [owner], [])["time_entries"]
        closed = [r for r in rows if r["end_time"] is not None]
        return rows if len(closed) == 2 else None

    rows = wait_until(both_closed, timeout=30, what="both entries closed after the rebuild")
    assert {r["id"] for r in rows} == {early, late}
