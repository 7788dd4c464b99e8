"""The auth process's long-lived parts (caches, limiters, signer), built once at start-up
and kept on ``app.state.runtime``."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from fastapi import FastAPI, Request

from tt.auth.passwords import Passwords
from tt.auth.sessions.store import SessionStore
from tt.auth.settings import AuthSettings
from tt.auth.tokens.usage import UsageRecorder
from tt.auth.verify.listener import follow_auth_events
from tt.auth.verify.principals import Principals
from tt.auth.verify.ratelimit import RateLimiter, Window, bump_epoch
from tt.auth.verify.service import Verifier
from tt.common.identity import IdentitySigner
from tt.common.resources import Resources


def per_minute(limit: int) -> Window:
    return Window("minute", limit, 60)


@dataclass(frozen=True)
class LoginPolicy:
    """Where sign-in attempts are counted, and how many each subject may have."""

    limiter: RateLimiter
    per_username: Window
    per_address: Window


@dataclass(frozen=True)
class Runtime:
    settings: AuthSettings
    resources: Resources
    passwords: Passwords
    principals: Principals
    sessions: SessionStore
    usage: UsageRecorder
    verifier: Verifier
    # One policy (one counter per username, one per address) for POST /login and
    # POST /api/v1/auth/login alike: two logins must not mean twice the guesses.
    login: LoginPolicy
    public_limiter: RateLimiter
    # The background tasks start_runtime starts and stop_runtime ends.
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def credentials_changed(
        self, *, user_id: int | None = None, token_id: int | None = None
    ) -> None:
        """Call after a commit that changed a user, token or key: every replica reloads it."""
        if user_id is not None:
            self.principals.forget_user(user_id)
        if token_id is not None:
            self.principals.forget_token(token_id)
        await bump_epoch(self.resources.redis)


def build_runtime(settings: AuthSettings, resources: Resources) -> Runtime:
    if not settings.identity_private_key:
        raise RuntimeError("TT_AUTH_IDENTITY_PRIVATE_KEY is not set: auth cannot sign identities")
    principals = Principals(resources.sessions, settings.cache_ttl_seconds)
    sessions = SessionStore(
        resources.redis,
        settings.session_secret,
        idle_seconds=settings.session_idle_seconds,
        max_seconds=settings.session_max_seconds,
    )
    usage = UsageRecorder(resources.sessions, settings.usage_flush_seconds)
    limiter = RateLimiter(
        resources.redis,
        (
            Window("minute", settings.rate_limit_per_minute, 60),
            Window("hour", settings.rate_limit_per_hour, 3600),
        ),
        namespace="api",
    )
    verifier = Verifier(
        principals=principals,
        limiter=limiter,
        user_windows=(
            Window("minute", settings.user_rate_limit_per_minute, 60),
            Window("hour", settings.user_rate_limit_per_hour, 3600),
        ),
        sessions=sessions,
        signer=IdentitySigner(settings.identity_private_key, settings.identity_ttl_seconds),
        identity_ttl=settings.identity_ttl_seconds,
        usage=usage,
        public_base_url=settings.public_base_url,
    )
    attempts = settings.login_attempts_per_minute
    return Runtime(
        settings=settings,
        resources=resources,
        passwords=Passwords(settings),
        principals=principals,
        sessions=sessions,
        usage=usage,
        verifier=verifier,
        login=LoginPolicy(
            RateLimiter(resources.redis, (per_minute(attempts),), namespace="login"),
            per_username=per_minute(attempts),
            per_address=per_minute(attempts),
        ),
        public_limiter=RateLimiter(
            resources.redis, (per_minute(settings.public_requests_per_minute),), namespace="public"
        ),
    )


async def start_runtime(app: FastAPI, resources: Resources) -> None:
    """``on_startup`` hook: build the runtime, start its background tasks."""
    settings: AuthSettings = app.state.settings
    rt = build_runtime(settings, resources)
    rt.tasks.extend(
        [
            asyncio.create_task(rt.usage.run(), name="token-usage"),
            asyncio.create_task(
                follow_auth_events(settings.kafka_bootstrap, resources.catalogue, rt.principals),
                name="auth-events",
            ),
        ]
    )
    app.state.runtime = rt


async def stop_runtime(app: FastAPI, _: Resources) -> None:
    """``on_shutdown`` hook: end the background tasks, write the last token uses."""
    rt: Runtime = app.state.runtime
    for task in rt.tasks:
        task.cancel()
    for task in rt.tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await rt.usage.flush()


async def runtime(request: Request) -> Runtime:
    """FastAPI dependency: this process's runtime."""
    rt: Runtime = request.app.state.runtime
    return rt
