"""Create (or repair) the admin user and issue a new ``admin:all`` token.

``python -m tt.auth.bootstrap --username admin --password <pw>`` with auth's environment.
Idempotent: an existing user keeps its id and gets the given password, the admin flag
and the active flag back. The token is the operator's automation token: its rate limits
are raised (``--rate-limit-per-minute``/``--rate-limit-per-hour``), since provisioning
scripts and test suites drive the admin API with it far beyond an app's traffic.
The last line on stdout is one JSON object ``{"username", "password", "user_id",
"token"}`` (what ``./dev up`` records).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from tt.auth.passwords import Passwords
from tt.auth.publishers import publish_user
from tt.auth.settings import AuthSettings
from tt.auth.tokens import service as tokens
from tt.auth.users import repository as users
from tt.auth.users import service as user_service
from tt.auth.users.schemas import UserCreate
from tt.auth.verify.ratelimit import bump_epoch
from tt.common.contracts import auth as contracts
from tt.common.db import unit_of_work
from tt.common.identity import ADMIN_SCOPE
from tt.common.resources import Resources

DEFAULT_LIMITS = (10_000, 1_000_000)


async def bootstrap(
    settings: AuthSettings,
    username: str,
    password: str,
    limits: tuple[int | None, int | None] = DEFAULT_LIMITS,
) -> dict[str, object]:
    resources = Resources.open(settings)
    passwords = Passwords(settings)
    try:
        async with unit_of_work(resources.sessions) as session:
            user = await users.by_username(session, username)
            if user is None:
                data = UserCreate(username=username, password=password, is_admin=True)
                user = await user_service.create_user(session, resources.outbox, passwords, data)
            else:
                user.password_hash = await passwords.hash(password)
                if not (user.is_admin and user.is_active):
                    user.is_admin = True
                    user.is_active = True
                    user.version += 1
                    await session.flush()
                    await publish_user(resources.outbox, session, user, contracts.USER_UPDATED)
            _, token = await tokens.create_token(
                session,
                resources.outbox,
                user_id=user.id,
                name="Admin token (bootstrap)",
                scopes=[ADMIN_SCOPE],
                description="Created by tt.auth.bootstrap",
                limits=limits,
            )
        await bump_epoch(resources.redis)
        return {"username": user.username, "password": password, "user_id": user.id, "token": token}
    finally:
        await resources.close()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--rate-limit-per-minute", type=int, default=DEFAULT_LIMITS[0])
    parser.add_argument("--rate-limit-per-hour", type=int, default=DEFAULT_LIMITS[1])
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    limits = (args.rate_limit_per_minute, args.rate_limit_per_hour)
    result = asyncio.run(bootstrap(AuthSettings(), args.username, args.password, limits))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
