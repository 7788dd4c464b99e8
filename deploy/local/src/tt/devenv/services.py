"""The services the platform runs, and the environment each process gets."""

from __future__ import annotations

from dataclasses import dataclass, field

from tt.devenv.layout import REPO, Layout


@dataclass(frozen=True)
class ServiceSpec:
    """One service: its API process (uvicorn) and, if it has one, its worker process."""

    name: str
    redis_db: int
    has_worker: bool = True
    # Extra settings for local platforms (dev and test), never production defaults.
    local_env: dict[str, str] = field(default_factory=dict)
    # Extra settings for test platforms only (short timings that keep the suite fast).
    test_env: dict[str, str] = field(default_factory=dict)

    @property
    def database(self) -> str:
        return f"tt_{self.name}"

    @property
    def env_prefix(self) -> str:
        return f"TT_{self.name.upper()}_"


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "auth",
        redis_db=0,
        # Cheap password hashing (every test user gets one; production keeps OWASP's
        # argon2id profile) and token usage written every second.
        test_env={
            "TT_AUTH_ARGON2_TIME_COST": "1",
            "TT_AUTH_ARGON2_MEMORY_KIB": "1024",
            "TT_AUTH_USAGE_FLUSH_SECONDS": "1",
        },
    ),
    ServiceSpec("time", redis_db=1),
    ServiceSpec("productivity", redis_db=2),
    ServiceSpec("search", redis_db=3),
    ServiceSpec(
        "webhooks",
        redis_db=4,
        # Receivers on 127.0.0.1; private and link-local targets stay refused (docs/api.md §8).
        local_env={"TT_WEBHOOKS_ALLOW_LOOPBACK_TARGETS": "true", "TT_WEBHOOKS_ALLOW_HTTP": "true"},
        # Retries in tenths of seconds instead of minutes, so retry tests take seconds.
        test_env={
            "TT_WEBHOOKS_RETRY_BASE_SECONDS": "0.05",
            "TT_WEBHOOKS_RETRY_MAX_DELAY_SECONDS": "0.5",
            "TT_WEBHOOKS_TIMEOUT_SECONDS": "2",
            "TT_WEBHOOKS_POLL_INTERVAL_SECONDS": "0.2",
        },
    ),
)

BY_NAME = {s.name: s for s in SERVICES}


def service_env(
    layout: Layout, spec: ServiceSpec, secrets: dict[str, str], otel_endpoint: str | None = None
) -> dict[str, str]:
    """Every variable one service process needs on a local platform."""
    p = spec.env_prefix
    env = {
        "TT_ENV": "test" if layout.profile == "test" else "dev",
        "TT_REDIS_URL": f"{layout.redis_url}/{spec.redis_db}",
        "TT_KAFKA_BOOTSTRAP": layout.kafka_bootstrap,
        "TT_TOPICS_FILE": str(REPO / "deploy" / "kafka" / "topics.yaml"),
        "TT_IDENTITY_PUBLIC_KEY": secrets["identity_public_key"],
        "TT_OTEL_EXPORTER_OTLP_ENDPOINT": otel_endpoint or "",
        f"{p}DATABASE_URL": (
            f"postgresql+asyncpg://tt:{secrets['db_password']}@127.0.0.1:"
            f"{layout.ports['postgres']}/{spec.database}"
        ),
        "PYTHONUNBUFFERED": "1",
        **spec.local_env,
        **(spec.test_env if layout.profile == "test" else {}),
    }
    if spec.name == "auth":
        env["TT_AUTH_IDENTITY_PRIVATE_KEY"] = secrets["identity_private_key"]
        env["TT_AUTH_SESSION_SECRET"] = secrets["session_secret"]
        env["TT_AUTH_PUBLIC_BASE_URL"] = layout.gateway_url
    return env
