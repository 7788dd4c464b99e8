"""``POST /login`` and ``POST /logout`` (browser sessions) and ``POST /api/v1/auth/login``
(the apps' token login). None of them sits behind verify: they check for themselves."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from tt.auth.context import AuthContext, auth_context
from tt.auth.credentials import same_secret
from tt.auth.pages.render import render_login
from tt.auth.sessions import service
from tt.auth.users.schemas import user_out
from tt.auth.users.service import record_login
from tt.common.app import client_address
from tt.common.db import unit_of_work
from tt.common.errors import (
    AppError,
    BadRequest,
    Forbidden,
    UnsupportedMediaType,
    ValidationFailed,
)
from tt.common.responses import JSONResponse

router = APIRouter(tags=["login"])

Context = Annotated[AuthContext, Depends(auth_context)]

DEFAULT_LANDING = "/dashboard/productivity"


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return content_type in ("application/x-www-form-urlencoded", "multipart/form-data")


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValidationFailed.field("body", "Malformed JSON body") from exc
    if not isinstance(body, dict):
        raise ValidationFailed.field("body", "The body must be a JSON object")
    return body


async def _form(request: Request) -> FormData:
    try:
        return await request.form(max_files=0, max_fields=20)
    except (ValueError, AssertionError) as exc:  # malformed multipart or too many fields
        raise BadRequest("The form could not be read", error_code="validation_error") from exc


def safe_next(value: Any) -> str:
    """Only same-site relative paths: never an open redirect."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return DEFAULT_LANDING
    if "\\" in value or any(ord(c) < 32 for c in value) or urlsplit(value).netloc:
        return DEFAULT_LANDING
    return value


def _is_json(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return content_type == "application/json"


def _check_origin(request: Request, ctx: AuthContext) -> None:
    # Login CSRF: a browser always sends Origin on a cross-site POST; refuse other sites,
    # and "null" (sandboxed frames, file: pages, some redirects), which names no site.
    origin = request.headers.get("origin")
    if not origin:
        return
    host = urlsplit(origin).netloc if origin != "null" else None
    allowed = {
        request.headers.get("x-forwarded-host", ""),
        request.headers.get("host", ""),
        urlsplit(ctx.settings.public_base_url).netloc,
    }
    if host not in allowed:
        raise Forbidden("Cross-site login requests are refused", error="Origin not allowed")


def _set_cookie(response: Response, ctx: AuthContext, session_id: str) -> None:
    response.set_cookie(
        ctx.settings.session_cookie,
        session_id,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.secure_cookies,
        path="/",
    )


@router.post("/login", response_model=None)
async def login(request: Request, ctx: Context) -> Response:
    _check_origin(request, ctx)
    form = _is_form(request)
    if not form and not _is_json(request):
        # text/plain is what a cross-site page can POST without a preflight.
        raise UnsupportedMediaType("Send the credentials as a form or as application/json")
    fields: Any = await _form(request) if form else await _json_object(request)
    next_path = safe_next(fields.get("next") or request.query_params.get("next"))
    try:
        async with unit_of_work(ctx.resources.sessions) as session:
            user = await service.authenticate(
                ctx,
                ctx.login,
                session,
                fields.get("username"),
                fields.get("password"),
                client_address(request),
            )
            await record_login(session, user)
    except AppError as exc:
        if not form or exc.status_code not in (401, 429):
            raise
        page = render_login(request, error=exc.message, next_path=next_path, status=exc.status_code)
        page.headers.update(exc.headers)
        return page
    previous = request.cookies.get(ctx.settings.session_cookie)
    if previous:
        await ctx.sessions.delete(previous)
    session_id, browser_session = await ctx.sessions.create(user.id)
    response: Response
    if form:
        response = RedirectResponse(next_path, status_code=303)
    else:
        response = JSONResponse({"user": user_out(user), "csrf_token": browser_session.csrf_token})
    _set_cookie(response, ctx, session_id)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/logout", response_model=None)
async def logout(request: Request, ctx: Context) -> Response:
    form = _is_form(request)
    session_id = request.cookies.get(ctx.settings.session_cookie, "")
    current = await ctx.sessions.load(session_id) if session_id else None
    if current is not None:
        presented = request.headers.get("x-csrf-token")
        if presented is None and form:
            value = (await _form(request)).get("csrf_token")
            presented = value if isinstance(value, str) else None
        if not same_secret(current.csrf_token, presented):
            raise Forbidden(
                "Logging out needs the session's CSRF token", error="CSRF token missing or invalid"
            )
        await ctx.sessions.delete(session_id)
    response: Response = (
        RedirectResponse("/login", status_code=303)
        if form
        else JSONResponse({"message": "Logged out"})
    )
    response.delete_cookie(ctx.settings.session_cookie, path="/")
    return response


@router.post("/api/v1/auth/login")
async def app_login(request: Request, ctx: Context) -> dict[str, str]:
    body = await _json_object(request)
    async with unit_of_work(ctx.resources.sessions) as session:
        user = await service.authenticate(
            ctx,
            ctx.login,
            session,
            body.get("username"),
            body.get("password"),
            client_address(request),
        )
        token = await service.issue_app_token(ctx, session, user)
    # issue_app_token may have revoked the user's oldest app-login tokens: reload them.
    await ctx.credentials_changed(user_id=user.id)
    return {"token": token}
