"""Who a credential belongs to, cached in process so a warm verify touches no database.

Entries are tagged with the auth *epoch* (a Redis counter) current when they were
loaded. Every change to a token, user or TimeTrack key bumps the epoch after its
commit; the rate-limit script compares epochs on each request at no extra cost, so
every replica reloads a changed credential on its very next use. While Redis is down,
entries live ``cache_ttl_seconds`` and ``tt.auth.*`` events drop them.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tt.auth.timetrack.models import TimeTrackKey
from tt.auth.tokens.models import ApiToken
from tt.auth.users.models import User
from tt.common.identity import ADMIN_SCOPE, USER_SCOPES

_MAX_ENTRIES = 50_000
# Unknown credentials are remembered briefly so a flood of bad tokens stays cheap.
_SHORT_TTL = 5.0


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    username: str
    is_admin: bool
    is_active: bool
    timezone: str

    @property
    def session_scopes(self) -> frozenset[str]:
        """What a session (or TimeTrack key) of this user may do."""
        return frozenset({ADMIN_SCOPE} if self.is_admin else USER_SCOPES)

    @classmethod
    def of(cls, user: User) -> UserRecord:
        return cls(user.id, user.username, user.is_admin, user.is_active, user.timezone)


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: int
    user_id: int
    scopes: frozenset[str]
    expires_at: float | None
    revoked: bool
    # Per-token overrides of the minute and hour limits (None: the defaults).
    limits: tuple[int | None, int | None] = (None, None)

    def usable(self, now: float) -> bool:
        return not self.revoked and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True, slots=True)
class KeyRecord:
    id: int
    user_id: int
    secret_hash: str
    revoked: bool


@dataclass(slots=True)
class Entry:
    """One cached lookup: the credential (None if unknown), its user, and signed identities."""

    credential: TokenRecord | KeyRecord | None
    user: UserRecord | None
    epoch: str | None
    loaded: float
    # Signed X-TT-Identity values reused while fresh: variant -> (header, fresh_until).
    identities: dict[str, tuple[str, float]] = field(default_factory=dict)

    def fresh(self, now: float, ttl: float) -> bool:
        # Unknown credentials, and entries loaded while the epoch was unknown (Redis down),
        # are trusted only briefly.
        known = self.credential is not None or self.user is not None
        limit = ttl if known and self.epoch is not None else min(ttl, _SHORT_TTL)
        return now - self.loaded < limit


class Principals:
    """Token, TimeTrack-key and user lookups with an epoch-tagged in-process cache."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], ttl: float) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._entries: OrderedDict[str, Entry] = OrderedDict()

    def cached(self, key: str) -> Entry | None:
        entry = self._entries.get(key)
        if entry is not None and entry.fresh(time.monotonic(), self._ttl):
            return entry
        return None

    async def token(self, token_hash: str, epoch: str | None) -> Entry:
        key = "t:" + token_hash
        async with self._sessions() as session:
            row = (
                await session.execute(
                    select(ApiToken, User)
                    .join(User, User.id == ApiToken.user_id)
                    .where(ApiToken.token_hash == token_hash)
                )
            ).first()
        if row is None:
            return self._store(key, Entry(None, None, epoch, time.monotonic()))
        token, user = row
        record = TokenRecord(
            token.id,
            token.user_id,
            frozenset(token.scopes),
            _epoch_seconds(token.expires_at),
            token.revoked_at is not None,
            (token.rate_limit_per_minute, token.rate_limit_per_hour),
        )
        return self._store(key, Entry(record, UserRecord.of(user), epoch, time.monotonic()))

    async def timetrack_key(self, api_key: str, epoch: str | None) -> Entry:
        key = "k:" + api_key
        async with self._sessions() as session:
            row = (
                await session.execute(
                    select(TimeTrackKey, User)
                    .join(User, User.id == TimeTrackKey.user_id)
                    .where(TimeTrackKey.api_key == api_key)
                )
            ).first()
        if row is None:
            return self._store(key, Entry(None, None, epoch, time.monotonic()))
        tk, user = row
        record = KeyRecord(tk.id, tk.user_id, tk.secret_hash, tk.revoked_at is not None)
        return self._store(key, Entry(record, UserRecord.of(user), epoch, time.monotonic()))

    async def user(self, user_id: int, epoch: str | None) -> Entry:
        key = f"u:{user_id}"
        async with self._sessions() as session:
            user = await session.get(User, user_id)
        record = UserRecord.of(user) if user is not None else None
        return self._store(key, Entry(None, record, epoch, time.monotonic()))

    def _store(self, key: str, entry: Entry) -> Entry:
        self._entries.pop(key, None)
        self._entries[key] = entry
        if len(self._entries) > _MAX_ENTRIES:
            self._entries.popitem(last=False)
        return entry

    # ------------------------------------------------------------ invalidation

    def forget_token(self, token_id: int) -> None:
        self._drop(lambda e: isinstance(e.credential, TokenRecord) and e.credential.id == token_id)

    def forget_user(self, user_id: int) -> None:
        """Drop the user and every credential of theirs (deactivation, admin flag...)."""
        self._drop(lambda e: e.user is not None and e.user.id == user_id)

    def forget_all(self) -> None:
        self._entries.clear()

    def _drop(self, matches: Callable[[Entry], bool]) -> None:
        for key in [k for k, e in self._entries.items() if matches(e)]:
            del self._entries[key]


def _epoch_seconds(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None
