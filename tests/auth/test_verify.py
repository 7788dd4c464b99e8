"""``/internal/verify`` called as Traefik calls it: route classes, credentials, CSRF,
redirects, the signed identity, rate-limit headers and hostile input."""

from __future__ import annotations

from contextlib import closing

import httpx
import jwt
import pytest
from authkit import verify

from support.api import User, assert_error, browser_session
from support.platform import PlatformInfo
from tt.common.identity import USER_SCOPES, IdentityVerifier

LEGACY_SESSION_PATHS = [
    "/api/search?q=ab",
    "/api/timer/start",
    "/api/timer/resume",
    "/api/projects/7/tasks",
    "/api/productivity/stats",
    "/api/stats/value-dashboard",
]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def cookie_of(browser: httpx.Client) -> dict[str, str]:
    return {"Cookie": f"tt_session={browser.cookies['tt_session']}"}


def identity_of(platform: PlatformInfo, response: httpx.Response) -> dict[str, object]:
    header = response.headers["X-TT-Identity"]
    claims = dict(jwt.decode(header, options={"verify_signature": False}))
    # Signed, and bound to the request line verify was asked about.
    IdentityVerifier(platform.secrets["identity_public_key"]).verify(
        header, str(claims["mth"]), str(claims["pth"])
    )
    return claims


def test_a_token_on_v1_passes_with_a_signed_identity_and_headers(
    platform: PlatformInfo, user: User
) -> None:
    r = verify(platform, "/api/v1/projects?page=2", headers=bearer(user.token))
    assert r.status_code == 200, r.text
    claims = identity_of(platform, r)
    assert claims["sub"] == str(user.id)
    assert claims["usr"] == user.username
    assert claims["amr"] == "token"
    assert claims["tid"] == user.token_id
    assert sorted(claims["scp"]) == sorted(USER_SCOPES)  # type: ignore[arg-type]
    assert claims["adm"] is False
    assert claims["tz"] == "UTC"
    assert int(claims["exp"]) - int(claims["iat"]) <= 60  # type: ignore[call-overload]
    assert r.headers["X-RateLimit-Limit"] == "100"
    assert int(r.headers["X-RateLimit-Remaining"]) <= 99
    assert r.headers["RateLimit-Policy"] == '"minute";q=100;w=60, "hour";q=1000;w=3600'
    assert r.headers["RateLimit"].startswith('"minute";r=')


INVALID = "Invalid token"


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ({}, "Authentication required"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "Authentication required"),
        ({"Authorization": "Bearer"}, "Authentication required"),
        ({"Authorization": "Basic dXNlcjpwYXNz", "X-API-Key": "tt_" + "c" * 32}, INVALID),
        ({"Authorization": "Token tt_" + "d" * 32}, INVALID),
        ({"Authorization": "Bearer tt_short"}, INVALID),
        ({"Authorization": "Bearer xx_" + "a" * 32}, INVALID),
        ({"Authorization": "Bearer tt_" + "a" * 33}, INVALID),
        ({"Authorization": "Bearer tt_" + "a" * 31 + "!"}, INVALID),
        ({"Authorization": "Bearer tt_" + "a" * 32}, INVALID),
        ({"Authorization": "Bearer tt_" + "a" * 8000}, INVALID),
        ({"X-API-Key": "tt_" + "b" * 32}, INVALID),
    ],
)
def test_missing_malformed_and_unknown_tokens_are_401(
    platform: PlatformInfo, headers: dict[str, str], error: str
) -> None:
    r = verify(platform, "/api/v1/projects", headers=headers)
    body = assert_error(r, 401, "unauthorized")
    assert body["error"] == error
    assert "X-TT-Identity" not in r.headers
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_and_api_key_headers_as_the_reference_server_reads_them(
    platform: PlatformInfo, user: User
) -> None:
    for headers in (
        {"Authorization": f"Token {user.token}"},
        {"Authorization": f"bearer {user.token}"},
        {"X-API-Key": user.token},
        {"Authorization": "Basic dXNlcjpwYXNz", "X-API-Key": user.token},
    ):
        r = verify(platform, "/api/v1/projects", headers=headers)
        assert r.status_code == 200, (headers, r.text)


def test_a_session_is_not_accepted_on_v1(platform: PlatformInfo, user: User) -> None:
    with closing(browser_session(platform.gateway_url, user.username, user.password)) as browser:
        r = verify(platform, "/api/v1/projects", headers=cookie_of(browser))
        assert_error(r, 401, "unauthorized")


@pytest.mark.parametrize("path", LEGACY_SESSION_PATHS)
def test_legacy_dashboard_routes_take_a_session_and_refuse_tokens(
    platform: PlatformInfo, user: User, path: str
) -> None:
    refused = verify(platform, path, headers=bearer(user.token))
    body = assert_error(refused, 401, "unauthorized")
    assert "session" in body["message"]
    with closing(browser_session(platform.gateway_url, user.username, user.password)) as browser:
        r = verify(platform, path, headers=cookie_of(browser))
        assert r.status_code == 200, r.text
        claims = identity_of(platform, r)
        assert claims["amr"] == "session"
        assert claims["csrf"] == browser.headers["X-CSRF-Token"]
        assert r.headers["X-RateLimit-Limit"] == "100"


def test_unsafe_session_requests_need_the_csrf_token(platform: PlatformInfo, user: User) -> None:
    with closing(browser_session(platform.gateway_url, user.username, user.password)) as browser:
        cookie = cookie_of(browser)
        for headers in ({}, {"X-CSRF-Token": "wrong"}):
            r = verify(platform, "/api/timer/start", method="POST", headers={**cookie, **headers})
            body = assert_error(r, 403, "forbidden")
            assert "CSRF" in body["error"]
        ok = verify(
            platform,
            "/api/timer/start",
            method="POST",
            headers={**cookie, "X-CSRF-Token": browser.headers["X-CSRF-Token"]},
        )
        assert ok.status_code == 200
        # Safe methods need none.
        assert verify(platform, "/api/search?q=ab", headers=cookie).status_code == 200


def test_pages_redirect_browsers_without_a_session_to_login(platform: PlatformInfo) -> None:
    html = {"Accept": "text/html,application/xhtml+xml"}
    r = verify(platform, "/dashboard/productivity?range=week", headers=html)
    assert r.status_code == 302
    assert r.headers["Location"] == (
        platform.gateway_url + "/login?next=%2Fdashboard%2Fproductivity%3Frange%3Dweek"
    )
    assert_error(verify(platform, "/dashboard/productivity"), 401, "unauthorized")


def test_admin_pages_need_an_admin_session(
    platform: PlatformInfo, user: User, admin_user: User
) -> None:
    with closing(browser_session(platform.gateway_url, user.username, user.password)) as browser:
        for page in ("/admin/api-tokens", "/admin/webhooks"):
            assert_error(verify(platform, page, headers=cookie_of(browser)), 403, "forbidden")
        assert verify(platform, "/dashboard/productivity", headers=cookie_of(browser)).is_success
    with closing(
        browser_session(platform.gateway_url, admin_user.username, admin_user.password)
    ) as browser:
        r = verify(platform, "/admin/webhooks", headers=cookie_of(browser))
        assert r.status_code == 200
        assert identity_of(platform, r)["scp"] == ["admin:all"]
    # A token is no way into a page.
    assert_error(
        verify(platform, "/admin/api-tokens", headers=bearer(admin_user.token)), 401, "unauthorized"
    )


def test_version_routes_take_an_admin_session_or_an_admin_token(
    platform: PlatformInfo, user: User, admin_user: User
) -> None:
    assert verify(platform, "/api/version/check", headers=bearer(admin_user.token)).is_success
    denied = assert_error(
        verify(platform, "/api/version/check", headers=bearer(user.token)), 403, "forbidden"
    )
    assert denied["required_scope"] == "admin:all"
    assert_error(verify(platform, "/api/version/check"), 401, "unauthorized")
    with closing(browser_session(platform.gateway_url, user.username, user.password)) as browser:
        assert_error(
            verify(platform, "/api/version/check", headers=cookie_of(browser)), 403, "forbidden"
        )
    with closing(
        browser_session(platform.gateway_url, admin_user.username, admin_user.password)
    ) as browser:
        assert verify(platform, "/api/version/check", headers=cookie_of(browser)).is_success


def test_the_path_is_judged_as_the_gateway_routes_it(platform: PlatformInfo, user: User) -> None:
    # Dot segments and encodings cannot make a legacy route look like /api/v1.
    for sneaky in ("/api/v1/../search?q=ab", "/api/v1/%2e%2e/search", "//api/v1/../timer/start"):
        r = verify(platform, sneaky, headers=bearer(user.token))
        assert_error(r, 401, "unauthorized")


def test_header_injection_and_oversized_values_are_refused(platform: PlatformInfo) -> None:
    for value in ("tt_" + "a" * 32 + "\r\nX-TT-Identity: forged", "tt_" + "é" * 32):
        with httpx.Client() as client:
            try:
                r = client.get(
                    platform.internal_url("auth") + "/internal/verify",
                    headers={"X-Forwarded-Uri": "/api/v1/projects", "X-API-Key": value},
                )
            except (httpx.LocalProtocolError, UnicodeEncodeError):
                continue  # the client refuses to send it, which is just as good
            assert_error(r, 401, "unauthorized")
            assert "X-TT-Identity" not in r.headers
    huge = {"Cookie": "tt_session=" + "x" * 6000, "Accept": "text/html"}
    r = verify(platform, "/dashboard/productivity", headers=huge)
    assert r.status_code == 302


def test_a_deactivated_users_session_ends(
    platform: PlatformInfo, user: User, admin_api: httpx.Client
) -> None:
    with closing(browser_session(platform.gateway_url, user.username, user.password)) as browser:
        assert verify(platform, "/api/search?q=ab", headers=cookie_of(browser)).is_success
        assert admin_api.delete(f"/api/v1/admin/users/{user.id}").is_success
        assert_error(
            verify(platform, "/api/search?q=ab", headers=cookie_of(browser)), 401, "unauthorized"
        )
