"""Starting the infrastructure servers (PostgreSQL, Redis, Kafka): the starter of each by
name (fault tests restart the one they stopped), and every one not running, in parallel,
when the platform starts."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from tt.devenv import infra
from tt.devenv.platform_processes import INFRA
from tt.devenv.procs import DevError, running

STARTERS: dict[str, Callable[[infra.Context], None]] = {
    "postgres": infra.start_postgres,
    "redis": infra.start_redis,
    "kafka": infra.start_kafka,
}


def start_missing_infra(ctx: infra.Context, started: list[str], say: Callable[[str], None]) -> None:
    """Start, side by side, each server that is not running. Those that came up are added
    to ``started`` even when another failed, so the caller can stop them again."""
    todo = [n for n in INFRA if not running(ctx.layout.pids, n)]
    if not todo:
        return
    t0 = time.monotonic()
    with ThreadPoolExecutor(len(todo)) as pool:
        futures = {n: pool.submit(STARTERS[n], ctx) for n in todo}
        errors = []
        for name, fut in futures.items():
            try:
                fut.result()
                started.append(name)
            except DevError as exc:
                errors.append(str(exc))
        if errors:
            raise DevError("; ".join(errors))
    say(f"  infrastructure up: {', '.join(todo)} ({time.monotonic() - t0:.1f}s)")
