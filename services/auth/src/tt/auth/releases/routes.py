"""``GET|POST /api/version/check`` and ``POST /api/version/dismiss`` (admins: session or
token; verify has checked the route class, the route checks the admin again)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from tt.auth.access import TOKEN_OR_SESSION
from tt.auth.releases import service
from tt.auth.releases.feed import ReleaseFeed
from tt.auth.releases.schemas import Dismissed, DismissRelease, VersionCheck
from tt.auth.runtime import Runtime, runtime
from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse
from tt.common.identity import Identity, require_admin
from tt.common.openapi import errors

router = APIRouter(prefix="/api/version", tags=["version"])

Admin = Annotated[Identity, Depends(require_admin)]
Rt = Annotated[Runtime, Depends(runtime)]


async def release_feed(rt: Rt) -> ReleaseFeed:
    settings = rt.settings
    return ReleaseFeed(
        rt.resources.redis,
        settings.release_feed_url,
        timeout=settings.release_feed_timeout_seconds,
        cache_seconds=settings.release_cache_seconds,
        user_agent=f"tt/{settings.version} version-check",
    )


Feed = Annotated[ReleaseFeed, Depends(release_feed)]


CHECK: dict[str, Any] = {
    "response_model": VersionCheck,
    "responses": errors(),
    "openapi_extra": TOKEN_OR_SESSION,
}


# GET and POST alike (the reference server takes both); one route each, so each has an
# operation id of its own.
@router.get("/check", **CHECK)
@router.post("/check", **CHECK)
async def check(identity: Admin, session: DbSession, feed: Feed, rt: Rt) -> dict[str, Any]:
    """Whether a newer release than this server's is out (the feed is cached for an hour)."""
    return await service.check(session, feed, identity.user_id, rt.settings.version)


@router.post(
    "/dismiss",
    response_model=Dismissed,
    responses=errors(400, 413, 415),
    openapi_extra={**TOKEN_OR_SESSION, **json_body(DismissRelease)},
)
async def dismiss(request: Request, identity: Admin, session: DbSession) -> dict[str, Any]:
    """Stop announcing this release to this admin."""
    body = parse(DismissRelease, await json_object(request))
    version = await service.dismiss(session, identity.user_id, body.latest_version)
    return {"ok": True, "dismissed_version": version}
