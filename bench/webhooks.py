"""Webhook delivery throughput and latency: events published to Kafka, recorded by the
webhooks worker, signed and POSTed to subscribers on 127.0.0.1. Prints deliveries/s and
event -> delivered latency (p50/p95/p99) for a burst and for a steady rate, the
worker's CPU time per delivery, and its memory.

    ./dev up && ./dev bench webhooks [--events 2000] [--subscribers 3] [--rate 30]

The burst shows throughput (deliveries/s, latency is queueing); the steady phase, at a
rate the platform keeps up with, shows event -> delivered latency.

The receivers run in their own process (a lean asyncio HTTP/1.1 server) so the numbers
are the platform's, not the receivers'.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import secrets
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from _common import platform_doc, print_table, summary_ms, synthetic_event
from support.api import mint_identity
from tt.common.contracts.time import TIME_ENTRY_CREATED, TIME_ENTRY_UPDATED
from tt.common.events import Event
from tt.common.topics import load_catalogue


def serve_receivers(count: int, pipe: Connection) -> None:
    """Child process: ``count`` receivers; sends their ports, then on request what arrived."""
    received: list[tuple[str, float]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length, webhook_id = 0, ""
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                    elif name.lower() == b"webhook-id":
                        webhook_id = value.strip().decode()
                await reader.readexactly(length)
                received.append((webhook_id, time.time()))
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()

    async def main() -> None:
        servers = [await asyncio.start_server(handle, "127.0.0.1", 0) for _ in range(count)]
        pipe.send([s.sockets[0].getsockname()[1] for s in servers])
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, pipe.recv)
            if command == "stop":
                for server in servers:
                    server.close()
                return
            pipe.send(list(received))
            received.clear()

    asyncio.run(main())


async def publish(
    bootstrap: str, events: list[Event], rate: float | None, sent_at: dict[str, float]
) -> None:
    topic = load_catalogue("deploy/kafka/topics.yaml").for_entity("time_entry").name
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        pending = []
        next_at = time.monotonic()
        for event in events:
            sent_at[event.id] = time.time()
            pending.append(await producer.send(topic, event.to_json(), key=event.subject.encode()))
            if rate:
                next_at += 1 / rate
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def make_events(user_id: int, count: int, entities: int) -> list[Event]:
    ids = [secrets.randbelow(2**52) + 2**40 for _ in range(entities)]
    return [
        synthetic_event(
            TIME_ENTRY_CREATED if n < entities else TIME_ENTRY_UPDATED,
            ids[n % entities],
            n // entities + 1,
            user_id=user_id,
            notes=f"bench {n}",
        )
        for n in range(count)
    ]


def run_phase(
    name: str,
    doc: dict[str, Any],
    pipe: Connection,
    user_id: int,
    args: argparse.Namespace,
    rate: float | None,
) -> dict[str, Any]:
    events = make_events(user_id, args.events, args.entities)
    expected = args.events * args.subscribers
    cpu_before = worker_cpu_seconds(doc)
    started = time.time()
    sent_at: dict[str, float] = {}
    asyncio.run(publish(doc["kafka_bootstrap"], events, rate, sent_at))
    published = time.time()
    got: list[tuple[str, float]] = []
    deadline = time.monotonic() + 600
    while len(got) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
        pipe.send("report")
        got += pipe.recv()
    cpu = worker_cpu_seconds(doc) - cpu_before
    latencies = [at - sent_at[i] for i, at in got if i in sent_at]
    last = max((at for _, at in got), default=published)
    stats = summary_ms(latencies)
    return {
        "phase": name,
        "events": args.events,
        "deliveries": len(got),
        "publish/s": args.events / max(published - started, 1e-9),
        "delivered/s": len(got) / max(last - started, 1e-9),
        "p50 ms": stats["p50"],
        "p95 ms": stats["p95"],
        "p99 ms": stats["p99"],
        "max ms": stats["max"],
        "worker CPU ms/delivery": cpu * 1000 / max(len(got), 1),
    }


def _worker_pid(doc: dict[str, Any]) -> str:
    return (Path(doc["state"]) / "pids" / "webhooks-worker.0.pid").read_text().split()[0]


def worker_cpu_seconds(doc: dict[str, Any]) -> float:
    """The webhooks worker's CPU time so far (user + system), from /proc."""
    fields = Path(f"/proc/{_worker_pid(doc)}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_rss_mb(doc: dict[str, Any]) -> float:
    for line in Path(f"/proc/{_worker_pid(doc)}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--entities", type=int, default=500)
    parser.add_argument("--subscribers", type=int, default=3)
    parser.add_argument("--rate", type=float, default=30.0, help="steady phase, events/s")
    parser.add_argument("--steady-events", type=int, default=600)
    args = parser.parse_args()
    doc = platform_doc()
    key = json.loads(Path(doc["secrets_file"]).read_text())["identity_private_key"]
    user_id = secrets.randbelow(2**40) + 10_000_000

    def sign(request: httpx.Request) -> None:
        request.headers["X-TT-Identity"] = mint_identity(key, user_id=user_id, username="bench")

    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    receivers = multiprocessing.get_context("spawn").Process(
        target=serve_receivers, args=(args.subscribers, theirs), daemon=True
    )
    receivers.start()
    ports = ours.recv()
    api = httpx.Client(
        base_url=doc["services"]["webhooks"][0], event_hooks={"request": [sign]}, timeout=30
    )
    hook_ids = []
    try:
        for port in ports:
            r = api.post(
                "/api/v1/webhooks",
                json={"url": f"http://127.0.0.1:{port}/hook", "events": ["tt.time_entry.*"]},
            )
            r.raise_for_status()
            hook_ids.append(r.json()["webhook"]["id"])
        rss_before = worker_rss_mb(doc)
        warm = argparse.Namespace(**{**vars(args), "events": 100, "entities": 50})
        run_phase("warm-up", doc, ours, user_id, warm, None)
        steady = argparse.Namespace(**{**vars(args), "events": args.steady_events})
        rows = [
            run_phase("burst", doc, ours, user_id, args, None),
            run_phase(f"{args.rate:.0f} events/s", doc, ours, user_id, steady, args.rate),
        ]
        rss_after = worker_rss_mb(doc)
    finally:
        for hook_id in hook_ids:
            api.delete(f"/api/v1/webhooks/{hook_id}")
        ours.send("stop")
        receivers.join(5)
    print_table(
        f"webhooks: Kafka event -> signed POST to {args.subscribers} subscribers "
        f"({args.entities} entities, in order per entity)",
        rows,
    )
    print(f"\nworker RSS: {rss_before:.0f} MB before, {rss_after:.0f} MB after")


if __name__ == "__main__":
    main()
