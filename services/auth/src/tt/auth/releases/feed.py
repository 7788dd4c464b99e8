"""The latest release, read from the configured feed and cached in Redis.

The feed is a JSON document: GitHub's ``releases/latest`` object (``tag_name``, ``body``,
``published_at``, ``html_url``), a list of such objects (the first published, non-draft,
non-prerelease one counts), or ``{"version", "release_notes", "published_at",
"release_url"}``. A feed that is down or malformed is reported, never raised.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from typing import Any, Literal

import httpx
import orjson
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from tt.auth.releases.versions import normalise

log = logging.getLogger("tt.auth.releases")

FeedStatus = Literal["ok", "not_configured", "unavailable", "invalid"]
_MAX_FEED_BYTES = 1_048_576


@dataclass(frozen=True, slots=True)
class Release:
    version: str
    release_notes: str
    published_at: str | None
    release_url: str | None


def parse_release(doc: Any) -> Release | None:
    if isinstance(doc, list):
        for item in doc:
            if isinstance(item, dict) and not item.get("draft") and not item.get("prerelease"):
                return parse_release(item)
        return None
    if not isinstance(doc, dict):
        return None
    version = normalise(doc.get("tag_name") or doc.get("version") or doc.get("latest_version"))
    if version is None:
        return None
    notes = doc.get("body", doc.get("release_notes"))
    published = doc.get("published_at")
    url = doc.get("html_url", doc.get("release_url"))
    return Release(
        version=version,
        release_notes=notes if isinstance(notes, str) else "",
        published_at=published if isinstance(published, str) else None,
        release_url=url if isinstance(url, str) else None,
    )


class ReleaseFeed:
    def __init__(
        self,
        redis: aioredis.Redis,
        url: str,
        *,
        timeout: float,
        cache_seconds: int,
        user_agent: str,
    ) -> None:
        self._redis = redis
        self._url = url
        self._timeout = timeout
        self._cache_seconds = cache_seconds
        self._user_agent = user_agent
        self._key = "tt:auth:release:" + hashlib.sha256(url.encode()).hexdigest()[:24]

    async def latest(self) -> tuple[FeedStatus, Release | None]:
        if not self._url:
            return "not_configured", None
        cached = await self._cached()
        if cached is not None:
            return "ok", cached
        status, release = await self._fetch()
        if release is not None and self._cache_seconds:
            try:
                await self._redis.set(
                    self._key, orjson.dumps(asdict(release)), ex=self._cache_seconds
                )
            except RedisError as exc:
                log.info("release cache not written (Redis): %s", exc)
        return status, release

    async def _cached(self) -> Release | None:
        if not self._cache_seconds:
            return None
        try:
            raw = await self._redis.get(self._key)
        except RedisError:
            return None
        if raw is None:
            return None
        try:
            return Release(**orjson.loads(raw))
        except (orjson.JSONDecodeError, TypeError):
            return None

    async def _fetch(self) -> tuple[FeedStatus, Release | None]:
        headers = {"Accept": "application/json", "User-Agent": self._user_agent}
        try:
            async with httpx.AsyncClient(timeout=self._timeout, follow_redirects=True) as client:
                response = await client.get(self._url, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("release feed unreachable: %s", type(exc).__name__)
            return "unavailable", None
        if response.status_code != 200:
            log.warning("release feed answered %s", response.status_code)
            return "unavailable", None
        if len(response.content) > _MAX_FEED_BYTES:
            return "invalid", None
        try:
            release = parse_release(orjson.loads(response.content))
        except orjson.JSONDecodeError:
            release = None
        if release is None:
            log.warning("release feed document is not a release")
            return "invalid", None
        return "ok", release
