"""``platform.json``: the description of one platform, read by ``./dev``, the tests and
the benchmarks. It says where the platform lives (profile, base port, ports, state folder),
what it runs (API replicas and workers per service, the trace backend) and, once it is up,
where everything answers and the admin user's token."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tt.devenv.layout import Layout
from tt.devenv.services import SERVICES


def layout_from_file(path: str | Path) -> Layout:
    """The layout a platform file was written for (how tests find the platform they run on)."""
    doc = json.loads(Path(path).read_text())
    return Layout(
        profile=doc["profile"], base=doc["base"], state=Path(doc["state"]), ports=doc["ports"]
    )


@dataclass(frozen=True)
class PlatformFile:
    """The description of the platform at ``layout``. Read afresh on every call: another
    ``./dev`` command (``scale``) may have changed it since."""

    layout: Layout

    def read(self) -> dict[str, Any]:
        """The whole description; empty before the platform was first started."""
        path = self.layout.platform_file
        if path.exists():
            return dict(json.loads(path.read_text()))
        return {}

    def write(self, desc: dict[str, Any]) -> None:
        """Stamp ``desc`` with the layout (what :func:`layout_from_file` reads back) and
        replace the file with it at once, so a reader never sees half of it."""
        desc.update(
            {
                "profile": self.layout.profile,
                "base": self.layout.base,
                "state": str(self.layout.state),
                "ports": self.layout.ports,
            }
        )
        tmp = self.layout.platform_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(desc, indent=2))
        tmp.replace(self.layout.platform_file)

    def replicas(self) -> dict[str, int]:
        """API replicas per service (one each until scaled)."""
        return dict(self.read().get("replicas") or {s.name: 1 for s in SERVICES})

    def workers(self) -> dict[str, int]:
        """Workers per service that has one (one each until scaled)."""
        return dict(self.read().get("workers") or {s.name: 1 for s in SERVICES if s.has_worker})

    def otel_endpoint(self) -> str | None:
        """The trace backend the processes export to, if the platform runs one."""
        value = self.read().get("otel_endpoint")
        return str(value) if value else None
