"""The time service's app factory (``uvicorn tt.time.main:create_app --factory``)."""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI, Request
from sqlalchemy import exc as sa_exc

from tt.common.app import create_app as build_app
from tt.common.errors import Conflict, error_response
from tt.common.responses import JSONResponse
from tt.time.approvals.routes import entry_router as entry_approvals
from tt.time.approvals.routes import router as approvals
from tt.time.bulk.routes import router as bulk
from tt.time.clients.routes import router as clients
from tt.time.contacts.routes import router as contacts
from tt.time.crm.routes import deals, leads
from tt.time.entries.routes import router as entries
from tt.time.exports.routes import router as exports
from tt.time.imports.routes import jobs_router as imports
from tt.time.imports.routes import router as import_csv
from tt.time.imports.upload import body_limit
from tt.time.inventory.routes import router as inventory
from tt.time.inventory.stock_routes import router as stock
from tt.time.projects.routes import router as projects
from tt.time.runtime import install_runtime
from tt.time.settings import TimeSettings
from tt.time.tasks.routes import router as tasks
from tt.time.timers.routes import router as timers
from tt.time.timetrack.routes import router as timetrack

ROUTERS = [
    clients,
    projects,
    tasks,
    entries,
    timers,
    import_csv,
    imports,
    exports,
    approvals,
    entry_approvals,
    bulk,
    timetrack,
    contacts,
    deals,
    leads,
    inventory,
    stock,
]


async def _integrity_conflict(_: Request, exc: Exception) -> JSONResponse:
    # A unique constraint that a concurrent request won (after our own checks passed).
    return error_response(Conflict("The request conflicts with a concurrent change; retry it"))


def create_app(settings: TimeSettings | None = None) -> FastAPI:
    settings = settings or TimeSettings()
    app = build_app(
        settings,
        title="tt time",
        routers=ROUTERS,
        on_startup=[install_runtime],
        # CSV imports stream their upload and apply their own limit (413 past it).
        body_limits={"/api/v1/time-entries/import-csv": body_limit(settings.import_max_bytes)},
    )
    app.add_exception_handler(sa_exc.IntegrityError, _integrity_conflict)
    # The same, from a statement sent on the driver connection (``Outbox.publish_with``).
    app.add_exception_handler(asyncpg.IntegrityConstraintViolationError, _integrity_conflict)
    return app
