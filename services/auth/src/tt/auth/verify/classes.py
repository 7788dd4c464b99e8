"""Which credentials a path accepts (docs/api.md §1), decided from the forwarded URI.

| class          | paths                                         | accepts                         |
|----------------|-----------------------------------------------|---------------------------------|
| TOKEN          | ``/api/v1/...``                               | API token only                  |
| TIMETRACK      | ``/api/v2/ext/...``                           | TimeTrack key + secret          |
| ADMIN_LEGACY   | ``/api/version/...``                          | admin session or admin token    |
| SESSION_JSON   | every other ``/api/...`` (legacy dashboard)   | session only                    |
| PAGE           | ``/dashboard/...`` and other pages            | session (HTML: redirect)        |
| ADMIN_PAGE     | ``/admin/...``                                | admin session (HTML: redirect)  |
"""

from __future__ import annotations

from enum import Enum

from tt.common.identity import normalise_path

__all__ = ["UNSAFE_METHODS", "RouteClass", "classify", "normalise_path"]


class RouteClass(Enum):
    TOKEN = "token"  # noqa: S105 (a route class)
    TIMETRACK = "timetrack"
    ADMIN_LEGACY = "admin_legacy"
    SESSION_JSON = "session_json"
    PAGE = "page"
    ADMIN_PAGE = "admin_page"


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def classify(path: str) -> RouteClass:
    if path == "/api/v1" or path.startswith("/api/v1/"):
        return RouteClass.TOKEN
    if path.startswith("/api/v2/ext/") or path == "/api/v2/ext":
        return RouteClass.TIMETRACK
    if path.startswith("/api/version/"):
        return RouteClass.ADMIN_LEGACY
    if path.startswith("/api/"):
        return RouteClass.SESSION_JSON
    if path == "/admin" or path.startswith("/admin/"):
        return RouteClass.ADMIN_PAGE
    return RouteClass.PAGE
