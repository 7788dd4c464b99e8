"""CSV import of 100,000 time entries through the gateway: wall time, CPU per row of each
process, the time service's peak memory, and how long the relay takes to publish the
100,000 ``tt.time_entry.created`` events.

Target: 100k rows in <= 10 s. The machine is shared, so the CPU each process
spends per row says more than the wall time: two idle cores divided by it is the rate the
platform could import at. The upload goes as a raw ``text/csv`` body (the streamed form);
``--forms`` adds the multipart and JSON forms. A second run with one bad row in the middle
shows what a rejected import costs (everything is checked, nothing is written).

    ./dev up && ./dev bench csv_import [--rows 100000] [--forms csv,multipart,json]
"""

from __future__ import annotations

import argparse
import io
import os
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from _common import admin_client, platform_doc, print_table, rss_mb
from time_entries import _cpu_seconds as cpu_seconds
from time_entries import make_user, process_groups


def make_csv(project_id: int, task_id: int, rows: int, bad_row: int | None = None) -> bytes:
    """``rows`` one-hour entries, one per hour going back from 2024; notes, tags, billable
    vary so every column is parsed."""
    out = io.StringIO()
    out.write("project_id,task_id,start_time,end_time,notes,tags,billable\n")
    base = 1_704_067_200  # 2024-01-01T00:00:00Z
    for n in range(rows):
        start = time.gmtime(base - (n + 1) * 3600)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", start)
        end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base - n * 3600))
        if n == bad_row:
            stamp = "not a time"
        task = task_id if n % 2 else ""
        out.write(f'{project_id},{task},{stamp},{end},"imported, row {n}",bench,{n % 3 != 0}\n')
    return out.getvalue().encode()


class Sampler:
    """Samples a process's resident memory every 20 ms; ``peak`` in MB."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = rss_mb(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb(self.pid))

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def cpu_by_role(doc: dict[str, Any]) -> dict[str, float]:
    return {role: sum(cpu_seconds(p) for p in pids) for role, pids in process_groups(doc).items()}


def send(form: str, body: bytes) -> Callable[[httpx.Client], httpx.Response]:
    path = "/api/v1/time-entries/import-csv"
    if form == "multipart":
        return lambda c: c.post(path, files={"file": ("bench.csv", body, "text/csv")})
    if form == "json":
        return lambda c: c.post(path, json={"csv": body.decode()})
    return lambda c: c.post(path, content=body, headers={"Content-Type": "text/csv"})


async def outbox_rows(doc: dict[str, Any]) -> int:
    conn = await asyncpg.connect(doc["postgres"]["dsn"]["time"])
    try:
        return int(await conn.fetchval("SELECT count(*) FROM outbox"))
    finally:
        await conn.close()


def wait_for_relay(doc: dict[str, Any], timeout: float = 600) -> float:
    import asyncio

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if asyncio.run(outbox_rows(doc)) == 0:
            return time.perf_counter() - started
        time.sleep(0.2)
    return float("nan")


def run(
    doc: dict[str, Any], client: httpx.Client, form: str, body: bytes, rows: int
) -> dict[str, Any]:
    pid = int((Path(doc["state"]) / "pids" / "time.0.pid").read_text().strip())
    before_rss = rss_mb(pid)
    before = cpu_by_role(doc)
    with Sampler(pid) as sampler:
        started = time.perf_counter()
        response = send(form, body)(client)
        wall = time.perf_counter() - started
    after = cpu_by_role(doc)
    ok = response.status_code == 200
    result: dict[str, Any] = {
        "form": form,
        "rows": rows,
        "MB": round(len(body) / 1e6, 1),
        "status": response.status_code,
        "created": response.json().get("created") if ok else 0,
        "wall s": round(wall, 2),
        "rows/s": round(rows / wall),
    }
    for role in ("time", "postgres", "gateway", "auth"):
        spent = after.get(role, 0.0) - before.get(role, 0.0)
        result[f"{role} CPU us/row"] = round(spent * 1e6 / rows, 1)
    result["time RSS before MB"] = round(before_rss, 1)
    result["time RSS peak MB"] = round(sampler.peak, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--forms", default="csv")
    args = parser.parse_args()
    doc = platform_doc()
    print(
        f"platform {doc['gateway_url']}: {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} before the run"
    )
    _, token = make_user(doc)
    headers = {"Authorization": f"Bearer {token}"}
    name = f"bench-import-{uuid.uuid4().hex[:8]}"
    with admin_client(doc) as api:  # what the entries are booked on
        c = api.post("/api/v1/clients", json={"name": name})
        c.raise_for_status()
        project = api.post(
            "/api/v1/projects", json={"name": name, "client_id": c.json()["client"]["id"]}
        )
        project.raise_for_status()
        project_id = project.json()["project"]["id"]
        task = api.post("/api/v1/tasks", json={"name": name, "project_id": project_id})
        task.raise_for_status()
        task_id = task.json()["task"]["id"]
    with httpx.Client(base_url=doc["gateway_url"], headers=headers, timeout=600) as client:
        good = make_csv(project_id, task_id, args.rows)
        bad = make_csv(project_id, task_id, args.rows, bad_row=args.rows // 2)
        results = []
        drains = []
        for form in args.forms.split(","):
            results.append(run(doc, client, form, good, args.rows))
            worker_before = cpu_by_role(doc).get("time-worker", 0.0)
            drain = wait_for_relay(doc)
            worker = cpu_by_role(doc).get("time-worker", 0.0) - worker_before
            drains.append(
                {
                    "form": form,
                    "events": args.rows,
                    "relay drain s": round(drain, 2),
                    "events/s": round(args.rows / drain) if drain == drain else 0,
                    "worker CPU us/event": round(worker * 1e6 / args.rows, 1),
                }
            )
        results.append({**run(doc, client, "csv", bad, args.rows), "form": "csv, 1 bad row"})
    print_table(
        f"Import of {args.rows} rows (load average {os.getloadavg()[0]:.2f} after)", results
    )
    print_table("Publishing the created events (outbox relay to Kafka)", drains)


if __name__ == "__main__":
    main()
