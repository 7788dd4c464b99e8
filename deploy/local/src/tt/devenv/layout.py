"""Where a local platform lives: its profile, ports and folders.

Two profiles: ``up`` (the developer's platform, kept between runs) and ``test`` (a
throw-away platform on other ports); a third, ``fast``, is the fast test tier's PostgreSQL
alone (``tt.devenv.scratch``), on its own offset. Every port is ``base + offset``, so a
second test platform can run beside the first with another ``TT_PORT_BASE``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[5]
STATE_ROOT = REPO / ".tt"
CACHE = STATE_ROOT / "cache"
TOOLS = STATE_ROOT / "tools"

KAFKA_VERSION = "4.4.0"
SLF4J_VERSION = "1.7.36"

# Offsets from the profile's base port. Service replicas take offset, offset+1, ...
OFFSETS = {
    "gateway": 80,
    "gateway-admin": 81,
    "gateway-verify": 82,
    "postgres": 432,
    # The fast test tier's PostgreSQL alone (tt.devenv.scratch): beside a platform on the
    # same base.
    "postgres-fast": 433,
    "redis": 379,
    "kafka": 92,
    "kafka-controller": 93,
    "otel-collector": 318,
    "auth": 10,
    "time": 20,
    "productivity": 30,
    "search": 40,
    "webhooks": 50,
}
# Each service has ten ports from its offset: API replicas on the first five, its workers'
# metrics and liveness endpoints on the next five.
MAX_REPLICAS = 5
# An API replica's internal port (verify, /metrics, /docs: tt.common.serve) is its public
# port plus this.
INTERNAL_OFFSET = 100

DEFAULT_BASES = {"up": 8000, "test": 18000, "fast": 28000}


@dataclass(frozen=True)
class Layout:
    """Ports and folders of one platform instance."""

    profile: str
    base: int
    state: Path
    ports: dict[str, int] = field(default_factory=dict)

    @classmethod
    def for_profile(cls, profile: str, state: Path | None = None) -> Layout:
        base = int(os.environ.get("TT_PORT_BASE", DEFAULT_BASES[profile]))
        if state is None:
            state = Path(os.environ.get("TT_STATE_DIR", STATE_ROOT / profile))
        ports = {name: base + offset for name, offset in OFFSETS.items()}
        return cls(profile=profile, base=base, state=state.resolve(), ports=ports)

    def port(self, name: str, replica: int = 0) -> int:
        if replica >= MAX_REPLICAS:
            raise ValueError(f"at most {MAX_REPLICAS} replicas of {name}")
        return self.ports[name] + replica

    def internal_port(self, service: str, replica: int = 0) -> int:
        """The internal port of API replica ``replica`` of ``service``."""
        return self.port(service, replica) + INTERNAL_OFFSET

    def worker_metrics_port(self, service: str, replica: int = 0) -> int:
        """Where worker ``replica`` of ``service`` serves /metrics and /healthz."""
        return self.port(service, replica) + MAX_REPLICAS

    @property
    def logs(self) -> Path:
        return self.state / "logs"

    @property
    def pids(self) -> Path:
        return self.state / "pids"

    @property
    def platform_file(self) -> Path:
        return self.state / "platform.json"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.ports['kafka']}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.ports['redis']}"
