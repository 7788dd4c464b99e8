"""Where everything of a running platform answers, as ``platform.json`` lists it for the
tests, the benchmarks and ``./dev up``'s summary."""

from __future__ import annotations

from typing import Any

from tt.devenv.layout import Layout
from tt.devenv.secrets_file import secrets_path
from tt.devenv.services import SERVICES


def platform_addresses(
    layout: Layout, secrets: dict[str, str], replicas: dict[str, int], workers: dict[str, int]
) -> dict[str, Any]:
    """The gateway, the infrastructure, every replica's public and internal address and
    every worker's metrics address, for these replicas and workers per service."""
    postgres = layout.ports["postgres"]
    return {
        "gateway_url": layout.gateway_url,
        "kafka_bootstrap": layout.kafka_bootstrap,
        "redis_url": layout.redis_url,
        "postgres": {
            "host": "127.0.0.1",
            "port": postgres,
            "dsn": {
                s.name: f"postgresql://tt:{secrets['db_password']}@127.0.0.1:"
                f"{postgres}/{s.database}"
                for s in SERVICES
            },
        },
        "services": {
            s.name: [
                f"http://127.0.0.1:{layout.port(s.name, i)}" for i in range(replicas.get(s.name, 1))
            ]
            for s in SERVICES
        },
        # Verify, /metrics, /docs and /openapi.json answer on these only.
        "internal": {
            s.name: [
                f"http://127.0.0.1:{layout.internal_port(s.name, i)}"
                for i in range(replicas.get(s.name, 1))
            ]
            for s in SERVICES
        },
        "worker_metrics": {
            s.name: [
                f"http://127.0.0.1:{layout.worker_metrics_port(s.name, i)}"
                for i in range(workers.get(s.name, 0))
            ]
            for s in SERVICES
        },
        "secrets_file": str(secrets_path(layout)),
        "logs": str(layout.logs),
    }
