"""Deletes idempotency records older than their 24 h (a worker task)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import delete, text

from tt.common.db import unit_of_work
from tt.common.resources import Resources
from tt.time.idempotency.models import IdempotencyRecord

log = logging.getLogger("tt.time.idempotency")

SWEEP_EVERY_SECONDS = 600


async def sweep_idempotency_records(resources: Resources) -> None:
    """Worker task: every few minutes, drop records nobody may replay any more."""
    ttl = int(getattr(resources.settings, "idempotency_ttl_seconds", 86_400))
    while True:
        try:
            async with unit_of_work(resources.sessions) as session:
                result = await session.execute(
                    delete(IdempotencyRecord).where(
                        IdempotencyRecord.created_at < text(f"now() - interval '{ttl} seconds'")
                    )
                )
            if result.rowcount:  # type: ignore[attr-defined]
                log.info("swept %d expired idempotency records", result.rowcount)  # type: ignore[attr-defined]
        except Exception as exc:  # the database may be away; try again next round
            log.warning("idempotency sweep failed: %s", exc)
        await asyncio.sleep(SWEEP_EVERY_SECONDS)
