"""What the gateway and verify add to a request, and how fast verify is on one process.

Latency (one client, keep-alive, sequential, interleaved in blocks so load drift hits
every path alike):
  direct      GET auth /api/v1/users/me with a signed X-TT-Identity (no gateway)
  gateway     GET /api/v1/users/me through Traefik with a token (ForwardAuth + verify)
  verify      GET auth /internal/verify alone, as Traefik calls it
  proxy only  GET a static file through Traefik vs straight to auth (no ForwardAuth)
Added latency = gateway - direct. Throughput: /internal/verify on one auth process under
concurrent load from separate client processes; also cold (first use of a token) verify.

CPU per request at a fixed rate (open loop): GET /api/v1/projects through the gateway,
once on one path (verify reuses its signed identity) and once over many project paths
(an identity is bound to its request line, so verify signs one per path). CPU is read
from /proc per process (Traefik, auth, time, Redis, PostgreSQL with its backends) and
what the same processes use idle over the same span is taken off, so the figures hold
on a machine shared with other work. ``--only-cpu`` prints just that table.

    ./dev up && ./dev bench gateway [--requests 2000] [--seconds 8] [--clients 3]
    ./dev bench gateway --only-cpu [--rate 50] [--cpu-seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from _common import percentile, platform_doc, print_table, rss_mb, summary_ms
from support.api import mint_identity
from time_entries import at_rate, process_groups


def setup(doc: dict[str, Any]) -> dict[str, Any]:
    """A bench user and token (limits raised, so the bench measures, not throttles)."""
    gateway = doc["gateway_url"]
    with httpx.Client(
        base_url=gateway, headers={"Authorization": f"Bearer {doc['admin']['token']}"}, timeout=30
    ) as admin:
        name = f"bench{uuid.uuid4().hex[:8]}"
        user = admin.post(
            "/api/v1/admin/users", json={"username": name, "password": uuid.uuid4().hex}
        ).json()["user"]

        def token() -> str:
            r = admin.post(
                "/api/v1/admin/api-tokens",
                json={
                    "name": f"bench-{uuid.uuid4().hex[:6]}",
                    "user_id": user["id"],
                    "scopes": ["read:users", "read:projects", "write:projects"],
                    "rate_limit_per_minute": 1_000_000,
                    "rate_limit_per_hour": 100_000_000,
                },
            )
            r.raise_for_status()
            return str(r.json()["token"])

        return {"user": user, "token": token(), "cold_tokens": [token() for _ in range(40)]}


def timed(client: httpx.Client, url: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    r = client.get(url, headers=headers)
    elapsed = time.perf_counter() - started
    if r.status_code != 200:
        raise SystemExit(f"{url}: {r.status_code} {r.text[:200]}")
    return elapsed


def latency(doc: dict[str, Any], bench: dict[str, Any], requests: int) -> dict[str, list[float]]:
    gateway = doc["gateway_url"]
    auth = doc["services"]["auth"][0]
    secrets = json.loads(Path(doc["secrets_file"]).read_text())
    identity = mint_identity(
        secrets["identity_private_key"],
        user_id=bench["user"]["id"],
        username=bench["user"]["username"],
        scopes=["read:users"],
        ttl=3600,
    )
    token = {"Authorization": f"Bearer {bench['token']}"}
    forwarded = {"X-Forwarded-Method": "GET", "X-Forwarded-Uri": "/api/v1/users/me", **token}
    paths = {
        "direct": (auth + "/api/v1/users/me", {"X-TT-Identity": identity}),
        "gateway": (gateway + "/api/v1/users/me", token),
        "verify": (doc["internal"]["auth"][0] + "/internal/verify", forwarded),
        "static direct": (auth + "/static/auth/auth.css", {}),
        "static gateway": (gateway + "/static/auth/auth.css", {}),
    }
    samples: dict[str, list[float]] = {name: [] for name in paths}
    with httpx.Client(timeout=30) as client:
        for url, headers in paths.values():  # warm up connections and caches
            for _ in range(50):
                timed(client, url, headers)
        block = 50
        for _ in range(max(1, requests // block)):
            for name, (url, headers) in paths.items():
                samples[name] += [timed(client, url, headers) for _ in range(block)]
    return samples


def cold_verify(doc: dict[str, Any], bench: dict[str, Any]) -> list[float]:
    """The first use of each token: database lookup, then the same path as warm."""
    auth = doc["internal"]["auth"][0]  # verify answers on the internal port only
    out = []
    with httpx.Client(timeout=30) as client:
        for token in bench["cold_tokens"]:
            headers = {
                "X-Forwarded-Method": "GET",
                "X-Forwarded-Uri": "/api/v1/users/me",
                "Authorization": f"Bearer {token}",
            }
            out.append(timed(client, auth + "/internal/verify", headers))
    return out


async def _hammer(
    url: str, headers: dict[str, str], seconds: float, concurrency: int
) -> list[float]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    stop_at = time.monotonic() + seconds
    done: list[float] = []
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def worker() -> None:
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                r = await client.get(url, headers=headers)
                if r.status_code == 200:
                    done.append(time.perf_counter() - started)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done


def _client_process(args: tuple[str, dict[str, str], float, int]) -> list[float]:
    return asyncio.run(_hammer(*args))


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) a process has used so far."""
    if pid is None:
        return float("nan")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def throughput(
    url: str,
    headers: dict[str, str],
    seconds: float,
    clients: int,
    concurrency: int,
    pids: dict[str, int | None],
) -> dict[str, Any]:
    """Requests per second under load, and the CPU each process spent per request (a
    figure that holds even when other work shares the machine)."""
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    with multiprocessing.Pool(clients) as pool:
        parts = pool.map(_client_process, [(url, headers, seconds, concurrency)] * clients)
    done = [x for part in parts for x in part]
    row: dict[str, Any] = {
        "requests": len(done),
        "req/s": len(done) / seconds,
        "p50 ms": percentile([d * 1000 for d in done], 50),
        "p99 ms": percentile([d * 1000 for d in done], 99),
    }
    for name, pid in pids.items():
        used = cpu_seconds(pid) - cpu_before[name]
        row[f"{name} cpu ms/req"] = used * 1000 / max(1, len(done))
    return row


def _cpu_with_children(pid: int) -> float:
    """CPU of a process plus its exited children (PostgreSQL's finished backends), 0 for a
    process that is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _cpu_by_role(doc: dict[str, Any]) -> dict[str, float]:
    """CPU seconds so far per role; the process list is read afresh (backends come and go)."""
    return {
        role: sum(_cpu_with_children(p) for p in pids) for role, pids in process_groups(doc).items()
    }


async def cpu_at_rate(
    doc: dict[str, Any], token: str, paths: list[str], rate: float, seconds: float
) -> dict[str, Any]:
    """CPU ms per request of each process while GETs of ``paths`` (in turn) arrive at
    ``rate``/s, less what the same processes use idle (health checks, pollers) over as
    long a span, measured just before."""
    idle_from, idle_started = _cpu_by_role(doc), time.perf_counter()
    await asyncio.sleep(min(seconds, 10.0))
    idle_to, idle_span = _cpu_by_role(doc), time.perf_counter() - idle_started

    async def send(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.get(paths[i % len(paths)])

    async with httpx.AsyncClient(
        base_url=doc["gateway_url"],
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
    ) as client:
        for i in range(2 * len(paths)):  # warm connections and the token cache
            (await send(client, i)).raise_for_status()
        loaded_from, loaded_started = _cpu_by_role(doc), time.perf_counter()
        result = await at_rate(client, send, rate, seconds)
        loaded_to, loaded_span = _cpu_by_role(doc), time.perf_counter() - loaded_started
    count = max(1, result["ok"] + result["errors"])
    per: dict[str, float] = {}
    for role in sorted(loaded_to):
        idle = (idle_to[role] - idle_from[role]) * loaded_span / idle_span
        per[role] = (loaded_to[role] - loaded_from[role] - idle) * 1000 / count
    return {
        "paths": len(paths),
        "req/s": result["achieved/s"],
        "ok": result["ok"],
        "p50": result["p50"],
        "p99": result["p99"],
        **{f"{role} ms": round(v, 3) for role, v in per.items()},
        "total ms": round(sum(per.values()), 3),
    }


def cpu_table(doc: dict[str, Any], bench: dict[str, Any], rate: float, seconds: float) -> None:
    token = bench["token"]
    with httpx.Client(
        base_url=doc["gateway_url"], headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        ids = [
            api.post("/api/v1/projects", json={"name": f"gw bench {uuid.uuid4().hex[:8]}"}).json()[
                "project"
            ]["id"]
            for _ in range(50)
        ]
    rows = [
        asyncio.run(cpu_at_rate(doc, token, ["/api/v1/projects"], rate, seconds)),
        asyncio.run(cpu_at_rate(doc, token, [f"/api/v1/projects/{i}" for i in ids], rate, seconds)),
    ]
    print_table(
        f"CPU ms per request at {rate:.0f}/s for {seconds:.0f}s, idle use taken off "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)",
        rows,
    )


def pid_of(doc: dict[str, Any], name: str) -> int | None:
    path = Path(doc["state"]) / "pids" / f"{name}.pid"
    return int(path.read_text().split()[0]) if path.exists() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=50.0, help="fixed rate of the CPU table")
    parser.add_argument("--cpu-seconds", type=float, default=20.0)
    parser.add_argument("--only-cpu", action="store_true", help="only the CPU table")
    args = parser.parse_args()
    doc = platform_doc()
    bench = setup(doc)
    if args.only_cpu:
        cpu_table(doc, bench, args.rate, args.cpu_seconds)
        return

    samples = latency(doc, bench, args.requests)
    rows = [{"path": name, **summary_ms(values)} for name, values in samples.items()]
    print_table(f"latency, sequential, {args.requests} requests per path (ms)", rows)
    stats = {r["path"]: r for r in rows}
    added = [
        {
            "what": "gateway + verify over direct",
            "p50": stats["gateway"]["p50"] - stats["direct"]["p50"],
            "p95": stats["gateway"]["p95"] - stats["direct"]["p95"],
            "p99": stats["gateway"]["p99"] - stats["direct"]["p99"],
        },
        {
            "what": "Traefik hop alone (static file)",
            "p50": stats["static gateway"]["p50"] - stats["static direct"]["p50"],
            "p95": stats["static gateway"]["p95"] - stats["static direct"]["p95"],
            "p99": stats["static gateway"]["p99"] - stats["static direct"]["p99"],
        },
        {
            "what": "verify call, client-side",
            "p50": stats["verify"]["p50"],
            "p95": stats["verify"]["p95"],
            "p99": stats["verify"]["p99"],
        },
    ]
    print_table("added latency (ms; target: <= 2 median, <= 5 p99)", added)
    print_table("cold verify: first use of a token (ms)", [summary_ms(cold_verify(doc, bench))])

    verify_headers = {
        "X-Forwarded-Method": "GET",
        "X-Forwarded-Uri": "/api/v1/users/me",
        "Authorization": f"Bearer {bench['token']}",
    }
    pids = {"auth": pid_of(doc, "auth.0"), "traefik": pid_of(doc, "gateway")}
    load = [
        {
            "target": "verify, one auth process",
            **throughput(
                doc["internal"]["auth"][0] + "/internal/verify",
                verify_headers,
                args.seconds,
                args.clients,
                args.concurrency,
                pids,
            ),
        },
        {
            "target": "users/me through the gateway",
            **throughput(
                doc["gateway_url"] + "/api/v1/users/me",
                {"Authorization": f"Bearer {bench['token']}"},
                args.seconds,
                args.clients,
                args.concurrency,
                pids,
            ),
        },
    ]
    print_table(
        f"throughput: {args.clients} client processes x {args.concurrency} connections, "
        f"{args.seconds:.0f}s each",
        load,
    )
    memory = [
        {"process": name, "rss MB": rss_mb(pid)}
        for name in ("auth.0", "gateway")
        if (pid := pid_of(doc, name)) is not None
    ]
    print_table("memory after the run", memory)
    cpu_table(doc, bench, args.rate, args.cpu_seconds)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
