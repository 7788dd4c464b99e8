"""The productivity service's app factory (``tt.productivity.main:create_app``)."""

from __future__ import annotations

from fastapi import FastAPI

from tt.common.app import create_app as build_app
from tt.productivity.settings import ProductivitySettings


def create_app(settings: ProductivitySettings | None = None) -> FastAPI:
    return build_app(settings or ProductivitySettings(), title="tt productivity", routers=[])
