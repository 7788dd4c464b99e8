"""Settings shared by every service.

Shared infrastructure settings are read from ``TT_*`` variables (``TT_REDIS_URL``); a
service's own settings subclass sets ``env_prefix = "TT_<NAME>_"`` for its own fields
(``TT_TIME_DATABASE_URL``). Placeholder secrets are refused outside dev and test.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["dev", "test", "prod"]

# Values that must never reach production: the defaults below and the usual placeholders.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev-secret", "test"})

PlanCacheMode = Literal["auto", "force_custom_plan", "force_generic_plan"]


class PlatformSettings(BaseSettings):
    """Infrastructure every service shares, plus the fields each service re-scopes."""

    model_config = SettingsConfigDict(env_prefix="TT_", extra="ignore", frozen=True)

    env: Environment = Field(default="prod", validation_alias="TT_ENV")
    service_name: str = "tt"
    version: str = Field(default="0.1.0", validation_alias="TT_VERSION")

    # Per service (read with the service's prefix, e.g. TT_TIME_DATABASE_URL).
    database_url: str = "postgresql+asyncpg://tt@127.0.0.1:5432/tt"
    # Up to 20 connections per process, all kept: SQLAlchemy closes an overflow
    # connection as soon as it is checked in, so a burst past the kept ones opened (a
    # backend fork, SCRAM on both sides, every statement prepared again) and closed
    # connections as fast as requests came, on the CPU the burst was already short of.
    # Kept connections a burst leaves unused go after db_idle_session_timeout_seconds.
    db_pool_size: int = 20
    db_max_overflow: int = 0
    # How long a request waits for a pooled connection before it is answered 503 with
    # Retry-After. Past a few seconds its client has given up (the reference apps wait
    # 10 s) and its identity has expired; waiting longer only does work nobody will read,
    # on a service that is already saturated (the fault drill saw requests wait 30 s,
    # SQLAlchemy's default, while their clients' retries queued behind them).
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    # A worker (relay, consumers, webhook deliveries) and the PostgreSQL backends that
    # serve it run at this lower CPU priority (``nice``, ``tt.common.priority``), so a
    # backlog's drain takes the CPU requests leave idle instead of making requests wait:
    # on two cores the drain after a minute-long broker outage made requests time out
    # while it ran. 0 keeps the default priority.
    worker_niceness: int = Field(default=10, ge=0, le=19)
    # PostgreSQL ends a pooled connection left idle this long (0: never). The pool hands
    # out its most recently used connections first, so after a burst the ones it no
    # longer needs sit idle and go, with their backend's memory (~5 MB each).
    db_idle_session_timeout_seconds: int = 60
    # PostgreSQL's plan_cache_mode for the service's connections ("auto", or
    # "force_custom_plan" where a cached generic plan can be far worse than a fresh one).
    db_plan_cache_mode: PlanCacheMode = "auto"

    redis_url: str = Field(default="redis://127.0.0.1:6379/0", validation_alias="TT_REDIS_URL")
    # Redis's password (requirepass, or an ACL user's with the user in the URL), kept out
    # of the URL so that it can come from a secret; a password in the URL wins.
    redis_password: str = Field(default="", validation_alias="TT_REDIS_PASSWORD")
    kafka_bootstrap: str = Field(default="127.0.0.1:9092", validation_alias="TT_KAFKA_BOOTSTRAP")
    topics_file: str = Field(default="deploy/kafka/topics.yaml", validation_alias="TT_TOPICS_FILE")

    # Ed25519 public key (PEM) of auth, used to verify X-TT-Identity.
    identity_public_key: str = Field(default="", validation_alias="TT_IDENTITY_PUBLIC_KEY")

    otel_exporter_endpoint: str = Field(
        default="", validation_alias="TT_OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    otel_instrument: bool = Field(default=True, validation_alias="TT_OTEL_INSTRUMENT")
    log_level: str = Field(default="INFO", validation_alias="TT_LOG_LEVEL")
    max_body_bytes: int = Field(default=1_048_576, validation_alias="TT_MAX_BODY_BYTES")
    # Proxies whose X-Forwarded-For hops are believed (tt.common.forwarded): the gateway's
    # addresses, and any load balancer in front of it. Loopback by default (./dev).
    trusted_proxies: str = Field(
        default="127.0.0.0/8,::1/128", validation_alias="TT_TRUSTED_PROXIES"
    )
    # Worker processes serve /metrics and /healthz on this port when it is set, on this
    # address: loopback unless told otherwise (Kubernetes: the pod network, for probes).
    metrics_port: int | None = Field(default=None, validation_alias="TT_METRICS_PORT")
    metrics_host: str = Field(default="127.0.0.1", validation_alias="TT_METRICS_HOST")
    # Failed publishes of one outbox row before it is parked (outbox_parked).
    outbox_max_attempts: int = Field(default=5, ge=1, validation_alias="TT_OUTBOX_MAX_ATTEMPTS")

    # Per service. Idempotency-Key records (docs/api.md §5, tt.common.idempotency):
    # kept 24 h; an in-flight marker expires sooner so a crashed request does not block its
    # retries for a day. After Redis fails, requests skip it for a while (PostgreSQL alone
    # still guarantees one create per key), so an outage costs one timeout, not one each.
    idempotency_ttl_seconds: int = 86_400
    # Redis keeps an answer this long for fast replays (a client retries within seconds
    # or minutes); PostgreSQL keeps it the full ``idempotency_ttl_seconds`` and replays it
    # after. Kept 24 h in Redis, at 60 creates/s the answers grew Redis by ~1 GB an hour
    # and each of its snapshots cost 2 s of a CPU.
    idempotency_cache_seconds: int = Field(default=600, gt=0)
    idempotency_inflight_seconds: int = 60
    redis_retry_after_seconds: float = 5.0

    def secret_fields(self) -> dict[str, str]:
        """Secrets this settings class holds; subclasses add their own."""
        return {}

    @property
    def is_production(self) -> bool:
        return self.env == "prod"

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> PlatformSettings:
        if self.env in ("dev", "test"):
            return self
        weak = [
            name
            for name, value in self.secret_fields().items()
            if value.strip().lower() in PLACEHOLDER_SECRETS
        ]
        if not self.identity_public_key:
            weak.append("TT_IDENTITY_PUBLIC_KEY")
        if self.redis_password.strip().lower() in PLACEHOLDER_SECRETS - {""}:
            weak.append("TT_REDIS_PASSWORD")
        if weak:
            raise ValueError(
                "refusing to start outside dev/test with placeholder secrets: " + ", ".join(weak)
            )
        return self


class KafkaAuthSettings(BaseSettings):
    """How Kafka clients authenticate: SASL (PLAIN or SCRAM) when a user name is set, as
    in docker-compose.yml and Kubernetes; nothing when it is not (./dev's broker listens
    on loopback only). ``SASL_SSL`` where the network to the brokers is not trusted."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    security_protocol: Literal["SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="SASL_PLAINTEXT", validation_alias="TT_KAFKA_SECURITY_PROTOCOL"
    )
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        default="PLAIN", validation_alias="TT_KAFKA_SASL_MECHANISM"
    )
    sasl_username: str = Field(default="", validation_alias="TT_KAFKA_SASL_USERNAME")
    sasl_password: str = Field(default="", validation_alias="TT_KAFKA_SASL_PASSWORD")
