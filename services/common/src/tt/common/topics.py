"""The topic catalogue, read from ``deploy/kafka/topics.yaml`` (the only place names live)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DLQ_SUFFIX = ".dlq"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    entity: str
    partitions: int
    replication_factor: int
    config: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalogue:
    topics: tuple[TopicSpec, ...]
    dlq_partitions: int
    dlq_config: dict[str, str]

    def for_entity(self, entity: str) -> TopicSpec:
        """The topic that carries ``entity`` events (``time_entry`` -> ``tt.time.entries``)."""
        for spec in self.topics:
            if spec.entity == entity:
                return spec
        raise KeyError(f"no topic carries entity {entity!r}")

    def named(self, name: str) -> TopicSpec:
        for spec in self.topics:
            if spec.name == name:
                return spec
        raise KeyError(f"unknown topic {name!r}")

    def all_specs(self) -> list[TopicSpec]:
        """Every topic including the dead-letter topics, as they must exist on the broker."""
        dlqs = [
            TopicSpec(
                dlq_name(t.name),
                t.entity,
                self.dlq_partitions,
                t.replication_factor,
                dict(self.dlq_config),
            )
            for t in self.topics
        ]
        return [*self.topics, *dlqs]


def dlq_name(topic: str) -> str:
    return topic + DLQ_SUFFIX


def _find(path: str) -> Path:
    candidate = Path(path)
    if candidate.is_absolute() or candidate.exists():
        return candidate
    # Relative to the repository root when run from a sub-folder (tests, tools).
    for parent in Path(__file__).resolve().parents:
        if (parent / path).exists():
            return parent / path
    raise FileNotFoundError(f"topics file {path} not found")


@cache
def load_catalogue(path: str) -> Catalogue:
    """Parse the topics file once per process."""
    doc: dict[str, Any] = yaml.safe_load(_find(path).read_text())
    defaults = doc.get("defaults", {})
    dlq = doc.get("dlq", {})
    specs = []
    for name, spec in doc["topics"].items():
        config = {**defaults.get("config", {}), **spec.get("config", {})}
        specs.append(
            TopicSpec(
                name=name,
                entity=spec["entity"],
                partitions=int(spec.get("partitions", defaults.get("partitions", 1))),
                replication_factor=int(
                    spec.get("replication_factor", defaults.get("replication_factor", 1))
                ),
                config={k: str(v) for k, v in config.items()},
            )
        )
    return Catalogue(
        tuple(specs),
        int(dlq.get("partitions", 1)),
        {k: str(v) for k, v in dlq.get("config", {}).items()},
    )
