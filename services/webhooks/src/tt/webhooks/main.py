"""The webhooks service's app factory (``uvicorn tt.webhooks.main:create_app --factory``)."""

from __future__ import annotations

from fastapi import FastAPI

from tt.common.app import create_app as build_app
from tt.webhooks.settings import WebhooksSettings


def create_app(settings: WebhooksSettings | None = None) -> FastAPI:
    return build_app(settings or WebhooksSettings(), title="tt webhooks", routers=[])
