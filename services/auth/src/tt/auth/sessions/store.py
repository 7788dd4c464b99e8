"""Browser sessions in Redis: a random id in an HttpOnly cookie, a CSRF token, a sliding
idle expiry and an absolute lifetime. The Redis key is an HMAC of the id, so neither a
Redis dump nor a key listing yields a usable cookie."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from tt.common.errors import Unavailable

_PREFIX = "tt:auth:session:"
# Per user, the Redis keys of their sessions, so every one can be ended at once.
_USER_PREFIX = "tt:auth:user-sessions:"
_MAX_ID_LENGTH = 128


@dataclass(frozen=True, slots=True)
class Session:
    user_id: int
    csrf_token: str
    created_at: float


class SessionStore:
    def __init__(
        self, redis: aioredis.Redis, secret: str, *, idle_seconds: int, max_seconds: int
    ) -> None:
        self._redis = redis
        self._secret = secret.encode()
        self._idle = idle_seconds
        self._max = max_seconds

    def _key(self, session_id: str) -> str:
        mac = hmac.new(self._secret, session_id.encode(), hashlib.sha256).hexdigest()
        return _PREFIX + mac

    async def create(self, user_id: int) -> tuple[str, Session]:
        """A new session (a new id on every login: no fixation)."""
        session_id = secrets.token_urlsafe(32)
        session = Session(user_id, secrets.token_urlsafe(32), time.time())
        key = self._key(session_id)
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(
                    key,
                    mapping={
                        "uid": session.user_id,
                        "csrf": session.csrf_token,
                        "created": f"{session.created_at:.3f}",
                    },
                )
                pipe.expire(key, self._idle)
                pipe.sadd(f"{_USER_PREFIX}{user_id}", key)
                pipe.expire(f"{_USER_PREFIX}{user_id}", self._max)
                await pipe.execute()
        except RedisError as exc:
            raise Unavailable("Sessions are unavailable right now; try again shortly") from exc
        return session_id, session

    async def end_all(self, user_id: int) -> None:
        """End every session of ``user_id`` (demotion, deactivation, new password)."""
        index = f"{_USER_PREFIX}{user_id}"
        try:
            keys = await self._redis.smembers(index)
            async with self._redis.pipeline(transaction=True) as pipe:
                for key in keys:
                    pipe.delete(key)
                pipe.delete(index)
                await pipe.execute()
        except RedisError as exc:
            raise Unavailable("Sessions are unavailable right now; try again shortly") from exc

    async def load(self, session_id: str) -> Session | None:
        """The live session for this id (its idle expiry restarts), or None."""
        if not session_id or len(session_id) > _MAX_ID_LENGTH:
            return None
        key = self._key(session_id)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.hgetall(key)
                pipe.expire(key, self._idle)
                values, _ = await pipe.execute()
        except RedisError as exc:
            raise Unavailable("Sessions are unavailable right now; try again shortly") from exc
        if not values:
            return None
        fields = {k.decode(): v.decode() for k, v in values.items()}
        try:
            session = Session(int(fields["uid"]), fields["csrf"], float(fields["created"]))
        except (KeyError, ValueError):
            return None
        if session.created_at + self._max < time.time():
            await self.delete(session_id)
            return None
        return session

    async def delete(self, session_id: str) -> None:
        if not session_id or len(session_id) > _MAX_ID_LENGTH:
            return
        try:
            await self._redis.delete(self._key(session_id))
        except RedisError as exc:
            raise Unavailable("Sessions are unavailable right now; try again shortly") from exc
