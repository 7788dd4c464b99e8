"""The caller's recent project/task pairs, weighted by how often each was tracked on
this weekday and around this hour (local wall-clock time of the entries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# An entry counts 1, plus 1 on the same weekday, plus 2 within an hour of the same time.
# The scan is index-only (the covering (user_id, start_time) index); each pair's names,
# notes, tags and billable flag are then those of its newest entry (as TimeTracker's).
PAIRS = text(
    """
    WITH recent AS (
        SELECT project_id, task_id, start_time,
               1 + CASE WHEN extract(isodow FROM local_start) = :isodow THEN 1 ELSE 0 END
                 + CASE WHEN least(abs(extract(hour FROM local_start) - :hour),
                                   24 - abs(extract(hour FROM local_start) - :hour)) <= 1
                        THEN 2 ELSE 0 END AS weight
        FROM time_entries
        WHERE user_id = :user_id AND project_id IS NOT NULL AND seconds IS NOT NULL
          AND start_time >= :since
        ORDER BY start_time DESC
        LIMIT :scan
    ), pairs AS (
        SELECT project_id, task_id, CAST(sum(weight) AS int) AS score, count(*) AS uses,
               max(start_time) AS last_used
        FROM recent GROUP BY project_id, task_id
    )
    SELECT pairs.project_id, coalesce(p.name, newest.project_name), pairs.task_id,
           newest.task_name, newest.notes, newest.tags, coalesce(newest.billable, true),
           pairs.score, pairs.uses, pairs.last_used
    FROM pairs
    LEFT JOIN projects AS p ON p.id = pairs.project_id
    LEFT JOIN LATERAL (
        SELECT e.project_name, e.task_name, e.notes, e.tags, e.billable FROM time_entries AS e
        WHERE e.user_id = :user_id AND e.start_time = pairs.last_used
          AND e.project_id = pairs.project_id AND e.task_id IS NOT DISTINCT FROM pairs.task_id
        ORDER BY e.id DESC LIMIT 1
    ) AS newest ON true
    ORDER BY pairs.score DESC, pairs.last_used DESC, pairs.project_id,
             pairs.task_id NULLS FIRST
    """
)


@dataclass(frozen=True, slots=True)
class Pair:
    project_id: int
    project_name: str | None
    task_id: int | None
    task_name: str | None
    notes: str | None
    tags: str | None
    billable: bool
    score: int
    uses: int
    last_used: datetime


async def recent_pairs(
    session: AsyncSession, user_id: int, since: datetime, isodow: int, hour: int, scan: int
) -> list[Pair]:
    """Pairs of the newest ``scan`` completed entries since ``since``, best first."""
    rows = await session.execute(
        PAIRS,
        {
            "user_id": user_id,
            "since": since,
            "isodow": isodow,
            "hour": hour,
            "scan": scan,
        },
    )
    return [Pair(*row) for row in rows.all()]
