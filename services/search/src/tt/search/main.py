"""The search service's app factory (``uvicorn tt.search.main:create_app --factory``)."""

from __future__ import annotations

from fastapi import FastAPI

from tt.common.app import create_app as build_app
from tt.search.queries import routes as queries
from tt.search.settings import SearchSettings
from tt.search.status import routes as status


def create_app(settings: SearchSettings | None = None) -> FastAPI:
    return build_app(
        settings or SearchSettings(), title="tt search", routers=[queries.router, status.router]
    )
