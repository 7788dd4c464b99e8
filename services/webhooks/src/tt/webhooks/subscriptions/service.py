"""Subscription use cases. They take a session and never commit.

Who may do what: a subscription belongs to the user who created it; only that user and
admins see or change it (others get 404, so ids do not leak). No scope names webhooks,
so the events decide: subscribing to an event type needs the read scope of its entity
(``read:time_entries`` for ``tt.time_entry.*``), as reading the same data through the
API would.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.contracts import DELETED
from tt.common.contracts.auth import USER
from tt.common.errors import Conflict, InsufficientScope, NotFound, ValidationFailed
from tt.common.events import Event
from tt.common.identity import Identity
from tt.common.pagination import PageParams
from tt.webhooks import subscribable
from tt.webhooks.runtime import Runtime
from tt.webhooks.signing import new_secret
from tt.webhooks.subscriptions import repository
from tt.webhooks.subscriptions.models import Subscription
from tt.webhooks.subscriptions.schemas import RotateSecret, WebhookCreate, WebhookUpdate
from tt.webhooks.targets import TargetRefused


async def create(
    session: AsyncSession, rt: Runtime, identity: Identity, body: WebhookCreate
) -> tuple[Subscription, str]:
    """A new subscription and its secret (the only time the secret is returned)."""
    events = await _checked(rt, identity, body.url, body.events)
    if await repository.count_for_owner(session, identity.user_id) >= (
        rt.settings.max_subscriptions_per_user
    ):
        raise Conflict(f"A user may have at most {rt.settings.max_subscriptions_per_user} webhooks")
    secret = new_secret()
    sub = Subscription(
        owner_id=identity.user_id,
        owner_is_admin=identity.acts_as_admin,
        name=body.name or None,
        description=body.description or None,
        url=body.url,
        events=events,
        event_pattern=subscribable.glob_to_regex(events),
        active=body.active,
        secret_sealed=rt.box.seal(secret),
    )
    session.add(sub)
    await session.flush()
    await session.refresh(sub)
    return sub, secret


async def page(
    session: AsyncSession, identity: Identity, params: PageParams
) -> tuple[Sequence[Subscription], int]:
    owner = None if identity.acts_as_admin else identity.user_id
    return await repository.page(session, owner, params.offset, params.per_page)


async def visible(
    session: AsyncSession, identity: Identity, subscription_id: int, *, lock: bool = False
) -> Subscription:
    """The subscription if the caller may see it; 404 otherwise."""
    sub = await repository.get(session, subscription_id, lock=lock)
    if sub is None or not (identity.acts_as_admin or sub.owner_id == identity.user_id):
        raise NotFound(f"Webhook {subscription_id} not found", error="Webhook not found")
    return sub


async def update(
    session: AsyncSession,
    rt: Runtime,
    identity: Identity,
    subscription_id: int,
    body: WebhookUpdate,
) -> Subscription:
    sub = await visible(session, identity, subscription_id, lock=True)
    given = body.model_fields_set
    nulls: dict[str, list[str]] = {
        field: ["This field may not be null"]
        for field in ("url", "events", "active")
        if field in given and getattr(body, field) is None
    }
    if nulls:
        raise ValidationFailed(nulls)
    events = await _checked(
        rt,
        identity,
        body.url if "url" in given else None,
        body.events if "events" in given else None,
    )
    if body.events is not None:
        sub.events = events
        sub.event_pattern = subscribable.glob_to_regex(events)
    if body.url is not None:
        sub.url = body.url
    if body.active is not None:
        sub.active = body.active
        if body.active:  # re-enabling clears why the platform disabled it (410, owner)
            sub.disabled_reason = None
            sub.disabled_at = None
    if "name" in given:
        sub.name = body.name or None
    if "description" in given:
        sub.description = body.description or None
    await session.flush()
    await session.refresh(sub)
    return sub


async def delete(session: AsyncSession, identity: Identity, subscription_id: int) -> None:
    sub = await visible(session, identity, subscription_id)
    await session.delete(sub)
    await session.flush()


async def rotate_secret(
    session: AsyncSession, rt: Runtime, identity: Identity, subscription_id: int, body: RotateSecret
) -> tuple[Subscription, str]:
    """A new secret; the previous one keeps signing (beside it) for the grace period."""
    sub = await visible(session, identity, subscription_id, lock=True)
    grace = (
        body.grace_period_seconds
        if body.grace_period_seconds is not None
        else rt.settings.secret_grace_seconds
    )
    now = datetime.now(UTC)
    secret = new_secret()
    sub.previous_secret_sealed = sub.secret_sealed if grace > 0 else None
    sub.previous_secret_expires_at = now + timedelta(seconds=grace) if grace > 0 else None
    sub.secret_sealed = rt.box.seal(secret)
    sub.secret_rotated_at = now
    await session.flush()
    await session.refresh(sub)
    return sub, secret


async def follow_owner(session: AsyncSession, event: Event) -> None:
    """``tt.user.*``: keep owners' admin flag current; pause a deactivated owner's hooks."""
    user = USER.read(event)
    active = user.is_active and event.verb != DELETED
    await repository.set_owner_state(session, user.id, is_admin=user.is_admin, is_active=active)


async def _checked(
    rt: Runtime, identity: Identity, url: str | None, globs: list[str] | None
) -> list[str]:
    """Validate the URL and the globs together (every error at once); then the scopes.

    Returns the de-duplicated globs (empty if none were given).
    """
    errors: dict[str, list[str]] = {}
    cleaned, scopes, glob_errors = _parse_globs(globs or [])
    if glob_errors:
        errors["events"] = glob_errors
    if url is not None:
        try:
            await rt.policy.check_target(url)
        except TargetRefused as exc:
            errors["url"] = [str(exc)]
    if errors:
        raise ValidationFailed(errors, "Invalid webhook")
    for scope in sorted(scopes):
        if not identity.has_scope(scope):
            raise InsufficientScope(scope, identity.scopes)
    return cleaned


def _parse_globs(globs: list[str]) -> tuple[list[str], set[str], list[str]]:
    """(de-duplicated globs, read scopes they need, errors); each must match a known type."""
    errors: list[str] = []
    cleaned: list[str] = []
    scopes: set[str] = set()
    for raw in globs:
        glob = raw.strip() if isinstance(raw, str) else ""
        if not subscribable.GLOB_PATTERN.match(glob):
            errors.append(
                f"{raw!r} is not an event type or pattern (letters, digits, '_', '.', '*', '?')"
            )
            continue
        types = subscribable.matching_types(glob)
        if not types:
            errors.append(f"{glob!r} matches no known event type")
            continue
        scopes.update(subscribable.READ_SCOPE[t.split(".")[1]] for t in types)
        if glob not in cleaned:
            cleaned.append(glob)
    return cleaned, scopes, errors
