"""Writes to the read model and its aggregates (used by the projector only)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.bulk import as_arrays, unnest_upsert
from tt.productivity.analytics.timezones import UserZone, local_wall_time, resolve_zone
from tt.productivity.readmodel.models import EntryRecord

RELOCALIZE_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one completed entry adds to its user's aggregates."""

    user_id: int
    day: date
    project_id: int
    client_id: int
    seconds: int
    billable: bool

    @classmethod
    def of(cls, entry: EntryRecord | dict[str, Any]) -> Contribution | None:
        """The share of a completed entry (a row, or the values about to be written)."""
        values = entry if isinstance(entry, dict) else entry.__dict__
        seconds = values["seconds"]
        if seconds is None:
            return None
        return cls(
            user_id=int(values["user_id"]),
            day=values["local_start"].date(),
            project_id=int(values["project_id"] or 0),
            client_id=int(values["client_id"] or 0),
            seconds=int(seconds),
            billable=bool(values["billable"]),
        )


# ------------------------------------------------------------------ users


_LOCKED_ZONES = "tt.productivity.locked_zones"  # session.info key: zones read this transaction

_USER_PLACEHOLDERS = text(
    "INSERT INTO users (id) SELECT unnest(CAST(:ids AS bigint[])) ON CONFLICT DO NOTHING"
)
_SHARE_LOCK_USERS = text(
    "SELECT id, timezone FROM users WHERE id = ANY(CAST(:ids AS bigint[])) ORDER BY id FOR SHARE"
)
_LOCK_USERS = text(
    "SELECT id, timezone FROM users WHERE id = ANY(CAST(:ids AS bigint[])) ORDER BY id FOR UPDATE"
)
USER_COLUMNS = (
    ("id", "bigint"),
    ("username", "text"),
    ("timezone", "text"),
    ("default_hourly_rate", "numeric"),
    ("is_admin", "boolean"),
    ("is_active", "boolean"),
    ("known", "boolean"),
)
_UPSERT_USERS = unnest_upsert("users", USER_COLUMNS, ["id"])
_DELETE_USERS = text("DELETE FROM users WHERE id = ANY(CAST(:ids AS bigint[]))")


async def lock_user_zones(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, UserZone]:
    """The zones of these users, their rows share-locked (created as placeholders if the
    user has not arrived yet) so a timezone change cannot interleave with this write.
    A lock lasts until the transaction ends, so within one (a consumer batch) each user
    is locked and read once."""
    wanted = set(user_ids)
    locked: dict[int, UserZone] = session.info.setdefault(_LOCKED_ZONES, {})
    ids = sorted(wanted - locked.keys())
    if ids:
        await session.execute(_USER_PLACEHOLDERS, {"ids": ids})
        rows = await session.execute(_SHARE_LOCK_USERS, {"ids": ids})
        locked.update((uid, resolve_zone(tz)) for uid, tz in rows.all())
    return {uid: locked[uid] for uid in wanted}


async def lock_users(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, UserZone]:
    """Lock these users' rows for a change (placeholders first for the ones not seen yet)
    and return the zones they had."""
    ids = sorted(set(user_ids))
    # The caller may change these timezones: forget the zones read under a share lock.
    locked = session.info.get(_LOCKED_ZONES, {})
    for uid in ids:
        locked.pop(uid, None)
    await session.execute(_USER_PLACEHOLDERS, {"ids": ids})
    rows = await session.execute(_LOCK_USERS, {"ids": ids})
    return {uid: resolve_zone(tz) for uid, tz in rows.all()}


async def upsert_users(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(_UPSERT_USERS, as_arrays(USER_COLUMNS, rows))


async def delete_users(session: AsyncSession, user_ids: Sequence[int]) -> None:
    if user_ids:
        await session.execute(_DELETE_USERS, {"ids": list(user_ids)})


_ENTRIES_TO_RELOCALIZE = text(
    "SELECT id, start_time, user_id FROM time_entries "
    "WHERE user_id = ANY(CAST(:users AS bigint[])) AND id > :after ORDER BY id LIMIT :limit"
)
_RELOCALIZE = text(
    "UPDATE time_entries AS e SET local_start = v.local_start "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:starts AS timestamp[])) "
    "AS v(id, local_start) WHERE e.id = v.id"
)


async def relocalize_entries(session: AsyncSession, zones: dict[int, UserZone]) -> None:
    """Recompute the local start of every entry of these users in their new ``zones``,
    then their days from them (a chunk of entries per statement, whatever the users)."""
    if not zones:
        return
    users = sorted(zones)
    last_id = 0
    while True:
        rows = (
            await session.execute(
                _ENTRIES_TO_RELOCALIZE,
                {"users": users, "after": last_id, "limit": RELOCALIZE_CHUNK},
            )
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        await session.execute(
            _RELOCALIZE,
            {
                "ids": [r[0] for r in rows],
                "starts": [local_wall_time(r[1], zones[r[2]].zone) for r in rows],
            },
        )
    await rebuild_days(session, users)


async def rebuild_days(session: AsyncSession, user_ids: Sequence[int]) -> None:
    """These users' day totals, recomputed from their entries."""
    ids = {"uids": list(user_ids)}
    await session.execute(
        text("DELETE FROM user_days WHERE user_id = ANY(CAST(:uids AS bigint[]))"), ids
    )
    await session.execute(
        text(
            "INSERT INTO user_days (user_id, day, seconds, billable_seconds, entries) "
            "SELECT user_id, CAST(local_start AS date), sum(seconds), "
            "sum(CASE WHEN billable THEN seconds ELSE 0 END), count(*) "
            "FROM time_entries WHERE user_id = ANY(CAST(:uids AS bigint[])) "
            "AND seconds IS NOT NULL "
            "GROUP BY user_id, CAST(local_start AS date)"
        ),
        ids,
    )


# ------------------------------------------------------------------ entries


ENTRY_COLUMNS = (
    ("id", "bigint"),
    ("user_id", "bigint"),
    ("project_id", "bigint"),
    ("client_id", "bigint"),
    ("task_id", "bigint"),
    ("project_name", "text"),
    ("task_name", "text"),
    ("start_time", "timestamptz"),
    ("end_time", "timestamptz"),
    ("local_start", "timestamp"),
    ("seconds", "bigint"),
    ("break_seconds", "bigint"),
    ("paused_at", "timestamptz"),
    ("billable", "boolean"),
    ("notes", "text"),
    ("tags", "text"),
)
_UPSERT_ENTRIES = unnest_upsert("time_entries", ENTRY_COLUMNS, ["id"])
_ENTRY_OWNERS = text("SELECT id, user_id FROM time_entries WHERE id = ANY(CAST(:ids AS bigint[]))")
_LOCK_ENTRIES = text(
    "SELECT id, user_id, local_start, project_id, client_id, seconds, billable "
    "FROM time_entries WHERE id = ANY(CAST(:ids AS bigint[])) ORDER BY id FOR UPDATE"
)
_DELETE_ENTRIES = text("DELETE FROM time_entries WHERE id = ANY(CAST(:ids AS bigint[]))")


async def entry_owners(session: AsyncSession, entry_ids: Sequence[int]) -> dict[int, int]:
    """The entries' users, read without a lock (to know which user rows to lock first)."""
    rows = await session.execute(_ENTRY_OWNERS, {"ids": list(entry_ids)})
    return {entry_id: user_id for entry_id, user_id in rows.all()}


async def lock_entries(session: AsyncSession, entry_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The held rows of these entries (what their aggregates counted), locked."""
    rows = await session.execute(_LOCK_ENTRIES, {"ids": list(entry_ids)})
    return [dict(row._mapping) for row in rows]


async def upsert_entries(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(_UPSERT_ENTRIES, as_arrays(ENTRY_COLUMNS, rows))


async def delete_entries(session: AsyncSession, entry_ids: Sequence[int]) -> None:
    if entry_ids:
        await session.execute(_DELETE_ENTRIES, {"ids": list(entry_ids)})


DAY_COLUMNS = (
    ("user_id", "bigint"),
    ("day", "date"),
    ("seconds", "bigint"),
    ("billable_seconds", "bigint"),
    ("entries", "bigint"),
)
GROUP_COLUMNS = (
    ("user_id", "bigint"),
    ("project_id", "bigint"),
    ("client_id", "bigint"),
    ("seconds", "bigint"),
)
_ADD_TO_DAYS = unnest_upsert("user_days", DAY_COLUMNS, ["user_id", "day"], add=True)
_ADD_TO_GROUPS = unnest_upsert(
    "user_rate_groups", GROUP_COLUMNS, ["user_id", "project_id", "client_id"], add=True
)
_DROP_EMPTY_DAYS = text(
    "DELETE FROM user_days AS d USING unnest(CAST(:user_id AS bigint[]), "
    "CAST(:day AS date[])) AS k(user_id, day) "
    "WHERE d.user_id = k.user_id AND d.day = k.day AND d.entries <= 0"
)
# A group holds time or is not there: a row left at 0 would depend on how the events
# were batched (taken back in a later batch, or never added within the same one).
_DROP_EMPTY_GROUPS = text(
    "DELETE FROM user_rate_groups AS g USING unnest(CAST(:user_id AS bigint[]), "
    "CAST(:project_id AS bigint[]), CAST(:client_id AS bigint[])) AS k(user_id, project_id, "
    "client_id) WHERE g.user_id = k.user_id AND g.project_id = k.project_id "
    "AND g.client_id = k.client_id AND g.seconds <= 0"
)


@dataclass(slots=True)
class Deltas:
    """What a batch adds to and takes back from the aggregates, summed per key so each
    aggregate row is written once (in key order, so concurrent batches lock alike)."""

    days: dict[tuple[int, date], list[int]] = field(default_factory=dict)
    groups: dict[tuple[int, int, int], int] = field(default_factory=dict)
    shrunk_days: set[tuple[int, date]] = field(default_factory=set)

    def add(self, c: Contribution, sign: int) -> None:
        """Add (sign 1) or take back (sign -1) one entry's share."""
        day = self.days.setdefault((c.user_id, c.day), [0, 0, 0])
        day[0] += sign * c.seconds
        day[1] += sign * (c.seconds if c.billable else 0)
        day[2] += sign
        if sign < 0:
            self.shrunk_days.add((c.user_id, c.day))
        key = (c.user_id, c.project_id, c.client_id)
        self.groups[key] = self.groups.get(key, 0) + sign * c.seconds


async def apply_deltas(session: AsyncSession, deltas: Deltas) -> None:
    """Write a batch's deltas: one statement for the days, one for the groups, and one
    each dropping the days left without entries and the groups left without time."""
    if deltas.days:
        days = sorted(deltas.days.items())
        await session.execute(
            _ADD_TO_DAYS,
            {
                "user_id": [k[0] for k, _ in days],
                "day": [k[1] for k, _ in days],
                "seconds": [v[0] for _, v in days],
                "billable_seconds": [v[1] for _, v in days],
                "entries": [v[2] for _, v in days],
            },
        )
    if deltas.shrunk_days:
        shrunk = sorted(deltas.shrunk_days)
        await session.execute(
            _DROP_EMPTY_DAYS, {"user_id": [k[0] for k in shrunk], "day": [k[1] for k in shrunk]}
        )
    if deltas.groups:
        groups = sorted(deltas.groups.items())
        keys = {
            "user_id": [k[0] for k, _ in groups],
            "project_id": [k[1] for k, _ in groups],
            "client_id": [k[2] for k, _ in groups],
        }
        await session.execute(_ADD_TO_GROUPS, {**keys, "seconds": [v for _, v in groups]})
        await session.execute(_DROP_EMPTY_GROUPS, keys)


# ------------------------------------------------------------------ catalogue


CLIENT_COLUMNS = (
    ("id", "bigint"),
    ("name", "text"),
    ("default_hourly_rate", "numeric"),
    ("currency", "text"),
)
PROJECT_COLUMNS = (
    ("id", "bigint"),
    ("name", "text"),
    ("client_id", "bigint"),
    ("hourly_rate", "numeric"),
    ("currency", "text"),
    ("status", "text"),
    ("estimated_hours", "double precision"),
    ("budget_amount", "numeric"),
)
_UPSERT_CLIENTS = unnest_upsert("clients", CLIENT_COLUMNS, ["id"])
_UPSERT_PROJECTS = unnest_upsert("projects", PROJECT_COLUMNS, ["id"])


async def upsert_clients(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(_UPSERT_CLIENTS, as_arrays(CLIENT_COLUMNS, rows))


async def delete_clients(session: AsyncSession, client_ids: Sequence[int]) -> None:
    if client_ids:
        await session.execute(
            text("DELETE FROM clients WHERE id = ANY(CAST(:ids AS bigint[]))"),
            {"ids": list(client_ids)},
        )


async def upsert_projects(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(_UPSERT_PROJECTS, as_arrays(PROJECT_COLUMNS, rows))


async def delete_projects(session: AsyncSession, project_ids: Sequence[int]) -> None:
    if project_ids:
        await session.execute(
            text("DELETE FROM projects WHERE id = ANY(CAST(:ids AS bigint[]))"),
            {"ids": list(project_ids)},
        )
