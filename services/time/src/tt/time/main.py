"""The time service's app factory (``uvicorn tt.time.main:create_app --factory``)."""

from __future__ import annotations

from fastapi import FastAPI

from tt.common.app import create_app as build_app
from tt.time.settings import TimeSettings


def create_app(settings: TimeSettings | None = None) -> FastAPI:
    return build_app(settings or TimeSettings(), title="tt time", routers=[])
