"""``POST /login`` and ``POST /logout`` (browser sessions) and ``POST /api/v1/auth/login``
(the apps' token login). None of them sits behind verify: they check for themselves."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from tt.auth.access import NO_CREDENTIAL, SESSION, public_errors
from tt.auth.credentials import same_secret
from tt.auth.pages.render import render_login
from tt.auth.runtime import Runtime, runtime
from tt.auth.sessions import service
from tt.auth.sessions.schemas import (
    AppToken,
    BrowserCredentials,
    Credentials,
    LoggedOut,
    LogoutForm,
    SignedIn,
    form_or_json_body,
)
from tt.auth.users.service import record_login
from tt.auth.users.views import user_view
from tt.common.app import client_address
from tt.common.body import json_body
from tt.common.db import unit_of_work
from tt.common.errors import (
    AppError,
    BadRequest,
    Forbidden,
    UnsupportedMediaType,
    ValidationFailed,
)
from tt.common.openapi import Responses
from tt.common.responses import JSONResponse

router = APIRouter(tags=["login"])

Rt = Annotated[Runtime, Depends(runtime)]

DEFAULT_LANDING = "/dashboard/productivity"

_HTML = {"text/html": {"schema": {"type": "string"}}}
_SETS_COOKIE = {"Set-Cookie": {"description": "The session cookie", "schema": {"type": "string"}}}


def _redirect(where: str) -> Responses:
    return {
        303: {
            "description": f"A form: {where}",
            "headers": {"Location": {"schema": {"type": "string"}}, **_SETS_COOKIE},
        }
    }


def _also_the_page(answers: Responses, *codes: int) -> Responses:
    """A form login refused for ``codes`` gets the login page again, with the error."""
    for code in codes:
        answers[code] = {**answers[code], "content": _HTML}
        answers[code]["description"] += " (a form: the login page, with the error)"
    return answers


LOGIN_ANSWERS: Responses = {
    200: {"description": "JSON: signed in; the session cookie is set", "headers": _SETS_COOKIE},
    **_redirect("signed in, sent on to next (default /dashboard/productivity)"),
    **_also_the_page(
        public_errors(
            400,
            401,
            403,
            415,
            429,
            e401="wrong username or password, or an inactive user (one answer for all)",
            e403="a foreign Origin",
            e415="neither a form nor application/json",
            e429="too many attempts for this username or address",
        ),
        401,
        429,
    ),
}


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


def _check_origin(request: Request, rt: Runtime) -> None:
    # Login CSRF: a browser always sends Origin on a cross-site POST; refuse other sites,
    # and "null" (sandboxed frames, file: pages, some redirects), which names no site.
    origin = request.headers.get("origin")
    if not origin:
        return
    host = urlsplit(origin).netloc if origin != "null" else None
    allowed = {
        request.headers.get("x-forwarded-host", ""),
        request.headers.get("host", ""),
        urlsplit(rt.settings.public_base_url).netloc,
    }
    if host not in allowed:
        raise Forbidden("Cross-site login requests are refused", error="Origin not allowed")


def _set_cookie(response: Response, rt: Runtime, session_id: str) -> None:
    response.set_cookie(
        rt.settings.session_cookie,
        session_id,
        httponly=True,
        samesite="lax",
        secure=rt.settings.secure_cookies,
        path="/",
    )


@router.post(
    "/login",
    response_model=SignedIn,
    responses=LOGIN_ANSWERS,
    openapi_extra={**NO_CREDENTIAL, **form_or_json_body(BrowserCredentials)},
)
async def login(request: Request, rt: Rt) -> Response:
    """Sign in a browser: a form is answered with a redirect (or the page again, with the
    error), JSON with the user and the session's CSRF token."""
    _check_origin(request, rt)
    form = _is_form(request)
    if not form and not _is_json(request):
        # text/plain is what a cross-site page can POST without a preflight.
        raise UnsupportedMediaType("Send the credentials as a form or as application/json")
    fields: Any = await _form(request) if form else await _json_object(request)
    next_path = safe_next(fields.get("next") or request.query_params.get("next"))
    try:
        async with unit_of_work(rt.resources.sessions) as session:
            user = await service.authenticate(
                rt,
                rt.login,
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
    previous = request.cookies.get(rt.settings.session_cookie)
    if previous:
        await rt.sessions.delete(previous)
    session_id, browser_session = await rt.sessions.create(user.id)
    response: Response
    if form:
        response = RedirectResponse(next_path, status_code=303)
    else:
        response = JSONResponse({"user": user_view(user), "csrf_token": browser_session.csrf_token})
    _set_cookie(response, rt, session_id)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post(
    "/logout",
    response_model=LoggedOut,
    responses={
        **_redirect("signed out, sent to /login"),
        **public_errors(400, 403, e403="the session's CSRF token is missing or wrong"),
    },
    openapi_extra={**SESSION, **form_or_json_body(LogoutForm, form_only=True)},
)
async def logout(request: Request, rt: Rt) -> Response:
    """End the browser session (without one, nothing to end); the cookie is cleared."""
    form = _is_form(request)
    session_id = request.cookies.get(rt.settings.session_cookie, "")
    current = await rt.sessions.load(session_id) if session_id else None
    if current is not None:
        presented = request.headers.get("x-csrf-token")
        if presented is None and form:
            value = (await _form(request)).get("csrf_token")
            presented = value if isinstance(value, str) else None
        if not same_secret(current.csrf_token, presented):
            raise Forbidden(
                "Logging out needs the session's CSRF token", error="CSRF token missing or invalid"
            )
        await rt.sessions.delete(session_id)
    response: Response = (
        RedirectResponse("/login", status_code=303)
        if form
        else JSONResponse({"message": "Logged out"})
    )
    response.delete_cookie(rt.settings.session_cookie, path="/")
    return response


@router.post(
    "/api/v1/auth/login",
    response_model=AppToken,
    responses=public_errors(
        400,
        401,
        429,
        e401="wrong username or password, or an inactive user (one answer for all)",
        e429="too many attempts for this username or address",
    ),
    openapi_extra={**NO_CREDENTIAL, **json_body(Credentials)},
)
async def app_login(request: Request, rt: Rt) -> dict[str, str]:
    """The apps' sign-in: a new token of the user (admins get admin:all, others every read
    and write scope), expiring after the default 90 days."""
    body = await _json_object(request)
    async with unit_of_work(rt.resources.sessions) as session:
        user = await service.authenticate(
            rt,
            rt.login,
            session,
            body.get("username"),
            body.get("password"),
            client_address(request),
        )
        token = await service.issue_app_token(rt, session, user)
    # issue_app_token may have revoked the user's oldest app-login tokens: reload them.
    await rt.credentials_changed(user_id=user.id)
    return {"token": token}
