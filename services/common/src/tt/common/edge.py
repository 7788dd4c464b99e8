"""Text PostgreSQL cannot store, refused once at the edge of every service.

PostgreSQL refuses a NUL character in any text value, and a lone UTF-16 surrogate (which
JSON can spell, ``"\\ud800"``) cannot be encoded to UTF-8 at all. Either one reaching a
query is a 500, and 500s are what take a server out of a load balancer; so every string
a route can receive (the path, every query parameter, JSON and form bodies) is checked
here, before any route runs, and such input is a 400 ``validation_error``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from tt.common.errors import ValidationFailed

UNSTORABLE = "contains a character that cannot be stored (NUL or an unpaired surrogate)"


def storable(text: str) -> bool:
    """False for text PostgreSQL refuses: NUL, or a surrogate with no UTF-8 encoding."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def make_storable(text: str) -> str:
    """``text`` with what PostgreSQL refuses replaced by U+FFFD (for text we record but
    did not write ourselves, such as a webhook receiver's reply)."""
    if storable(text):
        return text
    return "".join("\ufffd" if c == "\x00" or 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def refused(field: str) -> ValidationFailed:
    """The 400 for unstorable input in ``field``."""
    return ValidationFailed.field(field, f"The value {UNSTORABLE}")


def check_target(path: str, query_string: bytes) -> None:
    """Raise ValidationFailed when the path or a query parameter cannot be stored."""
    if not storable(path):
        raise refused("path")
    if not query_string:
        return
    # The same parsing Starlette's QueryParams does, so we check what routes will see.
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if not storable(name):
            raise refused("query")
        if not storable(value):
            raise refused(name)


def check_form(body: bytes) -> None:
    """Raise ValidationFailed when an urlencoded form field cannot be stored."""
    for name, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
        if not storable(name) or not storable(value):
            raise refused(name if storable(name) else "body")


def check_json(body: bytes) -> None:
    """Raise ValidationFailed when a string in a JSON body cannot be stored.

    Only bodies that spell an escape (``\\u``) can hold such a string (a raw NUL byte is
    not valid JSON); malformed JSON is left to the route's own parsing and its 400.
    """
    if b"\\u" not in body:
        return
    try:
        document = json.loads(body)
    except ValueError:
        return
    for where, text in _strings(document, "body"):
        if not storable(text):
            raise refused(where)


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield where, key
            # Errors name the top-level field, as the routes' own validation does.
            yield from _strings(item, key if where == "body" else where)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, where)
