"""The productivity service's app factory (``tt.productivity.main:create_app``)."""

from __future__ import annotations

from fastapi import FastAPI

from tt.common.app import create_app as build_app
from tt.common.resources import Resources
from tt.productivity.dashboard.routes import mount_static
from tt.productivity.dashboard.routes import router as dashboard_router
from tt.productivity.forecast.routes import router as forecast_router
from tt.productivity.overview.routes import router as overview_router
from tt.productivity.reports.routes import router as reports_router
from tt.productivity.runtime import Runtime
from tt.productivity.settings import ProductivitySettings
from tt.productivity.stats.routes import router as stats_router
from tt.productivity.suggest.routes import router as suggest_router


def create_app(settings: ProductivitySettings | None = None) -> FastAPI:
    settings = settings or ProductivitySettings()

    async def install_runtime(app: FastAPI, resources: Resources) -> None:
        app.state.runtime = Runtime.open(settings, resources)

    app = build_app(
        settings,
        title="tt productivity",
        routers=[
            stats_router,
            overview_router,
            forecast_router,
            suggest_router,
            reports_router,
            dashboard_router,
        ],
        on_startup=[install_runtime],
    )
    mount_static(app, settings)
    return app
