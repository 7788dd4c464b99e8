"""The auth service's app factory (``uvicorn tt.auth.main:create_app --factory``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from tt.auth.context import start_context, stop_context
from tt.auth.pages.routes import router as pages
from tt.auth.releases.routes import router as releases
from tt.auth.sessions.routes import router as sessions
from tt.auth.settings import AuthSettings
from tt.auth.system.routes import router as system
from tt.auth.timetrack.routes import router as timetrack
from tt.auth.tokens.routes import router as tokens
from tt.auth.users.routes import router as users
from tt.auth.verify.routes import router as verify
from tt.common.app import create_app as build_app

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: AuthSettings | None = None) -> FastAPI:
    app = build_app(
        settings or AuthSettings(),
        title="tt auth",
        routers=[verify, system, sessions, users, tokens, timetrack, releases, pages],
        on_startup=[start_context],
        on_shutdown=[stop_context],
    )
    app.mount("/static/auth", StaticFiles(directory=STATIC), name="auth-static")
    return app
