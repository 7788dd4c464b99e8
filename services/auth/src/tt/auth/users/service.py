"""User use cases. They take a session and never commit; each change is one event."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tt.auth.passwords import Passwords
from tt.auth.publishers import publish_user
from tt.auth.tokens import service as tokens
from tt.auth.users import repository
from tt.auth.users.models import User
from tt.auth.users.schemas import UserCreate, UserUpdate
from tt.common.contracts import auth as contracts
from tt.common.errors import Conflict, NotFound, ValidationFailed
from tt.common.outbox import Outbox

# Fields that may be cleared with null; the others must have a value when sent.
_NULLABLE = frozenset({"email", "full_name", "default_hourly_rate"})


async def create_user(
    session: AsyncSession, outbox: Outbox, passwords: Passwords, data: UserCreate
) -> User:
    await _ensure_unique(session, data.username, data.email)
    user = User(
        username=data.username,
        email=data.email,
        full_name=data.full_name or None,
        password_hash=await passwords.hash(data.password),
        is_admin=data.is_admin,
        is_active=True,
        timezone=data.timezone,
        date_format=data.date_format,
        time_format=data.time_format,
        standard_hours_per_day=data.standard_hours_per_day,
        overtime_include_weekends=data.overtime_include_weekends,
        default_hourly_rate=data.default_hourly_rate,
        version=1,
    )
    session.add(user)
    await _flush(session)
    await publish_user(outbox, session, user, contracts.USER_CREATED)
    return user


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await repository.get(session, user_id)
    if user is None:
        raise NotFound(f"User {user_id} not found", error="User not found")
    return user


async def update_user(
    session: AsyncSession, outbox: Outbox, passwords: Passwords, user_id: int, data: UserUpdate
) -> tuple[User, bool]:
    """The updated user, and whether the change ends the user's sign-ins (a demotion,
    deactivation or new password: the caller then ends their sessions after commit)."""
    user = await repository.get(session, user_id, for_update=True)
    if user is None:
        raise NotFound(f"User {user_id} not found", error="User not found")
    changes = {name: getattr(data, name) for name in data.model_fields_set}
    missing = sorted(n for n, v in changes.items() if v is None and n not in _NULLABLE)
    if missing:
        raise ValidationFailed({n: ["This field cannot be null"] for n in missing})
    await _ensure_unique(session, changes.get("username"), changes.get("email"), besides=user.id)
    if changes.get("is_admin") is False or changes.get("is_active") is False:
        await _keep_an_admin(session, user)
    was_admin, was_active = user.is_admin, user.is_active
    password = changes.pop("password", None)
    if password is not None:
        user.password_hash = await passwords.hash(password)
    for name, value in changes.items():
        setattr(user, name, value)
    ends_sign_ins = (
        password is not None
        or (was_admin and not user.is_admin)
        or (was_active and not user.is_active)
    )
    if ends_sign_ins:
        await tokens.revoke_app_logins(session, outbox, user.id)
    return await _publish_update(session, outbox, user), ends_sign_ins


async def deactivate_user(session: AsyncSession, outbox: Outbox, user_id: int) -> User:
    user = await repository.get(session, user_id, for_update=True)
    if user is None:
        raise NotFound(f"User {user_id} not found", error="User not found")
    if not user.is_active:
        return user
    await _keep_an_admin(session, user)
    user.is_active = False
    await tokens.revoke_app_logins(session, outbox, user.id)
    return await _publish_update(session, outbox, user)


async def record_login(session: AsyncSession, user: User) -> None:
    # last_login is not part of the published state: no event, no version bump.
    user.last_login = datetime.now(UTC)
    await session.flush()


async def _publish_update(session: AsyncSession, outbox: Outbox, user: User) -> User:
    if session.is_modified(user):
        user.version += 1
        await _flush(session)
        await publish_user(outbox, session, user, contracts.USER_UPDATED)
    return user


async def _ensure_unique(
    session: AsyncSession, username: str | None, email: str | None, *, besides: int | None = None
) -> None:
    if username and await repository.username_taken(session, username, besides=besides):
        raise Conflict(f"Username '{username}' is already taken", error="Username already exists")
    if email and await repository.email_taken(session, email, besides=besides):
        raise Conflict("Another user has this email address", error="Email already exists")


async def _keep_an_admin(session: AsyncSession, user: User) -> None:
    if (
        user.is_admin
        and user.is_active
        and not await repository.other_active_admins(session, user.id)
    ):
        raise Conflict(
            "The last active administrator cannot be deactivated or demoted",
            error="Last administrator",
        )


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        # A concurrent create took the name between our check and the insert.
        raise Conflict("A user with this username or email already exists") from exc
