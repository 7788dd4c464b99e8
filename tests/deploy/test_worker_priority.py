"""On the local platform, workers and the PostgreSQL backends that serve them run at a
lower CPU priority than the HTTP replicas and theirs, so a backlog's drain (after a
broker outage, an import) takes the CPU that requests leave idle
(docs/failure-modes.md). tests/fast/common/test_priority.py shows what that priority
does to a CPU's share."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import httpx

from support.platform import PlatformInfo
from tt.common.settings import PlatformSettings

SERVICES = {"auth", "time", "productivity", "search", "webhooks"}


def priority(pid: int | str) -> tuple[int, int | None]:
    """The process's nice value, and its session's (None without autogroup scheduling)."""
    # /proc/<pid>/stat: "pid (comm) state ..."; the 19th field is the nice value.
    stat = Path(f"/proc/{pid}/stat").read_text()
    autogroup = Path(f"/proc/{pid}/autogroup")
    session = int(autogroup.read_text().split()[-1]) if autogroup.exists() else None
    return int(stat.rsplit(")", 1)[1].split()[16]), session


def test_workers_yield_the_cpu_to_the_replicas_that_answer_requests(
    platform: PlatformInfo, local_platform
) -> None:  # type: ignore[no-untyped-def]
    pid_files = sorted(local_platform.layout.pids.glob("*.pid"))
    processes = {p.stem: priority(p.read_text().strip()) for p in pid_files}
    workers = {name: value for name, value in processes.items() if "-worker." in name}
    replicas = {name: value for name, value in processes.items() if name.split(".")[0] in SERVICES}
    assert {"time-worker.0", "search-worker.0", "webhooks-worker.0"} <= workers.keys()
    assert {"time.0", "search.0"} <= replicas.keys()
    expected = PlatformSettings.model_fields["worker_niceness"].default
    assert expected > 0
    assert {nice for nice, _ in workers.values()} == {expected}, workers
    assert {session for _, session in workers.values()} <= {expected, None}, workers
    assert {nice for nice, _ in replicas.values()} == {0}, replicas
    assert {session for _, session in replicas.values()} <= {0, None}, replicas


async def test_the_backends_of_workers_yield_to_those_of_replicas(
    platform: PlatformInfo, local_platform
) -> None:  # type: ignore[no-untyped-def]
    # A request first, so the replicas have backends (idle ones close after a minute).
    async with httpx.AsyncClient(base_url=platform.gateway_url) as client:
        answer = await client.get(
            "/api/v1/time-entries", headers={"Authorization": f"Bearer {platform.admin_token}"}
        )
        assert answer.status_code == 200
    # Each process names its sessions: "time" for a replica's, "time-worker" for a worker's.
    conn = await asyncpg.connect(platform.dsn("time"))
    try:
        backends = await conn.fetch(
            "SELECT pid, application_name FROM pg_stat_activity WHERE application_name = ANY($1)",
            [*SERVICES, *(f"{name}-worker" for name in SERVICES)],
        )
    finally:
        await conn.close()
    expected = PlatformSettings.model_fields["worker_niceness"].default
    by_kind: dict[bool, set[tuple[int, int | None]]] = {True: set(), False: set()}
    for row in backends:
        by_kind[row["application_name"].endswith("-worker")].add(priority(row["pid"]))
    assert by_kind[True], "no worker's backend is connected"
    assert by_kind[False], "no replica's backend is connected"
    assert by_kind[True] <= {(expected, expected), (expected, None)}, by_kind
    assert by_kind[False] <= {(0, 0), (0, None)}, by_kind
