"""``/api/v1/admin/users`` (admin:all) and ``/api/v1/users/me`` (read:users)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from tt.auth.params import EntityId
from tt.auth.runtime import Runtime, runtime
from tt.auth.users import repository, service
from tt.auth.users.schemas import (
    Me,
    UserAnswer,
    UserChanged,
    UserCreate,
    UserCreated,
    UserPage,
    UserUpdate,
)
from tt.auth.users.views import user_view
from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse
from tt.common.db import unit_of_work
from tt.common.identity import ADMIN_SCOPE, Identity, require_scope
from tt.common.openapi import errors
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse

router = APIRouter(tags=["users"])

Admin = Annotated[Identity, Depends(require_scope(ADMIN_SCOPE))]
Rt = Annotated[Runtime, Depends(runtime)]

# What tt serves, by the reference product's module ids (the mobile app hides the rest).
ENABLED_MODULES = (
    "projects",
    "timer",
    "tasks",
    "clients",
    "contacts",
    "deals",
    "leads",
    "reports",
    "analytics",
    "time_approvals",
    "import_export",
    "integrations",
)
TIME_ENTRY_REQUIREMENTS = {
    "require_task": False,
    "require_description": False,
    "description_min_length": 20,
}

LAST_ADMIN = "the last active administrator cannot be demoted or deactivated"


@router.post(
    "/api/v1/admin/users",
    status_code=201,
    response_model=UserCreated,
    responses=errors(400, 409, 413, 415, e409="the username or email is taken"),
    openapi_extra=json_body(UserCreate),
)
async def create_user(request: Request, _: Admin, session: DbSession, rt: Rt) -> JSONResponse:
    """Create a user (``password`` at least 8 characters, ``timezone`` an IANA name)."""
    body = parse(UserCreate, await json_object(request))
    user = await service.create_user(session, rt.resources.outbox, rt.passwords, body)
    return JSONResponse(
        {"message": "User created successfully", "user": user_view(user)}, status_code=201
    )


@router.get("/api/v1/admin/users", response_model=UserPage, responses=errors(400))
async def list_users(
    _: Admin,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
    is_active: Annotated[bool | None, Query()] = None,
    search: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """Users by username; ``search`` matches part of the username, email or full name."""
    users, total = await repository.page(session, params, is_active=is_active, search=search)
    return paginated("users", [user_view(u) for u in users], params, total)


@router.get("/api/v1/admin/users/{user_id}", response_model=UserAnswer, responses=errors(404))
async def get_user(user_id: EntityId, _: Admin, session: DbSession) -> dict[str, Any]:
    return {"user": user_view(await service.get_user(session, user_id))}


UPDATE: dict[str, Any] = {
    "response_model": UserChanged,
    "responses": errors(400, 404, 409, 413, 415, e409=f"the name is taken, or {LAST_ADMIN}"),
    "openapi_extra": json_body(UserUpdate),
}


# PUT and PATCH alike; one route each, so each has an operation id of its own.
@router.put("/api/v1/admin/users/{user_id}", **UPDATE)
@router.patch("/api/v1/admin/users/{user_id}", **UPDATE)
async def update_user(request: Request, user_id: EntityId, _: Admin, rt: Rt) -> dict[str, Any]:
    """Change the fields sent (PUT and PATCH alike). A demotion, deactivation or new
    password ends the user's sessions and app-login tokens."""
    body = parse(UserUpdate, await json_object(request))
    async with unit_of_work(rt.resources.sessions) as session:
        user, ends_sign_ins = await service.update_user(
            session, rt.resources.outbox, rt.passwords, user_id, body
        )
    if ends_sign_ins:
        await rt.sessions.end_all(user.id)
    await rt.credentials_changed(user_id=user.id)
    return {"message": "User updated successfully", "user": user_view(user)}


@router.delete(
    "/api/v1/admin/users/{user_id}",
    response_model=UserChanged,
    responses=errors(404, 409, e409=LAST_ADMIN),
)
async def deactivate_user(user_id: EntityId, _: Admin, rt: Rt) -> dict[str, Any]:
    """Deactivate (users are never deleted); ends the user's sign-ins."""
    async with unit_of_work(rt.resources.sessions) as session:
        user = await service.deactivate_user(session, rt.resources.outbox, user_id)
    await rt.sessions.end_all(user.id)
    await rt.credentials_changed(user_id=user.id)
    return {"message": "User deactivated", "user": user_view(user)}


@router.get("/api/v1/users/me", response_model=Me, responses=errors(404))
async def me(
    identity: Annotated[Identity, Depends(require_scope("read:users"))], session: DbSession
) -> dict[str, Any]:
    """The caller's user, with what the apps need to know of this server."""
    user = await service.get_user(session, identity.user_id)
    return {
        "user": user_view(user),
        "time_entry_requirements": dict(TIME_ENTRY_REQUIREMENTS),
        "enabled_modules": list(ENABLED_MODULES),
    }
