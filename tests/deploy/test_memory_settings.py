"""The compose stack runs Kafka and PostgreSQL with the same small-machine memory settings
as ./dev (the whole platform within 1.5 GB). No Docker needed."""

from __future__ import annotations

import shlex
from typing import Any

import pytest
import yaml

from support.k8s import REPO
from tt.devenv.infra import KAFKA_JVM, KAFKA_SMALL_NODE, POSTGRES_MEMORY


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"])


def kafka_env_name(prop: str) -> str:
    """The KAFKA_* variable the images turn into ``prop`` (``.`` -> ``_``, ``_`` -> ``__``)."""
    return "KAFKA_" + prop.replace("_", "__").replace(".", "_").upper()


def test_postgres_gets_the_same_memory_settings(compose: dict[str, Any]) -> None:
    command = compose["postgres"]["command"]
    settings = dict(arg.split("=", 1) for arg in command if "=" in arg)
    assert settings == POSTGRES_MEMORY


def test_kafka_gets_the_same_broker_settings(compose: dict[str, Any]) -> None:
    env = compose["kafka"]["environment"]
    for line in KAFKA_SMALL_NODE:
        prop, value = line.split("=", 1)
        assert str(env.get(kafka_env_name(prop))) == value, prop


def test_kafka_gets_the_same_jvm_flags(compose: dict[str, Any]) -> None:
    env = compose["kafka"]["environment"]
    compose_flags = shlex.split(env["KAFKA_HEAP_OPTS"]) + shlex.split(
        env["KAFKA_JVM_PERFORMANCE_OPTS"]
    )
    # Logging and headless flags are set by the image's own start script.
    wanted = [f for f in KAFKA_JVM if f.startswith(("-X", "-Djdk."))]
    assert sorted(compose_flags) == sorted(wanted)


def test_stand_in_kafka_image_defaults_to_the_same_heap() -> None:
    script = (REPO / "deploy" / "docker" / "kafka" / "run.sh").read_text()
    heap = " ".join(f for f in KAFKA_JVM if f.startswith(("-Xms", "-Xmx")))
    assert f"${{KAFKA_HEAP_OPTS:-{heap}}}" in script
