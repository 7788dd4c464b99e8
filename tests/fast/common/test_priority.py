"""tt.common.priority: a worker, and the PostgreSQL backends that serve it, yield the CPU
to the processes that answer requests.

Every service process leads its own session, as the platform starts it, and Linux's
autogroup scheduling shares the CPU between sessions before it looks at nice values: a
worker with only a nice value got the same share as a replica."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tt.common.priority import lower_database_backends
from tt.devenv.scratch import PostgresServer

SPIN = """
import os, sys, time
from tt.common.priority import lower
cpu, niceness = int(sys.argv[1]), int(sys.argv[2])
start, stop = float(sys.argv[3]), float(sys.argv[4])
os.sched_setaffinity(0, {cpu})
if niceness:
    assert lower(0, niceness)
time.sleep(max(0.0, start - time.time()))
spins = 0
while time.time() < stop:
    spins += 1
print(spins)
"""


def test_a_lowered_process_gets_a_small_share_of_a_cpu_it_shares_with_another_session() -> None:
    cpu = min(os.sched_getaffinity(0))
    start = time.time() + 1.0  # both have started and pinned themselves by then
    spinners = [
        subprocess.Popen(
            [sys.executable, "-c", SPIN, str(cpu), str(niceness), str(start), str(start + 1.5)],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,  # as the platform starts its processes
        )
        for niceness in (0, 10)
    ]
    normal, lowered = (int(p.communicate(timeout=30)[0]) for p in spinners)
    # Nice 10 against 0 weighs 110 against 1024: about a tenth of the CPU. Two processes
    # treated alike would each get half.
    assert lowered < 0.5 * normal, (normal, lowered)


async def test_each_backend_of_a_lowered_engine_runs_at_the_lower_priority(
    postgres: PostgresServer,
) -> None:
    lowered = create_async_engine(postgres.url("postgres"), pool_size=2)
    plain = create_async_engine(postgres.url("postgres"), pool_size=2)
    lower_database_backends(lowered, 10)
    try:
        backends = {}
        for name, engine in (("lowered", lowered), ("plain", plain)):
            async with engine.connect() as conn:
                backends[name] = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert os.getpriority(os.PRIO_PROCESS, backends["lowered"]) == 10
        assert os.getpriority(os.PRIO_PROCESS, backends["plain"]) == 0
        autogroup = Path(f"/proc/{backends['lowered']}/autogroup")
        if autogroup.exists():  # a kernel with autogroup scheduling: the session's too
            assert autogroup.read_text().split()[-1] == "10"
    finally:
        await lowered.dispose()
        await plain.dispose()
