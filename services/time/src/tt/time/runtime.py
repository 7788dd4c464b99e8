"""The time service's composition root: what a process builds once at start-up and its
routes share, reached through the ``runtime`` dependency."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI, Request

from tt.common.idempotency import IdempotencyStore
from tt.common.resources import Resources
from tt.time.publishers import Publisher
from tt.time.settings import TimeSettings


@dataclass(frozen=True)
class Runtime:
    idempotency: IdempotencyStore
    publisher: Publisher

    @classmethod
    def build(cls, resources: Resources, settings: TimeSettings) -> Runtime:
        return cls(
            idempotency=IdempotencyStore(resources.redis, settings),
            publisher=Publisher(resources.outbox),
        )


async def install_runtime(app: FastAPI, resources: Resources) -> None:
    """``on_startup`` hook: build the runtime and put it on ``app.state.runtime``."""
    settings = app.state.settings
    assert isinstance(settings, TimeSettings)
    built = Runtime.build(resources, settings)
    app.state.runtime = built
    # tt.common.idempotency.run_create, which webhooks shares, finds the store here.
    app.state.idempotency = built.idempotency


def runtime(request: Request) -> Runtime:
    """FastAPI dependency: the process's runtime."""
    value: Runtime = request.app.state.runtime
    return value
