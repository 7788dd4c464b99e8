"""The entry point of a service's worker process: the outbox relay and/or consumers,
run together until SIGTERM/SIGINT, then stopped cleanly; or, for a service with a read
model, ``--reindex``: rebuild it from the topics (``tt.common.rebuild``) and exit."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import uvloop

from tt.common.heap import settle
from tt.common.metrics import serve_worker_metrics
from tt.common.outbox import OutboxRelay
from tt.common.priority import lower as lower_priority
from tt.common.priority import lower_database_backends
from tt.common.resources import Resources
from tt.common.settings import PlatformSettings
from tt.common.telemetry import setup_logging, setup_tracing, shutdown_tracing

log = logging.getLogger("tt.worker")

Task = Callable[[Resources], Coroutine[Any, Any, None]]
Rebuild = Callable[[Resources], Awaitable[Any]]  # returns a dataclass summary


def worker_main(settings: PlatformSettings, tasks: Sequence[Task], rebuild: Rebuild) -> None:
    """The command line of a worker whose service keeps a read model: run ``tasks``, or
    with ``--reindex`` run ``rebuild``, print its summary as JSON and exit."""
    parser = argparse.ArgumentParser(prog=f"python -m tt.{settings.service_name}.worker")
    parser.add_argument(
        "--reindex", action="store_true", help="rebuild the read model from the topics, then exit"
    )
    if not parser.parse_args().reindex:
        run_worker(settings, tasks)
        return
    setup_logging(settings.service_name + "-reindex", settings.log_level)

    async def once() -> Any:
        resources = Resources.open(settings)
        try:
            return await rebuild(resources)
        finally:
            await resources.close()

    print(json.dumps(dataclasses.asdict(uvloop.run(once()))))


def run_worker(settings: PlatformSettings, tasks: Sequence[Task]) -> None:
    """Run ``tasks`` (each a long-running coroutine factory) until a stop signal."""
    setup_logging(settings.service_name + "-worker", settings.log_level)
    setup_tracing(settings, settings.service_name + "-worker")
    lower_priority(0, settings.worker_niceness)
    # uvloop, as the HTTP processes run (uvicorn): a worker is mostly socket I/O (Kafka,
    # PostgreSQL), and its relay and consumers used ~10 % less CPU per event on it.
    uvloop.run(_main(settings, tasks))


async def _main(settings: PlatformSettings, tasks: Sequence[Task]) -> None:
    resources = Resources.open(settings, process=settings.service_name + "-worker")
    # The drain's database work yields too: on one host its backends would otherwise
    # take the CPU the worker itself gave up.
    lower_database_backends(resources.engine, settings.worker_niceness)
    metrics = (
        await serve_worker_metrics(settings.metrics_port, settings.metrics_host)
        if settings.metrics_port
        else None
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    running = [
        asyncio.create_task(task(resources), name=getattr(task, "__name__", "task"))
        for task in tasks
    ]
    stopper = asyncio.create_task(stop.wait())
    settle()
    log.info("worker started", extra={"tasks": [t.get_name() for t in running]})
    try:
        done, _ = await asyncio.wait([*running, stopper], return_when=asyncio.FIRST_COMPLETED)
        for finished in done:
            if finished is not stopper and finished.exception() is not None:
                log.error(
                    "worker task %s crashed", finished.get_name(), exc_info=finished.exception()
                )
                raise SystemExit(1)
    finally:
        for task in [*running, stopper]:
            task.cancel()
        await asyncio.gather(*running, stopper, return_exceptions=True)
        if metrics is not None:
            metrics.close()
        await resources.close()
        shutdown_tracing()
        log.info("worker stopped")


async def relay_outbox(resources: Resources) -> None:
    """Worker task: send this service's outbox to Kafka."""
    await OutboxRelay(
        resources.engine,
        resources.sessions,
        resources.settings.kafka_bootstrap,
        max_attempts=resources.settings.outbox_max_attempts,
    ).run()
