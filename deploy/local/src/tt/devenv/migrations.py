"""One service's Alembic migrations (``upgrade head``), run against its local database."""

from __future__ import annotations

import sys

from tt.devenv.layout import REPO, Layout
from tt.devenv.procs import run
from tt.devenv.services import ServiceSpec, service_env


def migrate(layout: Layout, spec: ServiceSpec, secrets: dict[str, str]) -> None:
    """Bring ``spec``'s database to its newest migration."""
    run(
        [
            sys.executable,
            "-m",
            "alembic",
            "-c",
            str(REPO / "services" / spec.name / "alembic.ini"),
            "upgrade",
            "head",
        ],
        what=f"{spec.name} migrations",
        env=service_env(layout, spec, secrets),
        cwd=REPO,
        timeout=300,
    )
