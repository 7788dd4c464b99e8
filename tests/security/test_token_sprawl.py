"""Finding 8: app logins cannot mint tokens without bound, and a user's tokens share one
limit. Each app login still answers a new token (its text cannot be shown twice, so
none is reused); the user's oldest app-login tokens beyond five are revoked. All of a
user's tokens together get 300 requests a minute (each token keeps its own 100)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from support.api import TIMEOUT, User, Users, token_client


def _app_login(gateway_url: str, user: User) -> str:
    r = httpx.post(
        gateway_url + "/api/v1/auth/login",
        json={"username": user.username, "password": user.password},
        timeout=TIMEOUT,
    )
    assert r.status_code == 200, r.text
    token: str = r.json()["token"]
    return token


def test_app_logins_keep_at_most_five_live_tokens(gateway_url: str, user: User) -> None:
    tokens = [_app_login(gateway_url, user) for _ in range(7)]
    statuses = []
    for token in tokens:
        with token_client(gateway_url, token) as api:
            statuses.append(api.get("/api/v1/users/me").status_code)
    assert statuses == [401, 401, 200, 200, 200, 200, 200], statuses


def test_a_users_tokens_share_one_limit(gateway_url: str, users: Users, user: User) -> None:
    tokens = [users.token_for(user.id, ["read:projects"])[0] for _ in range(4)]

    def spend(token: str) -> list[int]:
        with token_client(gateway_url, token) as api:
            return [api.get("/api/v1/projects").status_code for _ in range(90)]

    with ThreadPoolExecutor(4) as pool:
        statuses = [s for batch in pool.map(spend, tokens) for s in batch]
    # 360 requests, at most 90 per token (under each token's 100): the user's 300 holds.
    assert statuses.count(200) <= 300, statuses.count(200)
    assert statuses.count(429) >= 60, statuses.count(429)
    assert set(statuses) <= {200, 429}
