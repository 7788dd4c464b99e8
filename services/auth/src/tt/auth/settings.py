"""Settings of the auth service (``TT_AUTH_*``, plus the seeds' token settings)."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from tt.common.settings import PlatformSettings


def _alias(name: str) -> AliasChoices:
    # The seeds name these without a prefix; TT_ and TT_AUTH_ spellings work too.
    return AliasChoices(f"TT_AUTH_{name}", f"TT_{name}", name)


class AuthSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="TT_AUTH_", extra="ignore", frozen=True)

    service_name: str = "auth"

    # Ed25519 private key (PEM) that signs X-TT-Identity; its public half is
    # TT_IDENTITY_PUBLIC_KEY, which every service holds.
    identity_private_key: str = ""
    # An identity is bound to one request line and lives a few seconds: taken from a
    # request, it is no pass for another path, method or minute.
    identity_ttl_seconds: int = Field(default=5, ge=2, le=3600)
    # Keys the Redis names of sessions, so a Redis dump holds no usable session id.
    session_secret: str = "change-me"  # noqa: S105 (placeholder, refused outside dev/test)
    public_base_url: str = "http://127.0.0.1:8080"
    session_cookie: str = "tt_session"
    session_idle_seconds: int = Field(default=8 * 3600, ge=60)
    session_max_seconds: int = Field(default=7 * 24 * 3600, ge=60)

    rate_limit_per_minute: int = Field(
        default=100, ge=1, validation_alias=_alias("API_TOKEN_RATE_LIMIT_PER_MINUTE")
    )
    rate_limit_per_hour: int = Field(
        default=1000, ge=1, validation_alias=_alias("API_TOKEN_RATE_LIMIT_PER_HOUR")
    )
    # Every token of one user together (docs/api.md §3's limits are per token; a
    # user minting tokens must not multiply them without bound).
    user_rate_limit_per_minute: int = Field(default=300, ge=1)
    user_rate_limit_per_hour: int = Field(default=3000, ge=1)
    # Live tokens the app login keeps per user: a new login revokes the oldest beyond it.
    app_login_tokens_per_user: int = Field(default=5, ge=1, le=100)
    token_default_expiry_days: int = Field(
        default=90, ge=0, validation_alias=_alias("API_TOKEN_DEFAULT_EXPIRY_DAYS")
    )
    # Sign-in attempts allowed per minute, per username and per client address, counted
    # before the password is checked (a success is refunded), for the browser and the
    # app login together (docs/api.md §1).
    login_attempts_per_minute: int = Field(default=5, ge=1)
    # A failed sign-in is answered no sooner than this after it arrived, so what a
    # failure costs (user lookup, hash) cannot be read from the response time.
    login_failure_floor_seconds: float = Field(default=0.5, ge=0, le=5)
    public_requests_per_minute: int = Field(default=120, ge=1)

    # Verify's in-process caches (tokens, users); Redis epochs and tt.auth.* events
    # invalidate them earlier.
    cache_ttl_seconds: float = Field(default=30.0, gt=0)
    usage_flush_seconds: float = Field(default=5.0, gt=0)

    # argon2id cost (OWASP's minimum profile by default: 19 MiB, 2 passes).
    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_memory_kib: int = Field(default=19456, ge=1024)
    argon2_parallelism: int = Field(default=1, ge=1)

    # A JSON document describing the latest release (GitHub's releases/latest shape or
    # {"version", "release_notes", "published_at", "release_url"}); empty: no check.
    release_feed_url: str = ""
    release_feed_timeout_seconds: float = Field(default=5.0, gt=0)
    release_cache_seconds: int = Field(default=3600, ge=0)

    def secret_fields(self) -> dict[str, str]:
        return {
            "TT_AUTH_IDENTITY_PRIVATE_KEY": self.identity_private_key,
            "TT_AUTH_SESSION_SECRET": self.session_secret,
        }

    @property
    def secure_cookies(self) -> bool:
        """Secure cookies unless the gateway is plain http on loopback (./dev): anywhere
        else a session cookie must never travel in clear text."""
        parts = urlsplit(self.public_base_url)
        if parts.scheme == "https":
            return True
        return (parts.hostname or "") not in ("127.0.0.1", "localhost", "::1")
