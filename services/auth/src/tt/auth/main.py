"""The auth service's app factory (``uvicorn tt.auth.main:create_app --factory``)."""

from __future__ import annotations

from fastapi import FastAPI

from tt.auth.settings import AuthSettings
from tt.common.app import create_app as build_app


def create_app(settings: AuthSettings | None = None) -> FastAPI:
    return build_app(settings or AuthSettings(), title="tt auth", routers=[])
