"""What the OpenAPI conformance run puts around schemathesis' generated cases: users of
its own, for each operation fresh credentials of the kind the document asks for and
resources of its own (``conformance_recipes``), and ids that reach only those.

Generated ids are random, and an admin reaches everyone's entries, users and tokens: a
case that sent ``DELETE /api/v1/admin/api-tokens/1`` would revoke the platform admin's
token and break every test after it. So a positive case's path names the operation's
own resource, a negative case's path id is unknown, and every ``*_id``/``*_ids`` in a
body becomes one of the operation's resources (even values) or an unknown id (odd
ones); an id is whatever a server could read as one, digit strings included. No case
reaches what another test made, and both answers are checked.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from conformance_recipes import RECIPES, STATES, answer, unique
from schemathesis import Case, Response
from schemathesis.core.parameters import ParameterLocation

from support.api import TIMEOUT

# An id no row has: past every sequence a test platform reaches, within JavaScript's
# safe integers and PostgreSQL's bigint.
UNKNOWN_ID = 2**53 - 1
ID_SUFFIXES = ("_id", "_ids")
# Path values come percent-encoded; these are an encoded slash, backslash and NUL.
GATEWAY_REFUSED = re.compile(r"%(2f|5c|00)", re.IGNORECASE)
# Sign-in routes count attempts per client address. Through the gateway every test
# shares 127.0.0.1, and failed attempts would lock the others out of signing in for a
# minute; so these cases go straight to auth (which trusts the loopback proxy's
# X-Forwarded-For), each from an address of its own, as the login-limit tests do.
SIGN_IN_PATHS = frozenset({"/login", "/api/v1/auth/login"})
KNOWN_SCHEMES = frozenset(
    {"bearerToken", "apiKeyHeader", "session", "timetrack", "timetrackSecret"}
)
# Raised limits: an operation's cases must not meet the rate limit they check.
LIMITS = {"rate_limit_per_minute": 100_000, "rate_limit_per_hour": 1_000_000}


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    password: str


class Cast:
    """The run's users, made once (a user costs a password hash): the actor, an admin
    who sends every case; the subject, whom admin routes act on (so no case demotes,
    deactivates or signs out the actor); the signer, whose name sign-in cases use (so
    failed attempts lock out no one else)."""

    def __init__(self, gateway_url: str, admin_token: str) -> None:
        self.gateway_url = gateway_url
        # One client for every set-up request (each client builds a TLS context).
        self.http = httpx.Client(base_url=gateway_url, timeout=TIMEOUT)
        self._admin = {"Authorization": f"Bearer {admin_token}"}
        self.actor, self.subject, self.signer = (self._user() for _ in range(3))

    def _user(self) -> Account:
        username, password = unique("conformance"), f"pw-{uuid.uuid4().hex}"
        body = {"username": username, "email": f"{username}@example.test", "password": password,
                "is_admin": True}  # fmt: skip
        r = self.http.post("/api/v1/admin/users", json=body, headers=self._admin)
        return Account(int(answer(r, "user")["id"]), username, password)

    def token(self, user: Account) -> tuple[str, int]:
        """A new ``admin:all`` token of ``user`` with raised limits: its text and id."""
        body = {"name": unique("token"), "user_id": user.id, "scopes": ["admin:all"], **LIMITS}
        r = self.http.post("/api/v1/admin/api-tokens", json=body, headers=self._admin)
        return str(r.json()["token"]), int(answer(r, "api_token")["id"])

    def close(self) -> None:
        """Deactivate the run's users: their tokens stop working and their webhooks
        (an admin's get every event) stop receiving the events of the tests after."""
        for user in (self.actor, self.subject, self.signer):
            r = self.http.delete(f"/api/v1/admin/users/{user.id}", headers=self._admin)
            assert r.status_code == 200, r.text
        self.http.close()


@dataclass
class Sandbox:
    """One operation's credentials and resources, made when a case first needs them."""

    cast: Cast
    auth_url: str
    ids: dict[str, int] = field(default_factory=dict)
    webhooks: list[int] = field(default_factory=list)
    _session: dict[str, str] | None = None
    _timetrack: dict[str, str] | None = None

    def __post_init__(self) -> None:
        self.token, _ = self.cast.token(self.cast.actor)
        self.subject_id = self.cast.subject.id

    # ------------------------------------------------------------------ a case

    def prepare(self, case: Case) -> dict[str, Any]:
        """Put the operation's own ids and credentials on ``case``; the keyword
        arguments for ``case.call``."""
        self._own_ids(case)
        if case.operation.label in STATES:
            STATES[case.operation.label](self)
        headers, cookies = self._credentials(schemes_of(case))
        base_url = self.cast.gateway_url
        if case.operation.path in SIGN_IN_PATHS:
            base_url = self.auth_url
            headers["X-Forwarded-For"] = fresh_address()
            self._sign_in_as_signer(case)
        return {"base_url": base_url, "headers": headers, "cookies": cookies}

    def answered(self, case: Case, response: Response) -> None:
        """A session that changed something may have ended itself (``POST /logout``):
        the next case signs in again. Tokens need no such care: no case reaches the
        actor's. A webhook a case made is remembered, to be deleted with the sandbox."""
        changed = case.method.upper() != "GET" and response.status_code < 300
        if self._session is not None and changed:
            self._session = None
        if case.operation.label == "POST /api/v1/webhooks" and response.status_code == 201:
            self.webhooks.append(int(response.json()["webhook"]["id"]))

    def close(self) -> None:
        """Delete the operation's webhooks: they deliver to whatever URL a case named, and
        the actor is an admin, whose subscriptions get every event of every later test."""
        made = self.webhooks + ([self.ids["webhook_id"]] if "webhook_id" in self.ids else [])
        for webhook in made:
            r = self.call("DELETE", f"/api/v1/webhooks/{webhook}")
            assert r.status_code in (200, 204, 404), r.text

    def _credentials(self, schemes: set[str]) -> tuple[dict[str, str], dict[str, str]]:
        """Headers and cookies for the document's security requirement."""
        if "bearerToken" in schemes:
            return {"Authorization": f"Bearer {self.token}"}, {}
        if "apiKeyHeader" in schemes:
            return {"X-API-Key": self.token}, {}
        if "session" in schemes:
            session = self._signed_in()
            return {"X-CSRF-Token": session["csrf"]}, {"tt_session": session["cookie"]}
        if "timetrack" in schemes:
            return dict(self._timetrack_key()), {}
        return {}, {}

    def _signed_in(self) -> dict[str, str]:
        """A browser session of the actor: its cookie and CSRF token."""
        if self._session is None:
            actor = self.cast.actor
            body = {"username": actor.username, "password": actor.password}
            r = self.cast.http.post("/login", json=body)
            self.cast.http.cookies.clear()  # cases send the session; set-up requests do not
            answer(r, "user")
            self._session = {"cookie": r.cookies["tt_session"], "csrf": r.json()["csrf_token"]}
        return self._session

    def _timetrack_key(self) -> dict[str, str]:
        """A TimeTrack key of the actor: its key and secret headers."""
        if self._timetrack is None:
            body = {"user_id": self.cast.actor.id}
            r = self.call("POST", "/api/v1/admin/timetrack-keys", json=body)
            self._timetrack = {
                "X-TimeTrack-Api-Key": answer(r, "timetrack_key")["api_key"],
                "X-TimeTrack-Api-Secret": r.json()["api_secret"],
            }
        return self._timetrack

    def _sign_in_as_signer(self, case: Case) -> None:
        """Sign-in bodies name the signer; an even-length password becomes its real one
        (200), any other stays as generated (401, then 429 after five)."""
        if not isinstance(case.body, dict):
            return
        body = dict(case.body)
        if isinstance(body.get("username"), str):
            body["username"] = self.cast.signer.username
        password = body.get("password")
        if isinstance(password, str) and len(password) % 2 == 0:
            body["password"] = self.cast.signer.password
        case.body = body

    # ------------------------------------------------------------------ ids

    def _own_ids(self, case: Case) -> None:
        if case.path_parameters:
            negative = case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)
            case.path_parameters = {
                name: self._path_id(name, value, negative)
                for name, value in case.path_parameters.items()
            }
        if isinstance(case.body, dict) and any(key.endswith(ID_SUFFIXES) for key in case.body):
            case.body = {key: self._body_id(key, value) for key, value in case.body.items()}

    def _path_id(self, name: str, value: Any, negative: bool) -> Any:
        if not negative:
            return self.id_of(name)
        # A negative case keeps its invalid value, but what reads as an id is unknown.
        if id_in(value) is not None:
            return UNKNOWN_ID
        if isinstance(value, str):
            # The gateway refuses an encoded slash, backslash or NUL in a path before
            # routing (Traefik's guard against path confusion) with an empty 400 that
            # no service wrote; every other character reaches the service.
            return GATEWAY_REFUSED.sub("_", value)
        return value

    def _body_id(self, name: str, value: Any) -> Any:
        if name.endswith("_ids") and isinstance(value, list):
            return [self._body_id(name.removesuffix("s"), item) for item in value]
        number = id_in(value)
        if name.endswith("_id") and number is not None:
            return self.id_of(name) if number % 2 == 0 else UNKNOWN_ID
        return value

    # ------------------------------------------------------------------ for recipes

    def id_of(self, name: str) -> int:
        """This operation's resource for an id named ``name`` (made the first time),
        or an unknown id when there is no recipe for it."""
        recipe = RECIPES.get(name)
        if recipe is None:
            return UNKNOWN_ID
        if name not in self.ids:
            self.ids[name] = recipe(self)
        return self.ids[name]

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A set-up request of the actor, with this operation's token."""
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.cast.http.request(method, path, headers=headers, **kwargs)

    def subject_token_id(self) -> int:
        return self.cast.token(self.cast.subject)[1]


class Sandboxes:
    """The sandbox of the operation being run (operations run one after another)."""

    def __init__(self, cast: Cast, auth_url: str) -> None:
        self.cast, self.auth_url = cast, auth_url
        self.label: str | None = None
        self.current: Sandbox | None = None

    def for_operation(self, label: str) -> Sandbox:
        if self.current is None or label != self.label:
            self.close()
            self.current, self.label = Sandbox(self.cast, self.auth_url), label
        return self.current

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None


def id_in(value: Any) -> int | None:
    """The positive integer a server could read ``value`` as (an integer, a whole float,
    a digit string, ``true``), or None."""
    if isinstance(value, bool):
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if number > 0 else None


def schemes_of(case: Case) -> set[str]:
    """The security schemes of the operation's first requirement this run can meet:
    none for a public route."""
    document = case.operation.schema.raw_schema
    requirements = case.operation.definition.raw.get("security", document.get("security", []))
    for requirement in requirements:
        if set(requirement) <= KNOWN_SCHEMES:
            return set(requirement)
    return set()


def fresh_address() -> str:
    """A client address nobody else uses."""
    return str(ipaddress.IPv6Address((0xFD << 120) | secrets.randbits(64)))
