"""The compose stack's one-shot jobs (``docker-compose.yml``, services ``secrets`` and
``init``), run from the init image, which holds every service's code.

``secrets``: creates this installation's secrets once, one file per value in
``TT_SECRETS_DIR`` (a volume the service containers mount read-only): the PostgreSQL
passwords, the Redis and Kafka passwords (also as the ``redis.conf`` and ``jaas.conf`` the
stores read, each in its own volume: ``REDIS_CONFIG_DIR``, ``KAFKA_CONFIG_DIR``), the
identity key pair, the session secret, the webhook secrets'
encryption key, the admin password and each service's database URL. Nothing secret is
ever written into docker-compose.yml or printed.

``topics`` (the Kubernetes Job): only the topics.

``provision``: the databases and their owner, every service's Alembic migrations, the
Kafka topics of ``deploy/kafka/topics.yaml``, and the admin user with an admin token
(created once). Their password and token are written to ``admin.json`` in the secrets
volume only (readable by its owner alone); the job prints where to read them, never
the values.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import asyncpg

from tt.common.identity import generate_keypair
from tt.common.kafka import ensure_topics
from tt.common.topics import load_catalogue

APP = Path(__file__).resolve().parents[3]
# Every service with a database (its alembic.ini): the image holds every service's folder.
SERVICES = tuple(sorted(p.parent.name for p in (APP / "services").glob("*/alembic.ini")))
ADMIN_USERNAME = os.environ.get("TT_ADMIN_USERNAME", "admin")
T = TypeVar("T")


def secrets_dir() -> Path:
    return Path(os.environ.get("TT_SECRETS_DIR", "/run/secrets/tt"))


def say(message: str) -> None:
    print(f"tt-init: {message}", flush=True)


def database_url(service: str, password: str) -> str:
    host = os.environ.get("TT_DB_HOST", "postgres")
    port = os.environ.get("TT_DB_PORT", "5432")
    return f"postgresql+asyncpg://tt:{password}@{host}:{port}/tt_{service}"


def create_secrets() -> None:
    """Write every missing secret; existing ones are kept (they are this installation's)."""
    folder = secrets_dir()
    folder.mkdir(parents=True, exist_ok=True)
    existing = {p.name for p in folder.iterdir()}
    private, public = generate_keypair()
    db_password = (
        (folder / "TT_DB_PASSWORD").read_text()
        if "TT_DB_PASSWORD" in existing
        else (secrets.token_urlsafe(24))
    )
    values = {
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
        "TT_DB_PASSWORD": db_password,
        "TT_AUTH_IDENTITY_PRIVATE_KEY": private,
        "TT_IDENTITY_PUBLIC_KEY": public,
        "TT_AUTH_SESSION_SECRET": secrets.token_urlsafe(32),
        # Encrypts webhook signing secrets at rest (at least 32 characters).
        "TT_WEBHOOKS_SECRET_KEY": secrets.token_urlsafe(32),
        "TT_ADMIN_PASSWORD": secrets.token_urlsafe(12),
        "TT_REDIS_PASSWORD": secrets.token_urlsafe(24),
        "TT_KAFKA_SASL_PASSWORD": secrets.token_urlsafe(24),
        **{f"TT_{s.upper()}_DATABASE_URL": database_url(s, db_password) for s in SERVICES},
    }
    # The key pair is written together or not at all: half of a new pair is useless.
    if {"TT_AUTH_IDENTITY_PRIVATE_KEY", "TT_IDENTITY_PUBLIC_KEY"} & existing:
        existing |= {"TT_AUTH_IDENTITY_PRIVATE_KEY", "TT_IDENTITY_PUBLIC_KEY"}
    created = []
    for name, value in values.items():
        if name in existing:
            continue
        path = folder / name
        tmp = path.with_suffix(".tmp")
        tmp.write_text(value)
        tmp.chmod(0o400)
        tmp.replace(path)
        created.append(name)
    write_redis_config((folder / "TT_REDIS_PASSWORD").read_text())
    write_kafka_config((folder / "TT_KAFKA_SASL_PASSWORD").read_text())
    say(f"secrets in {folder}: {len(values)} ({len(created)} new)")


def write_redis_config(password: str) -> None:
    """Redis's requirepass, in a file Redis's own user can read (it runs as another user
    than the services and cannot read the secrets volume)."""
    _write_store_config(
        "REDIS_CONFIG_DIR", "/run/secrets/redis", "redis.conf", f"requirepass {password}\n"
    )


def write_kafka_config(password: str) -> None:
    """The broker's SASL/PLAIN users (KAFKA_OPTS points the JVM at this file): the one
    user the services and the broker itself connect as."""
    user = os.environ.get("TT_KAFKA_SASL_USERNAME", "tt")
    jaas = (
        "KafkaServer {\n"
        "  org.apache.kafka.common.security.plain.PlainLoginModule required\n"
        f'  username="{user}" password="{password}" user_{user}="{password}";\n'
        "};\n"
    )
    _write_store_config("KAFKA_CONFIG_DIR", "/run/secrets/kafka", "jaas.conf", jaas)


def _write_store_config(variable: str, default: str, name: str, text: str) -> None:
    folder = Path(os.environ.get(variable, default))
    if not folder.is_dir():
        return  # run outside the init image: no store of ours to configure
    path = folder / name
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.chmod(0o444)
    tmp.replace(path)


def read_secret(name: str) -> str:
    return (secrets_dir() / name).read_text()


async def retry(what: str, attempt: Callable[[], Awaitable[T]], within: float = 120) -> T:
    deadline = time.monotonic() + within
    while True:
        try:
            return await attempt()
        except Exception as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"tt-init: {what} failed: {exc}") from exc
            await asyncio.sleep(1)


async def create_databases() -> None:
    async def connect() -> asyncpg.Connection:
        return await asyncpg.connect(
            host=os.environ.get("TT_DB_HOST", "postgres"),
            port=int(os.environ.get("TT_DB_PORT", "5432")),
            user="postgres",
            password=read_secret("POSTGRES_PASSWORD"),
            database="postgres",
        )

    conn = await retry("connecting to PostgreSQL", connect)
    try:
        password = read_secret("TT_DB_PASSWORD").replace("'", "''")
        if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = 'tt'"):
            await conn.execute(f"CREATE ROLE tt LOGIN PASSWORD '{password}'")
        for service in SERVICES:
            name = f"tt_{service}"
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await conn.execute(f'CREATE DATABASE "{name}" OWNER tt')
    finally:
        await conn.close()


def migrate(service: str) -> None:
    alembic = [sys.executable, "-m", "alembic", "-c", f"services/{service}/alembic.ini"]
    result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [*alembic, "upgrade", "head"],
        cwd=APP,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"tt-init: {service} migrations failed:\n{result.stderr[-2000:]}")


async def create_topics() -> list[str]:
    catalogue = load_catalogue(os.environ.get("TT_TOPICS_FILE", "deploy/kafka/topics.yaml"))
    bootstrap = os.environ.get("TT_KAFKA_BOOTSTRAP", "kafka:9092")
    specs = catalogue.all_specs()
    return await retry("creating Kafka topics", lambda: ensure_topics(bootstrap, specs))


def admin() -> dict[str, object]:
    """The admin user and token: created on the first run, read back afterwards."""
    record = secrets_dir() / "admin.json"
    if record.exists():
        return dict(json.loads(record.read_text()))
    result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "tt.auth.bootstrap",
            "--username",
            ADMIN_USERNAME,
            # One argument: a generated password may begin with "-", which argparse
            # would read as an option if it came on its own.
            f"--password={read_secret('TT_ADMIN_PASSWORD')}",
        ],
        cwd=APP,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"tt-init: creating the admin user failed:\n{result.stderr[-2000:]}")
    doc = dict(json.loads(result.stdout.strip().splitlines()[-1]))
    record.write_text(json.dumps(doc))
    record.chmod(0o400)
    return doc


def provision() -> None:
    started = time.monotonic()
    for name in os.listdir(secrets_dir()):
        if name.startswith("TT_") and name not in os.environ:
            os.environ[name] = read_secret(name)
    asyncio.run(create_databases())
    with ThreadPoolExecutor(len(SERVICES)) as pool:
        list(pool.map(migrate, SERVICES))
    say("databases and migrations ready")
    created = asyncio.run(create_topics())
    say(f"topics ready ({len(created)} created)")
    doc = admin()
    # Never the password or token themselves: job logs are kept and shipped elsewhere.
    say(f"admin user {doc['username']}: password and admin token in {secrets_dir()}/admin.json")
    say(
        "read them with: docker compose run --rm --no-deps --entrypoint cat init "
        f"{secrets_dir()}/admin.json"
    )
    say(f"done in {time.monotonic() - started:.1f}s")


def topics() -> None:
    created = asyncio.run(create_topics())
    say(f"topics ready ({len(created)} created)")


def main() -> None:
    steps = {"secrets": create_secrets, "provision": provision, "topics": topics}
    if len(sys.argv) != 2 or sys.argv[1] not in steps:
        raise SystemExit(f"usage: tt_init.py {{{'|'.join(steps)}}}")
    steps[sys.argv[1]]()


if __name__ == "__main__":
    main()
