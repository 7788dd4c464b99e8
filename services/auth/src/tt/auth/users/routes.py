"""``/api/v1/admin/users`` (admin:all) and ``/api/v1/users/me`` (read:users)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from tt.auth.context import AuthContext, auth_context
from tt.auth.params import EntityId
from tt.auth.users import repository, service
from tt.auth.users.schemas import UserCreate, UserUpdate, user_out
from tt.common.app import DbSession
from tt.common.db import unit_of_work
from tt.common.identity import ADMIN_SCOPE, Identity, require_scope
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse

router = APIRouter(tags=["users"])

Admin = Annotated[Identity, Depends(require_scope(ADMIN_SCOPE))]
Context = Annotated[AuthContext, Depends(auth_context)]

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


@router.post("/api/v1/admin/users", status_code=201)
async def create_user(body: UserCreate, _: Admin, session: DbSession, ctx: Context) -> JSONResponse:
    user = await service.create_user(session, ctx.resources.outbox, ctx.passwords, body)
    return JSONResponse(
        {"message": "User created successfully", "user": user_out(user)}, status_code=201
    )


@router.get("/api/v1/admin/users")
async def list_users(
    _: Admin,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
    is_active: Annotated[bool | None, Query()] = None,
    search: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    users, total = await repository.page(session, params, is_active=is_active, search=search)
    return paginated("users", [user_out(u) for u in users], params, total)


@router.get("/api/v1/admin/users/{user_id}")
async def get_user(user_id: EntityId, _: Admin, session: DbSession) -> dict[str, Any]:
    return {"user": user_out(await service.get_user(session, user_id))}


@router.api_route("/api/v1/admin/users/{user_id}", methods=["PUT", "PATCH"])
async def update_user(
    user_id: EntityId, body: UserUpdate, _: Admin, ctx: Context
) -> dict[str, Any]:
    async with unit_of_work(ctx.resources.sessions) as session:
        user, ends_sign_ins = await service.update_user(
            session, ctx.resources.outbox, ctx.passwords, user_id, body
        )
    if ends_sign_ins:
        await ctx.sessions.end_all(user.id)
    await ctx.credentials_changed(user_id=user.id)
    return {"message": "User updated successfully", "user": user_out(user)}


@router.delete("/api/v1/admin/users/{user_id}")
async def deactivate_user(user_id: EntityId, _: Admin, ctx: Context) -> dict[str, Any]:
    async with unit_of_work(ctx.resources.sessions) as session:
        user = await service.deactivate_user(session, ctx.resources.outbox, user_id)
    await ctx.sessions.end_all(user.id)
    await ctx.credentials_changed(user_id=user.id)
    return {"message": "User deactivated", "user": user_out(user)}


@router.get("/api/v1/users/me")
async def me(
    identity: Annotated[Identity, Depends(require_scope("read:users"))], session: DbSession
) -> dict[str, Any]:
    user = await service.get_user(session, identity.user_id)
    return {
        "user": user_out(user),
        "time_entry_requirements": dict(TIME_ENTRY_REQUIREMENTS),
        "enabled_modules": list(ENABLED_MODULES),
    }
