"""Rebuild the read model from the compacted topics (``python -m tt.productivity.worker
--reindex``, which ``./dev reindex productivity`` runs): the projector's handlers replayed
in one transaction (``tt.common.rebuild``), users first so entries land on their local
days at once. The caches of every user it touches are dropped once it commits."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.rebuild import ReadModel, RebuildSummary, rebuild
from tt.common.resources import Resources
from tt.productivity.consumers import CONSUMED_ENTITIES
from tt.productivity.invalidation import CacheInvalidator
from tt.productivity.readmodel.models import READ_MODEL
from tt.productivity.readmodel.projector import Projector


async def _clear(session: AsyncSession) -> None:
    # DELETE, not TRUNCATE: readers keep the old rows until the rebuild commits.
    for model in READ_MODEL:
        await session.execute(delete(model))


async def rebuild_read_model(resources: Resources) -> RebuildSummary:
    """Replace the read model by what the topics hold now; returns what was done."""
    invalidator = CacheInvalidator(resources.redis, horizon_seconds=0)
    summary = await rebuild(
        resources,
        ReadModel(
            entities=CONSUMED_ENTITIES,
            handlers=Projector(invalidator).handlers,
            tables=[model.__tablename__ for model in READ_MODEL],
            clear=_clear,
        ),
    )
    await invalidator.flush()
    return summary
