"""The webhooks service's app factory (``uvicorn tt.webhooks.main:create_app --factory``)."""

from __future__ import annotations

from fastapi import FastAPI

from tt.common.app import create_app as build_app
from tt.common.idempotency import IdempotencyStore
from tt.common.resources import Resources
from tt.webhooks.admin.routes import router as admin_router
from tt.webhooks.runtime import Runtime
from tt.webhooks.settings import WebhooksSettings
from tt.webhooks.subscriptions.routes import router as webhooks_router


def create_app(settings: WebhooksSettings | None = None) -> FastAPI:
    settings = settings or WebhooksSettings()
    rt = Runtime.from_settings(settings)

    async def install_runtime(app: FastAPI, resources: Resources) -> None:
        app.state.runtime = rt
        # A create's answer shows the secret once: its replay is kept encrypted at rest.
        app.state.idempotency = IdempotencyStore(
            resources.redis, settings, seal=rt.box.seal_bytes, unseal=rt.box.open_bytes
        )

    return build_app(
        settings,
        title="tt webhooks",
        routers=[webhooks_router, admin_router],
        on_startup=[install_runtime],
    )
