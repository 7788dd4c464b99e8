"""The platform under test, as ``./dev test`` (or the session fixture) describes it."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any


@dataclass
class PlatformInfo:
    """Addresses and secrets of the running test platform (``platform.json``)."""

    doc: dict[str, Any]
    path: Path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> PlatformInfo:
        p = Path(path)
        return cls(json.loads(p.read_text()), p)

    def reload(self) -> None:
        self.doc = json.loads(self.path.read_text())
        self.__dict__.pop("secrets", None)

    @property
    def gateway_url(self) -> str:
        return str(self.doc["gateway_url"])

    @property
    def kafka_bootstrap(self) -> str:
        return str(self.doc["kafka_bootstrap"])

    @property
    def redis_url(self) -> str:
        return str(self.doc["redis_url"])

    def service_url(self, name: str, replica: int = 0) -> str:
        return str(self.doc["services"][name][replica])

    def internal_url(self, name: str, replica: int = 0) -> str:
        """The replica's internal port: verify, /metrics, /docs and /openapi.json."""
        return str(self.doc["internal"][name][replica])

    def dsn(self, service: str) -> str:
        return str(self.doc["postgres"]["dsn"][service])

    @cached_property
    def secrets(self) -> dict[str, str]:
        return dict(json.loads(Path(self.doc["secrets_file"]).read_text()))

    @property
    def admin_token(self) -> str:
        return str(self.doc["admin"]["token"])

    @property
    def admin_credentials(self) -> tuple[str, str]:
        admin = self.doc["admin"]
        return str(admin["username"]), str(admin["password"])
