"""Checking a username and password, for browser logins and the apps' token login alike.

Every failure (unknown user, wrong password, inactive user, missing or absurd input)
gives the same error after the same work (one argon2 verification), and no sooner than
a fixed floor after the request arrived, so neither the answer nor its timing tells
them apart. Every attempt is counted, atomically and before the password is checked,
against the client address and the username across every replica (Redis), in counters
shared by the browser and the app login; a success is refunded. So parallel attempts
cannot all pass one check before any is counted, and over the limit nothing is checked
until the window frees a slot.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.auth.runtime import LoginPolicy, Runtime
from tt.auth.tokens import service as tokens
from tt.auth.users import repository as users
from tt.auth.users import service as user_service
from tt.auth.users.models import User
from tt.auth.verify.ratelimit import Quota
from tt.common.errors import RateLimited, Unauthorized
from tt.common.fields import has_nul
from tt.common.identity import ADMIN_SCOPE, USER_SCOPES
from tt.common.metrics import RATE_LIMIT_REJECTIONS

LOGIN_FAILED = "Invalid username or password"
# Usernames are at most 80 characters; longer input cannot match and is not looked up.
_MAX_USERNAME_INPUT = 150


def login_failed() -> Unauthorized:
    return Unauthorized(LOGIN_FAILED, error=LOGIN_FAILED)


def address_subject(address: str) -> str:
    try:
        return "ip:" + str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return "ip:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def _username_subject(username: str) -> str:
    # A digest keeps arbitrary input out of Redis key names.
    return "user:" + hashlib.sha256(username.encode("utf-8", "replace")).hexdigest()[:32]


def _usable_username(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    username = value.strip().lower()
    if not username or len(username) > _MAX_USERNAME_INPUT or has_nul(username):
        return None
    return username


async def authenticate(
    rt: Runtime,
    policy: LoginPolicy,
    session: AsyncSession,
    username: Any,
    password: Any,
    address: str,
) -> User:
    """The active user these credentials belong to, or Unauthorized / RateLimited."""
    started = time.monotonic()
    name = _usable_username(username)
    subjects = [(address_subject(address), policy.per_address)]
    if name is not None:
        subjects.append((_username_subject(name), policy.per_username))
    counted: list[tuple[str, Quota]] = []
    for subject, window in subjects:
        quota = await policy.limiter.apply(subject, mode="hit", windows=(window,))
        if not quota.allowed:
            # A refused attempt does not use up the other subjects' budgets either.
            await _refund(policy, counted)
            raise _too_many(quota)
        counted.append((subject, quota))
    user = await users.by_username(session, name) if name is not None else None
    secret = password if isinstance(password, str) else ""
    matches = await rt.passwords.verify(user.password_hash if user else None, secret)
    if user is None or not matches or not user.is_active or not secret:
        floor = rt.settings.login_failure_floor_seconds
        await asyncio.sleep(max(0.0, started + floor - time.monotonic()))
        raise login_failed()
    await _refund(policy, counted)
    if rt.passwords.needs_rehash(user.password_hash):
        # Hashing parameters were raised since: upgrade while we hold the password, so
        # every account costs the same to check.
        user.password_hash = await rt.passwords.hash(secret)
    return user


async def _refund(policy: LoginPolicy, counted: list[tuple[str, Quota]]) -> None:
    for subject, quota in counted:
        await policy.limiter.refund(subject, quota)


def _too_many(quota: Quota) -> RateLimited:
    RATE_LIMIT_REJECTIONS.labels("login").inc()
    return RateLimited(
        "Too many login attempts. Try again later.",
        headers={**quota.headers(), "Retry-After": str(quota.retry_after)},
    )


async def issue_app_token(rt: Runtime, session: AsyncSession, user: User) -> str:
    """A new token for the app that signed in: admins get admin:all, others every scope."""
    scopes = [ADMIN_SCOPE] if user.is_admin else list(USER_SCOPES)
    _, text = await tokens.create_token(
        session,
        rt.resources.outbox,
        user_id=user.id,
        name=f"App login - {user.username}",
        scopes=scopes,
        expires_at=tokens.expiry_in_days(rt.settings.token_default_expiry_days),
        description=tokens.APP_LOGIN_DESCRIPTION,
    )
    await tokens.cap_app_logins(
        session, rt.resources.outbox, user.id, rt.settings.app_login_tokens_per_user
    )
    await user_service.record_login(session, user)
    return text
