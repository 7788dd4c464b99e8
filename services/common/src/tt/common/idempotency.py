"""Idempotent creates (docs/api.md §5), for every service whose v1 POSTs create.

A create sent with ``Idempotency-Key`` runs at most once per (token, key) within 24 h:

- Redis holds the fast path: ``SET NX`` claims the key while the request runs (a second
  request with the same key meanwhile gets 409 ``conflict``), then holds the answer for
  replays (same status and body, ``Idempotent-Replayed: true``) for the first minutes
  (``idempotency_cache_seconds``), when a client's retries come.
- PostgreSQL holds the guarantee: the record (``idempotency_records``, created by each
  using service's migrations) is written in the create's own transaction under a unique
  (scope, key) constraint. With Redis down or emptied, a duplicate blocks on that
  constraint until the first commits, then replays its stored answer.
- The body's fingerprint (method, path and canonical JSON) must match: a different body
  with the same key is 422 ``idempotency_key_reused``.
- Only successful answers are remembered: a failed create leaves nothing behind, so a
  corrected retry with the same key may run.

A service installs an ``IdempotencyStore`` as ``app.state.idempotency`` at start-up, wraps
its creates in ``run_create`` and runs ``sweep_idempotency_records`` in its worker.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from fastapi import Request
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import (
    BigInteger,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    delete,
    func,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from starlette.responses import Response

from tt.common.db import PlatformBase, unit_of_work
from tt.common.errors import Conflict, IdempotencyKeyReused, ValidationFailed
from tt.common.identity import Identity
from tt.common.metrics import IDEMPOTENCY_REDIS_FAILURES, IDEMPOTENCY_REPLAYS
from tt.common.resources import Resources
from tt.common.responses import JSONResponse
from tt.common.settings import PlatformSettings

log = logging.getLogger("tt.idempotency")

SWEEP_EVERY_SECONDS = 600

HEADER = "idempotency-key"
Work = Callable[[AsyncSession], Awaitable[tuple[int, dict[str, Any]]]]
Seal = Callable[[bytes], bytes]


class IdempotencyRecord(PlatformBase):
    """The durable half: written in the create's own transaction under a unique (scope,
    key) constraint, so two requests with one key can never both commit, with or without
    Redis. Each service using it creates the table in its own migrations."""

    __tablename__ = "idempotency_records"
    __table_args__ = (
        UniqueConstraint("scope", "key", name="uq_idempotency_records_scope_key"),
        Index("ix_idempotency_records_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


@dataclass(frozen=True, slots=True)
class Stored:
    fingerprint: str
    status: int  # 0 while the first request is still running
    body: bytes


def _encode(stored: Stored) -> bytes:
    return f"{stored.fingerprint}|{stored.status}|".encode() + stored.body


def _decode(raw: bytes) -> Stored:
    fingerprint, status, body = raw.split(b"|", 2)
    return Stored(fingerprint.decode(), int(status), body)


def _same(body: bytes) -> bytes:
    return body


class IdempotencyStore:
    """The Redis half; skips Redis for a while after it fails (PostgreSQL still holds).

    ``seal``/``unseal`` transform stored answers (both halves): a service whose create
    answer shows a secret once keeps it encrypted at rest in the replay too.
    """

    def __init__(
        self,
        redis: Redis,
        settings: PlatformSettings,
        *,
        seal: Seal = _same,
        unseal: Seal = _same,
    ) -> None:
        self._redis = redis
        self.prefix = f"tt:{settings.service_name}:idem"
        self.ttl = settings.idempotency_ttl_seconds
        self._cached = min(settings.idempotency_cache_seconds, self.ttl)
        self._inflight = settings.idempotency_inflight_seconds
        self._retry_after = settings.redis_retry_after_seconds
        self._down_until = 0.0
        self.seal = seal
        self.unseal = unseal

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: RedisError) -> None:
        IDEMPOTENCY_REDIS_FAILURES.inc()
        self._down_until = time.monotonic() + self._retry_after
        log.warning("Redis unavailable for idempotency, using PostgreSQL only: %s", exc)

    async def claim(self, name: str, fingerprint: str) -> Stored | None:
        """Claim ``name`` for this request (None), or what another request left there."""
        if not self._available():
            return None
        running = _encode(Stored(fingerprint, 0, b""))
        try:
            for _ in range(2):  # a stored value may expire between SET and GET
                if await self._redis.set(name, running, nx=True, ex=self._inflight):
                    return None
                raw = await self._redis.get(name)
                if raw is not None:
                    return _decode(raw if isinstance(raw, bytes) else raw.encode())
        except RedisError as exc:
            self._failed(exc)
        return None

    async def remember(self, name: str, stored: Stored) -> None:
        if not self._available():
            return
        try:
            await self._redis.set(name, _encode(stored), ex=self._cached)
        except RedisError as exc:
            self._failed(exc)

    async def release(self, name: str, fingerprint: str) -> None:
        if not self._available():
            return
        try:
            await self._redis.eval(_RELEASE, 1, name, _encode(Stored(fingerprint, 0, b"")))
        except RedisError as exc:
            self._failed(exc)


def _key_of(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= 128 or not all(" " <= ch <= "~" for ch in key):
        raise ValidationFailed.field(
            "Idempotency-Key", "Must be 1 to 128 printable ASCII characters"
        )
    return key


def _fingerprint(request: Request, body: dict[str, Any]) -> str:
    canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


def _replay(stored: Stored, unseal: Seal) -> Response:
    IDEMPOTENCY_REPLAYS.inc()
    return Response(
        unseal(stored.body),
        status_code=stored.status,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true"},
    )


def _judge(stored: Stored, fingerprint: str) -> Stored:
    if stored.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request body"
        )
    if stored.status == 0:
        raise Conflict("A request with this Idempotency-Key is still being processed")
    return stored


# Fixed statements, compiled once: built per request (the TTL inlined, ON CONFLICT
# composed each time), the claim's compilation was a tenth of a keyed create's CPU.
# An expired record is taken over; a live one is left alone (no row returned).
_CLAIM = text(
    "INSERT INTO idempotency_records (scope, key, fingerprint) "
    "VALUES (:scope, :key, :fingerprint) "
    "ON CONFLICT ON CONSTRAINT uq_idempotency_records_scope_key DO UPDATE "
    "SET fingerprint = excluded.fingerprint, status_code = NULL, body = NULL, "
    "created_at = now() "
    "WHERE idempotency_records.created_at < now() - make_interval(secs => :ttl) "
    "RETURNING id"
)
_CLAIMED = text(
    "SELECT fingerprint, status_code, body FROM idempotency_records "
    "WHERE scope = :scope AND key = :key"
)
_ANSWERED = text(
    "UPDATE idempotency_records SET status_code = :status, body = :body WHERE id = :id"
)


async def _claim_in_database(
    session: AsyncSession, scope: str, key: str, fingerprint: str, ttl: int
) -> int | Stored:
    """Our record's id, or the committed record another request made (waits for it).
    Through the session, so it begins the create's transaction."""
    names = {"scope": scope, "key": key}
    claimed = await session.execute(_CLAIM, {**names, "fingerprint": fingerprint, "ttl": ttl})
    record_id = claimed.scalar()
    if record_id is not None:
        return int(record_id)
    row = (await session.execute(_CLAIMED, names)).one()
    return Stored(row.fingerprint, row.status_code or 0, row.body or b"")


async def run_create(
    request: Request, identity: Identity, body: dict[str, Any], work: Work
) -> Response:
    """Run ``work`` (a create) in one transaction, at most once per Idempotency-Key."""
    res: Resources = request.app.state.resources
    key = _key_of(request)
    if key is None:
        async with unit_of_work(res.sessions) as session:
            status, content = await work(session)
        return JSONResponse(content, status_code=status)

    store: IdempotencyStore = request.app.state.idempotency
    scope = f"t{identity.token_id}" if identity.token_id is not None else f"u{identity.user_id}"
    name = f"{store.prefix}:{scope}:{key}"
    fingerprint = _fingerprint(request, body)

    earlier = await store.claim(name, fingerprint)
    if earlier is not None:
        return _replay(_judge(earlier, fingerprint), store.unseal)
    try:
        async with unit_of_work(res.sessions) as session:
            claim = await _claim_in_database(session, scope, key, fingerprint, store.ttl)
            if isinstance(claim, Stored):
                outcome = _judge(claim, fingerprint)
                replayed = True
            else:
                status, content = await work(session)
                answer = bytes(JSONResponse(content).body)
                outcome = Stored(fingerprint, status, store.seal(answer))
                replayed = False
                await session.execute(
                    _ANSWERED, {"status": outcome.status, "body": outcome.body, "id": claim}
                )
    except BaseException:
        await store.release(name, fingerprint)
        raise
    await store.remember(name, outcome)
    if replayed:
        return _replay(outcome, store.unseal)
    return Response(answer, status_code=outcome.status, media_type="application/json")


async def sweep_idempotency_records(resources: Resources) -> None:
    """Worker task: every few minutes, drop records nobody may replay any more."""
    ttl = int(resources.settings.idempotency_ttl_seconds)
    while True:
        try:
            async with unit_of_work(resources.sessions) as session:
                result = await session.execute(
                    delete(IdempotencyRecord).where(
                        IdempotencyRecord.created_at < text(f"now() - interval '{ttl} seconds'")
                    )
                )
            if result.rowcount:  # type: ignore[attr-defined]
                log.info("swept %d expired idempotency records", result.rowcount)  # type: ignore[attr-defined]
        except Exception as exc:  # the database may be away; try again next round
            log.warning("idempotency sweep failed: %s", exc)
        await asyncio.sleep(SWEEP_EVERY_SECONDS)
