"""Run a service's read-model rebuild (``python -m tt.<service>.worker --reindex``, what
``./dev reindex <service>`` runs) against the test platform."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from support.platform import PlatformInfo


def start_reindex(platform: PlatformInfo, service: str) -> subprocess.Popen[str]:
    from tt.devenv.services import BY_NAME

    prefix = f"TT_{service.upper()}_"
    env = {
        **os.environ,
        "TT_ENV": "test",
        prefix + "DATABASE_URL": platform.dsn(service).replace(
            "postgresql://", "postgresql+asyncpg://", 1
        ),
        "TT_KAFKA_BOOTSTRAP": platform.kafka_bootstrap,
        "TT_REDIS_URL": f"{platform.redis_url}/{BY_NAME[service].redis_db}",
        "TT_TOPICS_FILE": "deploy/kafka/topics.yaml",
        "TT_OTEL_INSTRUMENT": "false",
    }
    return subprocess.Popen(
        [sys.executable, "-m", f"tt.{service}.worker", "--reindex"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen[str]) -> dict[str, Any]:
    """The rebuild's summary (the JSON line it prints last), once it exited 0."""
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err
    summary: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return summary
