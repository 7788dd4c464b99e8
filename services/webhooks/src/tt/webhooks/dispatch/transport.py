"""One HTTP POST to a subscriber, through a connection pool whose every connection is
checked against the target policy (SSRF): the addresses checked are the ones connected
to, so a DNS answer that changes after the subscription was saved cannot redirect us to
an internal host. Redirects are never followed.

aiohttp, whose HTTP parser is compiled: with a pure-Python client (httpcore, h11 and
anyio) the transport was 58 % of the webhooks worker's CPU time in a burst."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from tt.common.edge import make_storable
from tt.webhooks.targets import TargetPolicy, TargetRefused

EXCERPT_BYTES = 1024
# A longer answer is not drained: the connection is closed instead of reused.
DRAIN_BYTES = 64 * 1024


class GuardedResolver(AbstractResolver):
    """A host name's addresses, every one checked (all or nothing, as the policy says)."""

    def __init__(self, policy: TargetPolicy) -> None:
        self._policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await self._policy.resolve(host, port)  # TargetRefused, OSError
        return [
            {
                "hostname": host,
                "host": str(address),
                "port": port,
                "family": socket.AF_INET6 if address.version == 6 else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in addresses
        ]

    async def close(self) -> None:
        return None


def guarded_socket(policy: TargetPolicy) -> Any:
    """A socket factory that checks the address it is about to connect to: IP-literal
    URLs never reach the resolver, and this also holds whatever a resolver returned."""

    def make(addr_info: tuple[Any, ...]) -> socket.socket:
        family, kind, proto, _, sockaddr = addr_info
        policy.check_address(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
        return socket.socket(family=family, type=kind, proto=proto)

    return make


@dataclass(frozen=True)
class Response:
    """What one attempt got back: a status, or a transport error, never both."""

    status: int | None
    latency_ms: int
    excerpt: str | None = None
    retry_after: str | None = None
    error: str | None = None
    refused: bool = False
    timed_out: bool = False


class Transport:
    """Policy-guarded HTTP/1.1 connection pools, one per subscriber, so a slow subscriber
    cannot take another's connections."""

    def __init__(self, policy: TargetPolicy, *, timeout: float, connections: int) -> None:
        self._policy = policy
        self._timeout = timeout
        self._connections = connections
        self._ssl = ssl.create_default_context()
        self._pools: dict[int, aiohttp.ClientSession] = {}
        self._used: dict[int, float] = {}

    def _pool(self, key: int) -> aiohttp.ClientSession:
        pool = self._pools.get(key)
        if pool is None:
            connector = aiohttp.TCPConnector(
                limit=self._connections,
                keepalive_timeout=30.0,
                ssl=self._ssl,
                resolver=GuardedResolver(self._policy),
                use_dns_cache=False,  # every new connection resolves and checks again
                socket_factory=guarded_socket(self._policy),
            )
            pool = self._pools[key] = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                auto_decompress=False,
                skip_auto_headers=("Accept", "Accept-Encoding"),
            )
        self._used[key] = time.monotonic()
        return pool

    async def post(
        self, key: int, url: str, headers: list[tuple[str, str]], body: bytes
    ) -> Response:
        """POST ``body`` to ``url`` through the pool of ``key`` (the subscription)."""
        pool = self._pool(key)
        started = time.perf_counter()
        try:
            # One deadline for the whole exchange: a response that trickles in is a timeout.
            async with asyncio.timeout(self._timeout):
                async with pool.post(
                    url, data=body, headers=headers, allow_redirects=False
                ) as response:
                    excerpt = await _excerpt(response)
                    return Response(
                        status=response.status,
                        latency_ms=_since(started),
                        excerpt=excerpt,
                        retry_after=response.headers.get("Retry-After"),
                    )
        except TargetRefused as exc:
            return Response(None, _since(started), error=f"refused: {exc}", refused=True)
        except aiohttp.InvalidURL as exc:  # e.g. a non-canonical IPv4 form such as 127.1
            return Response(None, _since(started), error=f"refused: {exc}", refused=True)
        except TimeoutError:
            return Response(None, _since(started), error="timed out", timed_out=True)
        except (aiohttp.ClientError, OSError, UnicodeError, ValueError) as exc:
            return Response(None, _since(started), error=f"{type(exc).__name__}: {exc}"[:500])

    async def close_idle(self, idle_seconds: float) -> None:
        """Close the pools of subscribers we have not called for a while."""
        cutoff = time.monotonic() - idle_seconds
        for key in [k for k, used in self._used.items() if used < cutoff]:
            del self._used[key]
            await self._pools.pop(key).close()

    async def close(self) -> None:
        for pool in self._pools.values():
            await pool.close()
        self._pools.clear()
        self._used.clear()


async def _excerpt(response: aiohttp.ClientResponse) -> str:
    """The first bytes of the body; a short rest is drained so the connection is reused."""
    kept = b""
    seen = 0
    async for chunk in response.content.iter_any():
        if len(kept) < EXCERPT_BYTES:
            kept += chunk[: EXCERPT_BYTES - len(kept)]
        seen += len(chunk)
        if seen > DRAIN_BYTES:
            response.close()  # not worth reading on: drop the connection
            break
    # A receiver's reply may hold NUL, which PostgreSQL refuses: one such row used to fail
    # the whole batch of results it was saved with.
    return make_storable(kept.decode("utf-8", "replace"))


def _since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
