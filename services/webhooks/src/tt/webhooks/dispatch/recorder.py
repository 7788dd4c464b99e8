"""Saves attempt results in batches: whatever finished while the previous batch was being
written goes into the next one, so a busy dispatcher writes once for many deliveries and
an idle one writes at once."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from tt.common.backoff import Backoff
from tt.common.consumer import is_transient
from tt.webhooks.dispatch import queue

log = logging.getLogger("tt.webhooks.dispatch")

BATCH = 500


@dataclass(frozen=True)
class Pending:
    job: queue.Job
    token: str
    result: queue.Result
    saved: asyncio.Future[None]


class Recorder:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._queue: asyncio.Queue[Pending] = asyncio.Queue()

    async def save(self, job: queue.Job, token: str, result: queue.Result) -> None:
        """Queue one result and wait until it is committed."""
        saved = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(Pending(job, token, result, saved))
        await saved

    async def run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < BATCH:
                batch.append(self._queue.get_nowait())
            try:
                await self._write(batch)
            except Exception as exc:
                if len(batch) == 1:
                    log.exception("could not save a delivery result")
                    _settle(batch, exc)
                    continue
                # One bad row must not fail the others saved with it: save each alone.
                log.warning("a batch of %d results failed (%s): saving each alone", len(batch), exc)
                for item in batch:
                    try:
                        await self._write([item])
                    except Exception as one:
                        log.exception("could not save a delivery result")
                        _settle([item], one)
                    else:
                        _settle([item], None)
                continue
            _settle(batch, None)

    async def _write(self, batch: list[Pending]) -> None:
        retry = Backoff(0.2, 10.0)
        while True:
            try:
                async with queue.autocommit(self._engine) as conn:
                    kept = await queue.record(conn, [(p.job, p.token, p.result) for p in batch])
                if kept < len(batch):
                    log.warning(
                        "%d delivery results not saved: delivery deleted or lease expired",
                        len(batch) - kept,
                    )
                return
            except Exception as exc:
                if not is_transient(exc):
                    raise
                log.warning("cannot save delivery results yet: %s", exc)
                await retry.wait()


def _settle(items: list[Pending], error: BaseException | None) -> None:
    for item in items:
        if item.saved.done():
            continue
        if error is None:
            item.saved.set_result(None)
        else:
            item.saved.set_exception(error)
