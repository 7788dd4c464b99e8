"""The fault drill: a steady mixed load through the gateway (creates with an
``Idempotency-Key`` and one retry, lists, searches, webhooks to 3 subscribers on
127.0.0.1), each fault of the table in turn, then a consistency check against the time
service's tables; one row of figures per fault.

Each fault is one episode with its own users, so its row counts only its own requests
and entries: prepare (e.g. a second replica, with no load), load for warm-up + ``before``
seconds, inject the fault, hold it, end it, load ``after`` more seconds, stop the load,
wait (at most ``settle`` seconds) for every store to catch up, check, clean up.

    ./dev drill [--scale 0.25] [--quick] [--faults kafka,redis] [--markdown out.md]
                [--timeline seconds.jsonl]

It uses the running platform of this checkout (``./dev up``, or ``TT_DEV_PROFILE`` /
``TT_PORT_BASE``), or starts one and stops it afterwards; it puts back what it killed,
the replica counts it changed, and removes its webhook subscriptions and users.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
import time
import traceback
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from _common import REPO, print_table
from drill import faults as drill_faults
from drill.check import Checker
from drill.config import Rates, Timings
from drill.faults import Fault
from drill.load import DrillUser, Load, user_client
from drill.monitor import Monitor
from drill.report import Marks, failures, markdown, row, timeline
from drill.subscribers import Subscribers
from support.api import Users, token_client, unique
from support.kafka import get_end_offsets
from tt.common.identity import USER_SCOPES
from tt.common.topics import load_catalogue
from tt.devenv.layout import Layout
from tt.devenv.platform import Platform
from tt.devenv.procs import DevError, running

SUBSCRIBERS = 3
UNLIMITED = {"rate_limit_per_minute": 1_000_000, "rate_limit_per_hour": 100_000_000}


class Drill:
    def __init__(self, platform: Platform, args: argparse.Namespace) -> None:
        self.platform = platform
        self.doc = platform.describe()
        self.rates = Rates().scaled(args.scale)
        self.timings = Timings().quick() if args.quick else Timings()
        self.users_per_episode = args.users
        self.admin = Users(self.doc["gateway_url"], self.doc["admin"]["token"])
        self.topic = (
            load_catalogue(str(REPO / "deploy" / "kafka" / "topics.yaml"))
            .for_entity("time_entry")
            .name
        )
        self.checker = Checker(self.doc["postgres"]["dsn"], self.doc["kafka_bootstrap"], self.topic)
        self.created_users: list[int] = []
        self.run_id = uuid.uuid4().hex[:6]
        self.timelines: list[dict[str, Any]] = []

    # ------------------------------------------------------------ one episode

    def make_users(self, count: int) -> list[DrillUser]:
        out = []
        for _ in range(count):
            user = self.admin.create(username=unique("drill"))
            user.api.close()
            self.created_users.append(user.id)
            token, _ = self.admin.token_for(user.id, list(USER_SCOPES), **UNLIMITED)
            with token_client(self.doc["gateway_url"], token) as api:
                project = api.post("/api/v1/projects", json={"name": f"drill {self.run_id}"})
                project.raise_for_status()
            client = user_client(self.doc["gateway_url"], token)
            out.append(DrillUser(user.id, token, client, int(project.json()["project"]["id"])))
        return out

    async def subscribe(
        self, users: list[DrillUser], urls: list[str], owners: dict[int, DrillUser]
    ) -> dict[int, int]:
        """Every user subscribes to every subscriber: subscription id -> subscriber index
        (and ``owners``: subscription id -> user)."""
        out = {}
        for user in users:
            for index, url in enumerate(urls):
                r = await user.client.post(
                    "/api/v1/webhooks", json={"url": url, "events": ["tt.time_entry.*"]}
                )
                r.raise_for_status()
                sub_id = int(r.json()["webhook"]["id"])
                out[sub_id] = index
                owners[sub_id] = user
        return out

    async def episode(self, fault: Fault, subscribers: Subscribers) -> dict[str, Any]:
        t = self.timings
        await asyncio.to_thread(fault.prepare)
        users = await asyncio.to_thread(self.make_users, self.users_per_episode)
        subscriptions: dict[int, int] = {}
        owners: dict[int, DrillUser] = {}
        try:
            subscriptions = await self.subscribe(users, subscribers.urls, owners)
            subscribers.reset()
            since = await get_end_offsets(self.doc["kafka_bootstrap"], self.topic)
            monitor = Monitor(
                self.doc["kafka_bootstrap"],
                self.topic,
                self.doc["postgres"]["dsn"],
                subscriptions=list(subscriptions),
            )
            tag = f"drill{self.run_id}"
            load = Load(users, self.rates, tag, self.doc["gateway_url"])
            stop_load, stop_monitor = asyncio.Event(), asyncio.Event()
            monitoring = asyncio.create_task(monitor.run(stop_monitor))
            loading = asyncio.create_task(load.run(stop_load))
            started = time.monotonic()
            await asyncio.sleep(t.warmup)
            measured = time.monotonic()
            await asyncio.sleep(t.before)
            injected = time.monotonic()
            restored = None
            try:
                say(f"  {fault.name}: {fault.how}")
                await asyncio.to_thread(fault.inject)
                await asyncio.sleep(fault.hold)
                await asyncio.to_thread(fault.restore)
                restored = time.monotonic()
                await asyncio.sleep(t.after)
            finally:
                stop_load.set()
                await loading
                if restored is None:  # inject or restore failed: try to end the fault
                    with contextlib.suppress(Exception):
                        await asyncio.to_thread(fault.restore)
            stopped = time.monotonic()
            say(f"  load stopped; waiting (at most {fault.settle or t.settle:g} s) to catch up")
            result = await self.checker.check(
                [u.id for u in users],
                load.outcomes,
                subscribers,
                subscriptions,
                since,
                fault.settle or t.settle,
            )
            stop_monitor.set()
            await monitoring
            marks = Marks(started, measured, injected, restored, stopped)
            for line in failures(load.outcomes, load.examples):
                say(line)
            self.timelines += timeline(fault.name, load.outcomes, monitor.samples, marks)
            return row(fault.name, load.outcomes, load.skipped, monitor.samples, marks, result)
        finally:
            for sub_id, owner in owners.items():
                with contextlib.suppress(Exception):
                    await owner.client.delete(f"/api/v1/webhooks/{sub_id}")
            for user in users:
                await user.client.aclose()
            await asyncio.to_thread(fault.cleanup)

    # ------------------------------------------------------------ clean-up

    def deactivate_users(self) -> None:
        for user_id in self.created_users:
            with contextlib.suppress(Exception):
                self.admin.admin.delete(f"/api/v1/admin/users/{user_id}")
        self.created_users.clear()


def say(text: str) -> None:
    print(text, flush=True)


def stopped_processes(platform: Platform) -> list[str]:
    return [name for name in platform.processes() if not running(platform.layout.pids, name)]


def restore_platform(platform: Platform, replicas: dict[str, int]) -> list[str]:
    """Put back every process and replica count the platform had when the drill began;
    the processes it had to start again."""
    for service, count in replicas.items():
        if platform.replicas().get(service, 1) != count:
            platform.scale(service, count)
    missing = stopped_processes(platform)
    for name in missing:
        say(f"  starting {name} again")
        base, _, replica = name.partition(".")
        if name in ("postgres", "redis", "kafka"):
            platform.start_infra(name)
        elif name == "gateway":
            platform.restart("gateway")
        elif base.endswith("-worker"):
            platform.start_worker(base.removesuffix("-worker"), int(replica))
        else:
            platform.start_service(base, int(replica))
    return missing


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="./dev drill", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every rate (1.0)")
    parser.add_argument("--quick", action="store_true", help="shorter faults and windows")
    parser.add_argument("--faults", help="only the faults whose names contain these words")
    parser.add_argument("--users", type=int, default=4, help="drill users per fault (4)")
    parser.add_argument("--markdown", type=Path, help="also write the table here (markdown)")
    parser.add_argument(
        "--timeline", type=Path, help="also write each episode's seconds here (JSON lines)"
    )
    parser.add_argument("--list", action="store_true", help="list the faults and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    # The lag monitor reconnects through broker outages; aiokafka's complaints about the
    # connections it drops on the way are noise here.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    layout = Layout.for_profile(os.environ.get("TT_DEV_PROFILE", "up"))
    platform = Platform(layout)
    timings = Timings().quick() if args.quick else Timings()
    if args.list:
        for fault in drill_faults.choose(drill_faults.build(platform, None, timings), args.faults):
            say(f"{fault.name:<28} {fault.how}")
        return 0
    started_here = False
    if not platform.is_running():
        say(f"no {layout.profile} platform running on base {layout.base}: starting one")
        platform.up()
        started_here = True
    gateway = urlparse(platform.describe().get("gateway_url", layout.gateway_url))
    if gateway.hostname != "127.0.0.1":
        raise SystemExit(f"the drill sends traffic to 127.0.0.1 only, not {gateway.hostname}")
    replicas = platform.replicas()
    subscribers = Subscribers(SUBSCRIBERS, REPO / "tests")
    rows: list[dict[str, Any]] = []
    drill = Drill(platform, args)
    began = time.monotonic()
    try:
        chosen = drill_faults.choose(
            drill_faults.build(platform, subscribers, drill.timings), args.faults
        )
        say(f"drill {drill.run_id}: {len(chosen)} faults; rates: {drill.rates.describe()}")
        say(f"timings: {drill.timings.describe()}")
        for fault in chosen:
            say(f"== {fault.name} ({time.monotonic() - began:.0f} s into the drill)")
            try:
                rows.append(asyncio.run(drill.episode(fault, subscribers)))
            except (DevError, OSError, RuntimeError) as exc:
                traceback.print_exc()
                say(f"  {fault.name}: the episode failed: {exc}")
                restore_platform(platform, replicas)
                continue
            # A process that died and stayed dead (a worker that gave up) is a finding:
            # the row says so, and the drill starts it so the next fault starts clean.
            died = restore_platform(platform, replicas)
            rows[-1]["needed a restart"] = ", ".join(died) or "-"
            print_table(fault.name, [rows[-1]])
    except KeyboardInterrupt:
        say("interrupted: putting the platform back")
    finally:
        subscribers.close()
        restore_platform(platform, replicas)
        drill.deactivate_users()
        if started_here:
            say("stopping the platform the drill started")
            platform.down()
    settings = (
        f"rates: {drill.rates.describe()}; timings: {drill.timings.describe()}; "
        f"{args.users} users per fault; {os.cpu_count()} CPUs; "
        f"{time.monotonic() - began:.0f} s in all"
    )
    print_table(f"fault drill ({settings})", rows)
    if args.markdown and rows:
        args.markdown.write_text(f"{settings}\n\n{markdown(rows)}\n")
        say(f"table written to {args.markdown}")
    if args.timeline and drill.timelines:
        args.timeline.write_text("".join(json.dumps(r) + "\n" for r in drill.timelines))
        say(f"timeline written to {args.timeline}")
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())
