"""The auth service's app factory (``uvicorn tt.auth.main:create_app --factory``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from tt.auth.docs.routes import SWAGGER
from tt.auth.docs.routes import router as docs
from tt.auth.pages.routes import router as pages
from tt.auth.releases.routes import router as releases
from tt.auth.runtime import start_runtime, stop_runtime
from tt.auth.sessions.routes import router as sessions
from tt.auth.settings import AuthSettings
from tt.auth.system.routes import router as system
from tt.auth.timetrack.routes import router as timetrack
from tt.auth.tokens.routes import router as tokens
from tt.auth.users.routes import router as users
from tt.auth.verify.endpoint import VerifyEndpoint
from tt.common.app import create_app as build_app

STATIC = Path(__file__).resolve().parent / "static"


def create_api(settings: AuthSettings) -> FastAPI:
    """Every route but verify: the FastAPI app."""
    app = build_app(
        settings,
        title="tt auth",
        routers=[system, sessions, users, tokens, timetrack, releases, pages, docs],
        on_startup=[start_runtime],
        on_shutdown=[stop_runtime],
    )
    # Mounted before /static/auth, which would otherwise shadow it.
    app.mount(SWAGGER, StaticFiles(directory=swagger_ui_path), name="swagger-ui")
    app.mount("/static/auth", StaticFiles(directory=STATIC), name="auth-static")
    return app


def create_app(settings: AuthSettings | None = None) -> VerifyEndpoint:
    """The whole service: ``/internal/verify`` in front of the FastAPI app."""
    settings = settings or AuthSettings()
    return VerifyEndpoint(create_api(settings), traced=bool(settings.otel_exporter_endpoint))
