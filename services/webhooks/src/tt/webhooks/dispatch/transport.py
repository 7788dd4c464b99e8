"""One HTTP POST to a subscriber, through a connection pool whose every connection is
checked against the target policy (SSRF): the addresses checked are the ones connected
to, so a DNS answer that changes after the subscription was saved cannot redirect us to
an internal host. Redirects are never followed (httpcore does not follow them)."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass

import httpcore

from tt.common.edge import make_storable
from tt.webhooks.targets import TargetPolicy, TargetRefused

EXCERPT_BYTES = 1024
# A longer answer is not drained: the connection is closed instead of reused.
DRAIN_BYTES = 64 * 1024


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks every address, then connects to the first that answers."""

    def __init__(self, policy: TargetPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._policy.resolve(host, port)  # TargetRefused, OSError
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise TargetRefused("unix sockets are not webhook targets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


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
    """Policy-guarded HTTP/1.1 connection pools, one per subscriber.

    Separate pools keep subscribers apart (a slow one cannot take another's connections)
    and keep each pool small, which httpcore needs: it checks every pooled connection on
    every request.
    """

    def __init__(self, policy: TargetPolicy, *, timeout: float, connections: int) -> None:
        self._timeout = timeout
        self._connections = connections
        self._backend = GuardedBackend(policy)
        self._ssl = ssl.create_default_context()
        self._pools: dict[int, httpcore.AsyncConnectionPool] = {}
        self._used: dict[int, float] = {}

    def _pool(self, key: int) -> httpcore.AsyncConnectionPool:
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = httpcore.AsyncConnectionPool(
                ssl_context=self._ssl,
                max_connections=self._connections,
                max_keepalive_connections=self._connections,
                keepalive_expiry=30.0,
                network_backend=self._backend,
            )
        self._used[key] = time.monotonic()
        return pool

    async def post(
        self, key: int, url: str, headers: list[tuple[str, str]], body: bytes
    ) -> Response:
        """POST ``body`` to ``url`` through the pool of ``key`` (the subscription)."""
        pool = self._pool(key)
        started = time.perf_counter()
        timeouts = {"connect": self._timeout, "read": self._timeout, "write": self._timeout}
        try:
            # One deadline for the whole exchange: a response that trickles in is a timeout.
            async with asyncio.timeout(self._timeout):
                async with pool.stream(
                    "POST",
                    url,
                    headers=headers,
                    content=body,
                    extensions={"timeout": {**timeouts, "pool": self._timeout}},
                ) as response:
                    excerpt = await _excerpt(response)
                    return Response(
                        status=response.status,
                        latency_ms=_since(started),
                        excerpt=excerpt,
                        retry_after=_header(response.headers, b"retry-after"),
                    )
        except TargetRefused as exc:
            return Response(None, _since(started), error=f"refused: {exc}", refused=True)
        except (TimeoutError, httpcore.TimeoutException):
            return Response(None, _since(started), error="timed out", timed_out=True)
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
            return Response(None, _since(started), error=f"{type(exc).__name__}: {exc}"[:500])
        except (OSError, UnicodeError) as exc:  # DNS failures and the like
            return Response(None, _since(started), error=f"{type(exc).__name__}: {exc}"[:500])

    async def close_idle(self, idle_seconds: float) -> None:
        """Close the pools of subscribers we have not called for a while."""
        cutoff = time.monotonic() - idle_seconds
        for key in [k for k, used in self._used.items() if used < cutoff]:
            pool = self._pools.pop(key)
            del self._used[key]
            if not pool.connections or all(c.is_idle() for c in pool.connections):
                await pool.aclose()
            else:  # still in use after all: keep it
                self._pools[key], self._used[key] = pool, time.monotonic()

    async def close(self) -> None:
        for pool in self._pools.values():
            await pool.aclose()
        self._pools.clear()
        self._used.clear()


async def _excerpt(response: httpcore.Response) -> str:
    """The first bytes of the body; a short rest is drained so the connection is reused."""
    kept = b""
    seen = 0
    async for chunk in response.aiter_stream():
        if len(kept) < EXCERPT_BYTES:
            kept += chunk[: EXCERPT_BYTES - len(kept)]
        seen += len(chunk)
        if seen > DRAIN_BYTES:
            break
    # A receiver's reply may hold NUL, which PostgreSQL refuses: one such row used to fail
    # the whole batch of results it was saved with.
    return make_storable(kept.decode("utf-8", "replace"))


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
