"""What the sign-in routes read and answer, for the OpenAPI document (they read their
bodies by hand: a form or JSON, and never fail on a field's type, only on the password)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from tt.auth.users.schemas import UserOut
from tt.common.body import json_body


class Credentials(BaseModel):
    username: str
    password: str


class BrowserCredentials(Credentials):
    next: str | None = Field(
        default=None, description="Where a form login is sent on (a path on this site)"
    )


class SignedIn(BaseModel):
    """A JSON ``POST /login``: the session's user and the CSRF token its unsafe calls send."""

    user: UserOut
    csrf_token: str


class AppToken(BaseModel):
    token: str = Field(description="tt_ + 32 characters: a new token of the user")


class LoggedOut(BaseModel):
    message: str


class LogoutForm(BaseModel):
    csrf_token: str | None = Field(
        default=None, description="The session's CSRF token, if X-CSRF-Token is not sent"
    )


def form_or_json_body(model: type[BaseModel], *, form_only: bool = False) -> dict[str, Any]:
    """``openapi_extra`` declaring ``model`` as a form body and, unless ``form_only``, as a
    JSON body too."""
    extra = json_body(model)
    content = extra["requestBody"]["content"]
    schema = content["application/json"]["schema"]
    content["application/x-www-form-urlencoded"] = {"schema": dict(schema)}
    if form_only:
        del content["application/json"]
    return extra
