"""API tokens in the auth database (``tt.auth.tokens``, ``tt.auth.verify``): a token is
stored only as its SHA-256 hash, found by that hash, and may do what its scopes say
(``admin:all`` only while its owner is an admin); revoked and expired tokens do nothing,
and every change is an event that never carries the token or its hash."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from support.fastkit import queued_events
from tt.auth.credentials import TOKEN_PATTERN, digest, looks_like_token
from tt.auth.tokens import service as tokens
from tt.auth.tokens.models import ApiToken
from tt.auth.tokens.schemas import TokenCreate, TokenUpdate
from tt.auth.users.models import User
from tt.auth.verify.principals import Principals, TokenRecord, UserRecord
from tt.auth.verify.service import _token_scopes
from tt.common.errors import Conflict, ValidationFailed
from tt.common.identity import ADMIN_SCOPE, USER_SCOPES
from tt.common.outbox import Outbox
from tt.common.topics import Catalogue

READ = ["read:projects", "read:time_entries"]


@pytest.fixture
def outbox(catalogue: Catalogue) -> Outbox:
    return Outbox(catalogue, source="/tt/auth")


async def a_user(session: AsyncSession, *, admin: bool = False, active: bool = True) -> User:
    user = User(
        username=f"user{time.monotonic_ns()}",
        password_hash="not-a-real-hash",
        is_admin=admin,
        is_active=active,
    )
    session.add(user)
    await session.flush()
    return user


def test_digest_is_sha256_hex_and_tokens_have_the_documented_form() -> None:
    assert digest("tt_" + "a" * 32) == hashlib.sha256(b"tt_" + b"a" * 32).hexdigest()
    assert looks_like_token("tt_" + "Ab9" * 10 + "xy")
    for not_a_token in ("tt_" + "a" * 31, "tt_" + "a" * 33, "TT_" + "a" * 32, "tt_" + "-" * 32):
        assert not looks_like_token(not_a_token)


@pytest.mark.parametrize(
    ("asked", "kept"),
    [
        (["write:projects", "read:projects", "read:projects"], ["read:projects", "write:projects"]),
        ([ADMIN_SCOPE, "read:users"], ["read:users", ADMIN_SCOPE]),
    ],
)
def test_scopes_are_kept_once_in_the_contracts_order(asked: list[str], kept: list[str]) -> None:
    assert TokenCreate(name="ci", user_id=1, scopes=asked).scopes == kept


@pytest.mark.parametrize("scopes", [[], ["read:everything"], ["read:projects", "admin"]])
def test_no_scope_or_an_unknown_one_is_refused(scopes: list[str]) -> None:
    with pytest.raises(ValidationError):
        TokenCreate(name="ci", user_id=1, scopes=scopes)
    with pytest.raises(ValidationError):
        TokenUpdate(scopes=scopes)


async def test_a_new_token_is_stored_as_its_hash_only(
    session: AsyncSession, outbox: Outbox
) -> None:
    owner = await a_user(session)
    token, text = await tokens.create_token(
        session, outbox, user_id=owner.id, name="ci", scopes=READ
    )
    assert TOKEN_PATTERN.fullmatch(text)
    assert (token.token_hash, token.token_prefix) == (digest(text), text[:8])
    stored = (await session.execute(select(ApiToken).where(ApiToken.id == token.id))).scalar_one()
    assert text not in {stored.token_hash, stored.token_prefix, stored.name}
    [event] = await queued_events(session)
    assert (event.type, event.version) == ("tt.api_token.created", 1)
    assert event.state["scopes"] == READ
    assert text not in event.to_json().decode()
    assert digest(text) not in event.to_json().decode()


async def test_a_token_is_for_an_active_user_only(session: AsyncSession, outbox: Outbox) -> None:
    gone = await a_user(session, active=False)
    with pytest.raises(ValidationFailed):
        await tokens.create_token(session, outbox, user_id=gone.id, name="ci", scopes=READ)
    with pytest.raises(ValidationFailed):
        await tokens.create_token(session, outbox, user_id=10**12, name="ci", scopes=READ)


async def test_verify_finds_a_token_by_its_hash_with_its_scopes_and_owner(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], outbox: Outbox
) -> None:
    owner = await a_user(session)
    token, text = await tokens.create_token(
        session, outbox, user_id=owner.id, name="ci", scopes=READ, limits=(10, None)
    )
    await session.commit()  # the request ends (a savepoint here); verify reads on its own
    principals = Principals(sessions, ttl=30)

    found = await principals.token(digest(text), epoch="1")
    assert found.credential == TokenRecord(
        token.id, owner.id, frozenset(READ), None, False, (10, None)
    )
    assert found.user is not None
    assert (found.user.id, found.user.session_scopes) == (owner.id, frozenset(USER_SCOPES))
    assert principals.cached("t:" + digest(text)) is found
    unknown = await principals.token(digest("tt_" + "x" * 32), epoch="1")
    assert (unknown.credential, unknown.user) == (None, None)


async def test_revoked_and_expired_tokens_are_not_usable(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], outbox: Outbox
) -> None:
    owner = await a_user(session)
    revoked, revoked_text = await tokens.create_token(
        session, outbox, user_id=owner.id, name="old", scopes=READ
    )
    await tokens.revoke_token(session, outbox, revoked.id)
    await tokens.revoke_token(session, outbox, revoked.id)  # again: nothing new
    soon = datetime.now(UTC) + timedelta(hours=1)
    _, expiring_text = await tokens.create_token(
        session, outbox, user_id=owner.id, name="soon", scopes=READ, expires_at=soon
    )
    await session.commit()
    principals = Principals(sessions, ttl=30)
    now = time.time()

    revoked_record = (await principals.token(digest(revoked_text), epoch="1")).credential
    assert isinstance(revoked_record, TokenRecord)
    assert not revoked_record.usable(now)
    expiring = (await principals.token(digest(expiring_text), epoch="1")).credential
    assert isinstance(expiring, TokenRecord)
    assert expiring.usable(now)
    assert not expiring.usable(now + 3601)
    with pytest.raises(Conflict):
        await tokens.update_token(session, outbox, revoked.id, TokenUpdate(name="back"))
    assert [(e.type, e.version) for e in await queued_events(session)] == [
        ("tt.api_token.created", 1),
        ("tt.api_token.deleted", 2),
        ("tt.api_token.created", 1),
    ]


def test_admin_all_counts_only_while_the_owner_is_an_admin() -> None:
    token = TokenRecord(1, 7, frozenset({ADMIN_SCOPE, "read:users"}), None, False)
    admin = UserRecord(7, "boss", is_admin=True, is_active=True, timezone="UTC")
    demoted = UserRecord(7, "boss", is_admin=False, is_active=True, timezone="UTC")
    assert _token_scopes(token, admin) == {ADMIN_SCOPE, "read:users"}
    assert _token_scopes(token, demoted) == {"read:users"}
    assert admin.session_scopes == {ADMIN_SCOPE}


async def test_app_logins_beyond_the_newest_few_are_revoked(
    session: AsyncSession, outbox: Outbox
) -> None:
    owner = await a_user(session)
    issued = [
        (
            await tokens.create_token(
                session,
                outbox,
                user_id=owner.id,
                name=f"login {n}",
                scopes=list(USER_SCOPES),
                description=tokens.APP_LOGIN_DESCRIPTION,
            )
        )[0]
        for n in range(4)
    ]
    by_hand, _ = await tokens.create_token(
        session, outbox, user_id=owner.id, name="ci", scopes=READ
    )
    await tokens.cap_app_logins(session, outbox, owner.id, keep=2)
    live = {t.id for t in (await session.execute(select(ApiToken))).scalars() if t.is_active}
    assert live == {issued[2].id, issued[3].id, by_hand.id}
    assert sorted(await tokens.revoke_app_logins(session, outbox, owner.id)) == sorted(
        [issued[2].id, issued[3].id]
    )
