"""``GET|POST /api/version/check`` and ``POST /api/version/dismiss`` (admins: session or
token; verify has checked the route class, the route checks the admin again)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request

from tt.auth.context import AuthContext, auth_context
from tt.auth.releases import service
from tt.auth.releases.feed import ReleaseFeed
from tt.common.app import DbSession
from tt.common.errors import ValidationFailed
from tt.common.identity import Identity, require_admin

router = APIRouter(prefix="/api/version", tags=["version"])

Admin = Annotated[Identity, Depends(require_admin)]
Context = Annotated[AuthContext, Depends(auth_context)]


async def release_feed(ctx: Context) -> ReleaseFeed:
    settings = ctx.settings
    return ReleaseFeed(
        ctx.resources.redis,
        settings.release_feed_url,
        timeout=settings.release_feed_timeout_seconds,
        cache_seconds=settings.release_cache_seconds,
        user_agent=f"tt/{settings.version} version-check",
    )


Feed = Annotated[ReleaseFeed, Depends(release_feed)]


@router.api_route("/check", methods=["GET", "POST"])
async def check(identity: Admin, session: DbSession, feed: Feed, ctx: Context) -> dict[str, Any]:
    return await service.check(session, feed, identity.user_id, ctx.settings.version)


@router.post("/dismiss")
async def dismiss(request: Request, identity: Admin, session: DbSession) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.body() or b"{}")
    except orjson.JSONDecodeError as exc:
        raise ValidationFailed.field("body", "Malformed JSON body") from exc
    if not isinstance(body, dict):
        raise ValidationFailed.field("body", "The body must be a JSON object")
    version = await service.dismiss(session, identity.user_id, body.get("latest_version"))
    return {"ok": True, "dismissed_version": version}
