"""Writes to the read model and its aggregates (used by the projector only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tt.productivity.analytics.timezones import UserZone, local_wall_time, resolve_zone
from tt.productivity.readmodel.models import (
    ClientRecord,
    EntryRecord,
    ProjectRecord,
    UserDay,
    UserRateGroup,
    UserRecord,
)

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


async def lock_user_zones(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, UserZone]:
    """The zones of these users, their rows share-locked (created as placeholders if the
    user has not arrived yet) so a timezone change cannot interleave with this write.
    A lock lasts until the transaction ends, so within one (a consumer batch) each user
    is locked and read once: a batch of one user's entries saves two statements each."""
    locked: dict[int, UserZone] = session.info.setdefault(_LOCKED_ZONES, {})
    ids = sorted(set(user_ids) - locked.keys())
    if ids:
        await session.execute(
            insert(UserRecord).values([{"id": i} for i in ids]).on_conflict_do_nothing()
        )
        rows = await session.execute(
            select(UserRecord.id, UserRecord.timezone)
            .where(UserRecord.id.in_(ids))
            .order_by(UserRecord.id)
            .with_for_update(read=True)
        )
        locked.update((uid, resolve_zone(tz)) for uid, tz in rows.all())
    return {uid: locked[uid] for uid in user_ids}


async def lock_user(session: AsyncSession, user_id: int) -> UserRecord:
    # The caller may change the user's timezone: forget the zone read under a share lock.
    session.info.get(_LOCKED_ZONES, {}).pop(user_id, None)
    await session.execute(insert(UserRecord).values(id=user_id).on_conflict_do_nothing())
    # Earlier events of a batch change rows with Core statements: re-read them rather than
    # trust an object already in the session (FOR UPDATE implies this in SQLAlchemy; say it).
    row = await session.execute(
        select(UserRecord)
        .where(UserRecord.id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return row.scalar_one()


async def update_user(session: AsyncSession, user_id: int, values: dict[str, Any]) -> None:
    await session.execute(update(UserRecord).where(UserRecord.id == user_id).values(**values))


async def delete_user(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(UserRecord).where(UserRecord.id == user_id))


async def relocalize_entries(session: AsyncSession, user_id: int, zone: UserZone) -> None:
    """Recompute every entry's local start in ``zone``, then the user's days from them."""
    last_id = 0
    while True:
        rows = (
            await session.execute(
                select(EntryRecord.id, EntryRecord.start_time)
                .where(EntryRecord.user_id == user_id, EntryRecord.id > last_id)
                .order_by(EntryRecord.id)
                .limit(RELOCALIZE_CHUNK)
            )
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        await session.execute(
            text(
                "UPDATE time_entries AS e SET local_start = v.local_start "
                "FROM unnest(CAST(:ids AS bigint[]), CAST(:starts AS timestamp[])) "
                "AS v(id, local_start) WHERE e.id = v.id"
            ),
            {
                "ids": [r[0] for r in rows],
                "starts": [local_wall_time(r[1], zone.zone) for r in rows],
            },
        )
    await rebuild_days(session, user_id)


async def rebuild_days(session: AsyncSession, user_id: int) -> None:
    """The user's day totals, recomputed from their entries."""
    await session.execute(delete(UserDay).where(UserDay.user_id == user_id))
    await session.execute(
        text(
            "INSERT INTO user_days (user_id, day, seconds, billable_seconds, entries) "
            "SELECT user_id, CAST(local_start AS date), sum(seconds), "
            "sum(CASE WHEN billable THEN seconds ELSE 0 END), count(*) "
            "FROM time_entries WHERE user_id = :uid AND seconds IS NOT NULL "
            "GROUP BY user_id, CAST(local_start AS date)"
        ),
        {"uid": user_id},
    )


async def rebuild_rate_groups(session: AsyncSession, user_id: int) -> None:
    """The user's per-project/client totals, recomputed from their entries."""
    await session.execute(delete(UserRateGroup).where(UserRateGroup.user_id == user_id))
    await session.execute(
        text(
            "INSERT INTO user_rate_groups (user_id, project_id, client_id, seconds) "
            "SELECT user_id, coalesce(project_id, 0), coalesce(client_id, 0), sum(seconds) "
            "FROM time_entries WHERE user_id = :uid AND seconds IS NOT NULL "
            "GROUP BY 1, 2, 3"
        ),
        {"uid": user_id},
    )


# ------------------------------------------------------------------ entries


async def entry_owner(session: AsyncSession, entry_id: int) -> int | None:
    """The entry's user, read without a lock (to know which user rows to lock first)."""
    row = await session.execute(select(EntryRecord.user_id).where(EntryRecord.id == entry_id))
    return row.scalar_one_or_none()


async def lock_entry(session: AsyncSession, entry_id: int) -> EntryRecord | None:
    row = await session.execute(
        select(EntryRecord)
        .where(EntryRecord.id == entry_id)
        .with_for_update()
        .execution_options(populate_existing=True)  # see lock_user
    )
    return row.scalar_one_or_none()


async def upsert_entry(session: AsyncSession, values: dict[str, Any]) -> None:
    stmt = insert(EntryRecord).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[EntryRecord.id],
            set_={k: stmt.excluded[k] for k in values if k != "id"},
        )
    )


async def delete_entry(session: AsyncSession, entry_id: int) -> None:
    await session.execute(delete(EntryRecord).where(EntryRecord.id == entry_id))


async def apply_contribution(session: AsyncSession, c: Contribution, sign: int) -> None:
    """Add (sign 1) or take back (sign -1) one entry's share of its user's aggregates."""
    billable = c.seconds if c.billable else 0
    day = insert(UserDay).values(
        user_id=c.user_id,
        day=c.day,
        seconds=sign * c.seconds,
        billable_seconds=sign * billable,
        entries=sign,
    )
    await session.execute(
        day.on_conflict_do_update(
            index_elements=[UserDay.user_id, UserDay.day],
            set_={
                "seconds": UserDay.seconds + day.excluded.seconds,
                "billable_seconds": UserDay.billable_seconds + day.excluded.billable_seconds,
                "entries": UserDay.entries + day.excluded.entries,
            },
        )
    )
    if sign < 0:
        await session.execute(
            delete(UserDay).where(
                UserDay.user_id == c.user_id, UserDay.day == c.day, UserDay.entries <= 0
            )
        )
    group = insert(UserRateGroup).values(
        user_id=c.user_id, project_id=c.project_id, client_id=c.client_id, seconds=sign * c.seconds
    )
    await session.execute(
        group.on_conflict_do_update(
            index_elements=[
                UserRateGroup.user_id,
                UserRateGroup.project_id,
                UserRateGroup.client_id,
            ],
            set_={"seconds": UserRateGroup.seconds + group.excluded.seconds},
        )
    )


# ------------------------------------------------------------------ catalogue


async def upsert_client(session: AsyncSession, values: dict[str, Any]) -> None:
    stmt = insert(ClientRecord).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[ClientRecord.id],
            set_={k: stmt.excluded[k] for k in values if k != "id"},
        )
    )


async def delete_client(session: AsyncSession, client_id: int) -> None:
    await session.execute(delete(ClientRecord).where(ClientRecord.id == client_id))


async def upsert_project(session: AsyncSession, values: dict[str, Any]) -> None:
    stmt = insert(ProjectRecord).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[ProjectRecord.id],
            set_={k: stmt.excluded[k] for k in values if k != "id"},
        )
    )


async def delete_project(session: AsyncSession, project_id: int) -> None:
    await session.execute(delete(ProjectRecord).where(ProjectRecord.id == project_id))
