"""The caller's identity as the gateway hands it over: ``X-TT-Identity``, a short-lived JWT
signed by auth with Ed25519 (EdDSA).

auth signs (``IdentitySigner``); every service verifies with auth's public key
(``IdentityVerifier``) and trusts nothing else: a request that reached a service
around the gateway has no valid identity and gets 401.
"""

from __future__ import annotations

import posixpath
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import Depends, Request

from tt.common.errors import Forbidden, InsufficientScope, Unauthorized, retry_shortly

IDENTITY_HEADER = "x-tt-identity"
ISSUER = "tt-auth"
AUDIENCE = "tt-services"
ALGORITHM = "EdDSA"
# Identities live a few seconds (auth's TT_AUTH_IDENTITY_TTL_SECONDS); hosts' clocks may
# differ by this much.
CLOCK_SKEW_SECONDS = 2
# An identity that expired this recently, with a valid signature, was minted for this very
# request, which then waited inside the platform longer than the identity lives (an
# overloaded service, e.g. while a backlog drains after a broker outage): 503, retry,
# rather than a 401 that tells the client its credentials are wrong. Longer than any
# client waits for an answer (10 s for the reference apps), shorter than the minute after
# which an identity is plainly stale (401, tests/e2e/test_gateway.py).
QUEUED_GRACE_SECONDS = 30

AuthMethod = Literal["token", "session", "timetrack"]

ADMIN_SCOPE = "admin:all"
RESOURCES = ("projects", "time_entries", "tasks", "clients")
ALL_SCOPES: tuple[str, ...] = (
    *(f"{mode}:{resource}" for resource in RESOURCES for mode in ("read", "write")),
    "read:reports",
    "read:users",
    ADMIN_SCOPE,
)
# Every scope but admin:all: what a non-admin's session or app login gets.
USER_SCOPES: tuple[str, ...] = tuple(s for s in ALL_SCOPES if s != ADMIN_SCOPE)


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is calling, as authenticated by auth for this one request."""

    user_id: int
    username: str
    is_admin: bool
    scopes: frozenset[str]
    auth_method: AuthMethod
    timezone: str = "UTC"
    token_id: int | None = None
    csrf_token: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def has_scope(self, scope: str) -> bool:
        """``admin:all`` implies every scope; ``write:x`` does not imply ``read:x``."""
        return ADMIN_SCOPE in self.scopes or scope in self.scopes

    @property
    def acts_as_admin(self) -> bool:
        """A token granted ``admin:all`` (an admin's narrower token is an ordinary one), or
        an admin's session or TimeTrack key. auth grants ``admin:all`` only while the
        token's owner is an admin."""
        if self.auth_method == "token":
            return ADMIN_SCOPE in self.scopes
        return self.is_admin or ADMIN_SCOPE in self.scopes

    def to_claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "sub": str(self.user_id),
            "usr": self.username,
            "adm": self.is_admin,
            "scp": sorted(self.scopes),
            "amr": self.auth_method,
            "tz": self.timezone,
        }
        if self.token_id is not None:
            claims["tid"] = self.token_id
        if self.csrf_token is not None:
            claims["csrf"] = self.csrf_token
        return claims

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Identity:
        return cls(
            user_id=int(claims["sub"]),
            username=str(claims["usr"]),
            is_admin=bool(claims["adm"]),
            scopes=frozenset(claims.get("scp", ())),
            auth_method=claims["amr"],
            timezone=str(claims.get("tz") or "UTC"),
            token_id=claims.get("tid"),
            csrf_token=claims.get("csrf"),
        )


def normalise_path(uri: str) -> str:
    """The path as the gateway routed it: decoded once, dot segments and ``//`` removed
    (auth binds an identity to it; a service compares its own path the same way)."""
    path = unquote(urlsplit(uri or "/").path or "/")
    cleaned = posixpath.normpath("/" + path.lstrip("/"))
    # normpath keeps a leading "//"; a trailing slash matters to nobody here.
    return "/" + cleaned.lstrip("/")


def generate_keypair() -> tuple[str, str]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class IdentitySigner:
    """Signs identities (auth only)."""

    def __init__(self, private_key_pem: str, ttl_seconds: int = 60) -> None:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the identity signing key must be Ed25519")
        self._key = key
        self._ttl = ttl_seconds

    def sign(
        self,
        identity: Identity,
        now: float | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
    ) -> str:
        """The signed identity; with ``method`` and ``path`` it is good for that one
        request line only (auth always binds; tests holding the key may not)."""
        issued = int(now if now is not None else time.time())
        claims = {
            **identity.to_claims(),
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": issued,
            "exp": issued + self._ttl,
        }
        if method is not None and path is not None:
            claims["mth"] = method.upper()
            claims["pth"] = normalise_path(path)
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)


class IdentityVerifier:
    """Verifies ``X-TT-Identity`` headers; remembers recent good ones until they expire."""

    def __init__(self, public_key_pem: str, cache_size: int = 4096) -> None:
        key = serialization.load_pem_public_key(public_key_pem.encode()) if public_key_pem else None
        if key is not None and not isinstance(key, Ed25519PublicKey):
            raise ValueError("the identity public key must be Ed25519")
        self._key = key
        # header -> (expiry, identity, (method, path) it is bound to, if any)
        self._cache: OrderedDict[str, tuple[float, Identity, tuple[str, str] | None]] = (
            OrderedDict()
        )
        self._cache_size = cache_size

    def verify(self, header: str | None, method: str = "GET", path: str = "/") -> Identity:
        """The identity in ``header``, which must be valid now and, when bound (auth binds
        every identity it issues), bound to this request's ``method`` and ``path``: an
        identity taken from one request is no pass for another path or method."""
        if not header:
            raise Unauthorized(
                "This service is reached through the gateway only", error="Authentication required"
            )
        now = time.time()
        cached = self._cache.get(header)
        if cached is not None and cached[0] > now:
            self._check_binding(cached[2], method, path)
            return cached[1]
        if self._key is None:
            raise Unauthorized("Identity verification is not configured", error="Invalid identity")
        try:
            claims = self._claims(header, leeway=CLOCK_SKEW_SECONDS)
            identity = Identity.from_claims(claims)
        except jwt.ExpiredSignatureError as exc:
            if self._genuine(header, leeway=CLOCK_SKEW_SECONDS + QUEUED_GRACE_SECONDS):
                raise retry_shortly("The request waited too long in the platform") from exc
            raise _invalid() from exc
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
            raise _invalid() from exc
        bound = (str(claims["mth"]), str(claims["pth"])) if "mth" in claims else None
        self._check_binding(bound, method, path)
        self._cache[header] = (float(claims["exp"]), identity, bound)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return identity

    def _claims(self, header: str, *, leeway: float) -> dict[str, Any]:
        assert self._key is not None  # verify refuses every identity without a key
        claims: dict[str, Any] = jwt.decode(
            header,
            self._key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=leeway,
            options={"require": ["exp", "iat", "sub"]},
        )
        return claims

    def _genuine(self, header: str, *, leeway: float) -> bool:
        """Whether ``header`` is auth's and valid with ``leeway`` seconds past its expiry."""
        try:
            self._claims(header, leeway=leeway)
        except jwt.PyJWTError:
            return False
        return True

    @staticmethod
    def _check_binding(bound: tuple[str, str] | None, method: str, path: str) -> None:
        if bound is None:
            return
        if bound != (method.upper(), normalise_path(path)):
            raise Unauthorized(
                "The identity presented to this service was issued for another request",
                error="Invalid identity",
            )


def _invalid() -> Unauthorized:
    return Unauthorized(
        "The identity presented to this service is invalid or expired", error="Invalid identity"
    )


async def current_identity(request: Request) -> Identity:
    """FastAPI dependency: the verified caller (401 without a valid identity).

    Async (it does no I/O) so FastAPI calls it inline instead of in its thread pool, a
    thread hand-off per dependency per request that dominated cached responses."""
    cached: Identity | None = getattr(request.state, "identity", None)
    if cached is not None:
        return cached
    verifier: IdentityVerifier = request.app.state.identity_verifier
    # The raw path, decoded once by normalise_path as auth decodes X-Forwarded-Uri.
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else request.url.path
    identity = verifier.verify(request.headers.get(IDENTITY_HEADER), request.method, path)
    request.state.identity = identity
    return identity


def require_scope(scope: str) -> Callable[..., Awaitable[Identity]]:
    """FastAPI dependency: the caller, who must hold ``scope`` (403 with the contract body)."""

    async def dependency(identity: Identity = Depends(current_identity)) -> Identity:
        if not identity.has_scope(scope):
            raise InsufficientScope(scope, identity.scopes)
        return identity

    dependency.__name__ = f"require_{scope.replace(':', '_')}"
    return dependency


async def require_admin(identity: Identity = Depends(current_identity)) -> Identity:
    """FastAPI dependency: a caller acting as admin (``Identity.acts_as_admin``)."""
    if not identity.acts_as_admin:
        raise Forbidden("This endpoint requires an administrator", error="Admin access required")
    return identity


def require_auth_method(*methods: AuthMethod) -> Callable[..., Awaitable[Identity]]:
    """FastAPI dependency: the caller authenticated in one of ``methods`` (legacy routes)."""

    async def dependency(identity: Identity = Depends(current_identity)) -> Identity:
        if identity.auth_method not in methods:
            raise Unauthorized(
                "This endpoint requires a browser session", error="Authentication required"
            )
        return identity

    return dependency
