"""Settings of the webhooks service (``TT_WEBHOOKS_*``)."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from tt.common.settings import PlatformSettings

DEV_SECRET_KEY = "dev-secret"  # noqa: S105 (a placeholder, refused outside dev/test)


class WebhooksSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="TT_WEBHOOKS_", extra="ignore", frozen=True)

    service_name: str = "webhooks"

    # Targets. Production refuses plain http and private/loopback/link-local addresses;
    # local platforms (./dev) allow http and loopback only, so tests can use receivers on
    # 127.0.0.1 (docs/api.md §8) while private and link-local targets stay refused.
    allow_http: bool = False
    allow_private_targets: bool = False  # private, shared, link-local and loopback
    allow_loopback_targets: bool = False

    # Webhook secrets must be recoverable to sign, so they are encrypted at rest (Fernet)
    # with keys derived from these values: the first encrypts, every one decrypts (so the
    # key can be rotated by prepending a new one). Comma-separated.
    secret_key: str = DEV_SECRET_KEY
    # How long the previous secret keeps signing after a rotation (both signatures sent).
    secret_grace_seconds: int = Field(default=86_400, ge=0, le=7 * 86_400)

    # Delivery.
    timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    retry_base_seconds: float = Field(default=5.0, gt=0)
    retry_max_delay_seconds: float = Field(default=3_600.0, gt=0)
    retry_window_seconds: float = Field(default=86_400.0, gt=0)
    max_in_flight: int = Field(default=64, ge=1, le=1_000)
    max_in_flight_per_subscription: int = Field(default=8, ge=1, le=100)
    # One owner's subscriptions together: half of max_in_flight, so one user (100
    # subscriptions to slow receivers) cannot hold every sending slot of a worker, while
    # one slow subscription (8 slots) still leaves the owner's others room to send.
    max_in_flight_per_owner: int = Field(default=32, ge=1, le=1_000)
    poll_interval_seconds: float = Field(default=1.0, gt=0, le=60)
    # Delivered deliveries (and their attempts) are kept this long, then purged.
    retention_days: int = Field(default=30, ge=1)

    # Subscription limits (bad input is a 400, never a huge row).
    max_subscriptions_per_user: int = Field(default=100, ge=1)

    def secret_fields(self) -> dict[str, str]:
        return {"TT_WEBHOOKS_SECRET_KEY": self.secret_key}

    @property
    def secret_keys(self) -> list[str]:
        return [k.strip() for k in self.secret_key.split(",") if k.strip()]

    @model_validator(mode="after")
    def _refuse_weak_encryption_keys(self) -> WebhooksSettings:
        if self.env in ("dev", "test"):
            return self
        if not self.secret_keys or any(len(k) < 32 for k in self.secret_keys):
            raise ValueError(
                "TT_WEBHOOKS_SECRET_KEY must hold keys of at least 32 characters outside dev/test"
            )
        return self
