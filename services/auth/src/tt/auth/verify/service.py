"""The verify decision: which credential a route accepts, whose it is, whether it may
pass now (rate limit), and the signed identity the services receive.

Hot path on a warm cache: no database, one Redis script (rate limit + epoch check), and
a signature only when the cached signed identity is older than half its lifetime.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping

from tt.auth.credentials import (
    TIMETRACK_KEY_PATTERN,
    TIMETRACK_SECRET_PATTERN,
    digest,
    looks_like_token,
    same_secret,
)
from tt.auth.sessions.store import Session, SessionStore
from tt.auth.tokens.usage import UsageRecorder
from tt.auth.verify import verdicts
from tt.auth.verify.classes import UNSAFE_METHODS, RouteClass, classify, normalise_path
from tt.auth.verify.principals import Entry, KeyRecord, Principals, TokenRecord, UserRecord
from tt.auth.verify.ratelimit import EpochChanged, Quota, RateLimiter, Window
from tt.auth.verify.verdicts import Verdict
from tt.common.errors import Unavailable
from tt.common.identity import ADMIN_SCOPE, AuthMethod, Identity, IdentitySigner

# Longer credentials are refused before any work (a token is 35 characters).
MAX_CREDENTIAL_LENGTH = 256

Check = Callable[[Entry], Verdict | None]


class Request:
    """The parts of the forwarded request verify decides on."""

    __slots__ = ("cookie", "headers", "method", "path", "uri")

    def __init__(self, headers: Mapping[str, str], cookie: str | None) -> None:
        self.headers = headers
        self.method = headers.get("x-forwarded-method", "GET").upper()
        self.uri = headers.get("x-forwarded-uri", "/")
        self.path = normalise_path(self.uri)
        self.cookie = cookie

    def token(self) -> str | None:
        """The API token from ``Authorization: Bearer|Token <t>``, else ``X-API-Key`` (the
        reference server's order; another scheme falls through to the key header)."""
        parts = self.headers.get("authorization", "").split()
        if len(parts) == 2 and parts[0].lower() in ("bearer", "token"):
            return parts[1]
        api_key = self.headers.get("x-api-key")
        return api_key.strip() if api_key else None

    @property
    def wants_html(self) -> bool:
        return "text/html" in self.headers.get("accept", "")


class Verifier:
    def __init__(
        self,
        *,
        principals: Principals,
        limiter: RateLimiter,
        user_windows: tuple[Window, ...],
        sessions: SessionStore,
        signer: IdentitySigner,
        identity_ttl: int,
        usage: UsageRecorder,
        public_base_url: str,
    ) -> None:
        self._principals = principals
        self._limiter = limiter
        self._user_windows = user_windows
        self._sessions = sessions
        self._signer = signer
        self._reuse_for = identity_ttl / 2
        self._usage = usage
        self._base_url = public_base_url

    async def verify(self, request: Request) -> Verdict:
        route = classify(request.path)
        if route is RouteClass.TOKEN:
            return await self._by_token(request, admin=False)
        if route is RouteClass.TIMETRACK:
            return await self._by_timetrack_key(request)
        if route is RouteClass.ADMIN_LEGACY:
            if request.token() is not None:
                return await self._by_token(request, admin=True)
            return await self._by_session(request, route)
        return await self._by_session(request, route)

    # ------------------------------------------------------------ tokens

    async def _by_token(self, request: Request, *, admin: bool) -> Verdict:
        token = request.token()
        if token is None:
            return verdicts.credentials_required() if admin else verdicts.token_required()
        if len(token) > MAX_CREDENTIAL_LENGTH or not looks_like_token(token):
            return verdicts.invalid_token()
        token_hash = digest(token)

        def check(entry: Entry) -> Verdict | None:
            record = entry.credential
            if not isinstance(record, TokenRecord) or not record.usable(time.time()):
                return verdicts.invalid_token()
            if entry.user is None or not entry.user.is_active:
                return verdicts.invalid_token()
            if admin and ADMIN_SCOPE not in _token_scopes(record, entry.user):
                return verdicts.admin_scope_required(record.scopes)
            return None

        admitted = await self._admit(
            "t:" + token_hash,
            lambda epoch: self._principals.token(token_hash, epoch),
            check,
            lambda entry: f"t:{_credential_id(entry)}",
            # All of a user's tokens together have a limit too, counted in the same script:
            # a request refused by it does not use up the token's own quota.
            per_user=True,
        )
        if isinstance(admitted, Verdict):
            return admitted
        entry, quota = admitted
        record = entry.credential
        assert isinstance(record, TokenRecord)
        self._usage.touch(record.id)
        user = entry.user
        assert user is not None
        identity = self._identity(
            entry,
            "token",
            lambda: _token_scopes(record, user),
            target=(request.method, request.path),
            token_id=record.id,
        )
        return verdicts.allow(identity, quota)

    # ------------------------------------------------------------ TimeTrack keys

    async def _by_timetrack_key(self, request: Request) -> Verdict:
        api_key = request.headers.get("x-timetrack-api-key", "").strip()
        secret = request.headers.get("x-timetrack-api-secret", "").strip()
        if not api_key or not secret:
            return verdicts.timetrack_required()
        if not (
            TIMETRACK_KEY_PATTERN.fullmatch(api_key) and TIMETRACK_SECRET_PATTERN.fullmatch(secret)
        ):
            return verdicts.invalid_timetrack_key()
        secret_hash = digest(secret)

        def check(entry: Entry) -> Verdict | None:
            record = entry.credential
            if not isinstance(record, KeyRecord) or record.revoked:
                return verdicts.invalid_timetrack_key()
            if not same_secret(record.secret_hash, secret_hash):
                return verdicts.invalid_timetrack_key()
            if entry.user is None or not entry.user.is_active:
                return verdicts.invalid_timetrack_key()
            return None

        admitted = await self._admit(
            "k:" + api_key,
            lambda epoch: self._principals.timetrack_key(api_key, epoch),
            check,
            lambda entry: f"k:{_credential_id(entry)}",
        )
        if isinstance(admitted, Verdict):
            return admitted
        entry, quota = admitted
        assert entry.user is not None
        user = entry.user
        identity = self._identity(
            entry, "timetrack", lambda: user.session_scopes, target=(request.method, request.path)
        )
        return verdicts.allow(identity, quota)

    # ------------------------------------------------------------ sessions

    async def _by_session(self, request: Request, route: RouteClass) -> Verdict:
        try:
            session = await self._sessions.load(request.cookie or "")
        except Unavailable as exc:
            return verdicts.unavailable(exc.message)
        if session is None:
            return self._no_session(request, route)
        if request.method in UNSAFE_METHODS and not same_secret(
            session.csrf_token, request.headers.get("x-csrf-token")
        ):
            return verdicts.csrf_failed()
        needs_admin = route in (RouteClass.ADMIN_LEGACY, RouteClass.ADMIN_PAGE)

        def check(entry: Entry) -> Verdict | None:
            if entry.user is None or not entry.user.is_active:
                return self._no_session(request, route)
            if needs_admin and not entry.user.is_admin:
                return verdicts.admin_required()
            return None

        admitted = await self._admit(
            f"u:{session.user_id}",
            lambda epoch: self._principals.user(session.user_id, epoch),
            check,
            lambda entry: f"u:{session.user_id}",
        )
        if isinstance(admitted, Verdict):
            return admitted
        entry, quota = admitted
        assert entry.user is not None
        user = entry.user
        identity = self._identity(
            entry,
            "session",
            lambda: user.session_scopes,
            target=(request.method, request.path),
            session=session,
        )
        return verdicts.allow(identity, quota)

    def _no_session(self, request: Request, route: RouteClass) -> Verdict:
        if route in (RouteClass.PAGE, RouteClass.ADMIN_PAGE) and request.wants_html:
            return verdicts.login_redirect(self._base_url, request.uri)
        if route is RouteClass.ADMIN_LEGACY:
            return verdicts.credentials_required()
        return verdicts.session_required(token_sent=request.token() is not None)

    # ------------------------------------------------------------ shared steps

    async def _admit(
        self,
        key: str,
        load: Callable[[str | None], Awaitable[Entry]],
        check: Check,
        subject: Callable[[Entry], str],
        *,
        per_user: bool = False,
    ) -> tuple[Entry, Quota] | Verdict:
        """Find (or load) the entry, check it, then count the request against its quota
        (and, with ``per_user``, its user's) in one Redis round trip.

        A stale epoch means the credential changed since it was cached: reload and check
        again before anything is counted, so a revoked token fails on its next request.
        """
        entry = self._principals.cached(key)
        if entry is None:
            entry = await load(await self._limiter.epoch())
        attempts = 0
        while True:
            denied = check(entry)
            if denied is not None:
                return denied
            windows = self._windows(entry)
            also = self._user_subject(entry, windows) if per_user else None
            # After three reloads (a burst of admin changes moving the epoch), decide on
            # the fresh entry without comparing epochs again.
            epoch = entry.epoch if attempts < 3 else None
            try:
                quota = await self._limiter.apply(
                    subject(entry), epoch=epoch, windows=windows, also=also
                )
            except EpochChanged as changed:
                entry = await load(changed.epoch)
                attempts += 1
                continue
            if not quota.allowed:
                return verdicts.rate_limited(quota)
            return entry, quota

    def _user_subject(
        self, entry: Entry, windows: tuple[Window, ...] | None
    ) -> tuple[str, tuple[Window, ...]]:
        """The user's subject and windows, never tighter than the token's own (an
        operator's token with raised limits keeps them)."""
        assert entry.user is not None
        token_windows = windows or self._limiter.windows
        return f"tu:{entry.user.id}", tuple(
            Window(u.name, max(u.limit, t.limit), u.seconds)
            for u, t in zip(self._user_windows, token_windows, strict=True)
        )

    def _windows(self, entry: Entry) -> tuple[Window, ...] | None:
        record = entry.credential
        if isinstance(record, TokenRecord) and record.limits != (None, None):
            return self._limiter.with_limits(record.limits)
        return None

    def _identity(
        self,
        entry: Entry,
        method: AuthMethod,
        scopes: Callable[[], frozenset[str]],
        *,
        target: tuple[str, str],
        token_id: int | None = None,
        session: Session | None = None,
    ) -> str:
        """The signed identity for this request line, reused while it has more than half
        its lifetime left."""
        variant = method if session is None else "s:" + session.csrf_token
        variant = f"{variant} {target[0]} {target[1]}"
        now = time.time()
        cached = entry.identities.get(variant)
        if cached is not None and cached[1] > now:
            return cached[0]
        user = entry.user
        assert user is not None
        identity = Identity(
            user_id=user.id,
            username=user.username,
            is_admin=user.is_admin,
            scopes=scopes(),
            auth_method=method,
            timezone=user.timezone,
            token_id=token_id,
            csrf_token=session.csrf_token if session is not None else None,
        )
        header = self._signer.sign(identity, now=now, method=target[0], path=target[1])
        if len(entry.identities) > 16:
            entry.identities.clear()
        entry.identities[variant] = (header, now + self._reuse_for)
        return header


def _token_scopes(record: TokenRecord, user: UserRecord) -> frozenset[str]:
    """What a token may do now: its scopes, but ``admin:all`` only while its owner is an
    admin (the user record is reloaded on every change of the user: epoch and events)."""
    if ADMIN_SCOPE in record.scopes and not user.is_admin:
        return record.scopes - {ADMIN_SCOPE}
    return record.scopes


def _credential_id(entry: Entry) -> int:
    assert entry.credential is not None
    return entry.credential.id
