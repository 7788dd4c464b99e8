"""What verify answers: 200 with identity headers, or the contract's error bodies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from tt.auth.verify.ratelimit import Quota
from tt.common.metrics import RATE_LIMIT_REJECTIONS

BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tt"'}


@dataclass(frozen=True, slots=True)
class Verdict:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None


def allow(identity: str, quota: Quota) -> Verdict:
    return Verdict(200, {"X-TT-Identity": identity, **quota.headers()})


def _error(
    status: int,
    error: str,
    message: str,
    code: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Verdict:
    body = {"error": error, "message": message, "error_code": code, **extra}
    return Verdict(status, dict(headers or {}), body)


def token_required() -> Verdict:
    return _error(
        401,
        "Authentication required",
        "API token must be provided in Authorization header or X-API-Key header",
        "unauthorized",
        BEARER_CHALLENGE,
    )


def invalid_token() -> Verdict:
    return _error(
        401,
        "Invalid token",
        "The provided API token is invalid or expired",
        "unauthorized",
        {"WWW-Authenticate": 'Bearer realm="tt", error="invalid_token"'},
    )


def session_required(token_sent: bool) -> Verdict:
    message = "This endpoint requires a logged-in browser session"
    if token_sent:
        message += "; API tokens are not accepted here (use /api/v1)"
    return _error(401, "Authentication required", message, "unauthorized")


def credentials_required() -> Verdict:
    return _error(
        401,
        "Authentication required",
        "This endpoint requires an administrator's session or API token",
        "unauthorized",
        BEARER_CHALLENGE,
    )


def timetrack_required() -> Verdict:
    return _error(
        401,
        "Authentication required",
        "X-TimeTrack-Api-Key and X-TimeTrack-Api-Secret headers are required",
        "unauthorized",
    )


def invalid_timetrack_key() -> Verdict:
    return _error(
        401,
        "Invalid API key",
        "The provided TimeTrack API key or secret is invalid",
        "unauthorized",
    )


def csrf_failed() -> Verdict:
    return _error(
        403,
        "CSRF token missing or invalid",
        "Unsafe requests made with a session need a valid X-CSRF-Token header",
        "forbidden",
    )


def admin_required() -> Verdict:
    return _error(
        403, "Admin access required", "This endpoint requires an administrator", "forbidden"
    )


def admin_scope_required(available: frozenset[str]) -> Verdict:
    return _error(
        403,
        "Insufficient permissions",
        "This endpoint requires an administrator or the 'admin:all' scope",
        "forbidden",
        required_scope="admin:all",
        available_scopes=sorted(available),
    )


def rate_limited(quota: Quota) -> Verdict:
    per_window = {}
    for i, window in enumerate(quota.windows):
        per_window[f"limit_per_{window.name}"] = window.limit
        per_window[f"remaining_per_{window.name}"] = quota.remaining(i)
        if quota.remaining(i) == 0:
            RATE_LIMIT_REJECTIONS.labels(f"per_{window.name}").inc()
    return _error(
        429,
        "Rate limit exceeded",
        "Too many requests. Try again later.",
        "rate_limited",
        {**quota.headers(), "Retry-After": str(quota.retry_after)},
        **per_window,
    )


def unavailable(message: str) -> Verdict:
    return _error(503, "Service unavailable", message, "unavailable", {"Retry-After": "1"})


def login_redirect(base_url: str, uri: str) -> Verdict:
    # Absolute: Traefik resolves a relative Location against verify's own address.
    location = base_url.rstrip("/") + "/login?next=" + quote(uri or "/", safe="")
    return Verdict(302, {"Location": location})
