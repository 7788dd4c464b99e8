"""Turning what a caller typed into something safe to search with (pure).

User text never reaches ``to_tsquery`` as syntax: the query is split into words
(letters, digits, underscore), each becomes a quoted prefix term, and the terms are
ANDed. Quotes, ``&``, ``|``, ``!``, ``:*`` and backslashes are just characters; they
still take part in the substring match, where ``%``, ``_`` and ``\\`` are escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tt.common.errors import ValidationFailed
from tt.search.documents.indexing import KINDS

MIN_QUERY_LENGTH = 2
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
# More words add nothing to a search box query but cost planning time.
MAX_TERMS = 16
# Shorter substrings have no trigram to use the index with; prefix and trigram
# matching still cover them.
MIN_SUBSTRING_LENGTH = 3
# Shorter words are only matched as prefixes: too few trigrams to tell a typo by.
MIN_TYPO_WORD_LENGTH = 3

# Sorts after every character in byte order: "abc" <= x < "abc" + LAST_CHARACTER is
# every x starting with "abc".
LAST_CHARACTER = "\U0010ffff"

_WORD = re.compile(r"\w+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A normalised query and the forms the SQL needs."""

    text: str
    # The words, lowercased (at most MAX_TERMS): each a prefix, or a typo of a word.
    words: tuple[str, ...]
    tsquery: str | None
    substring_pattern: str | None
    # Names starting with the query: name_from <= name < name_to, in byte order.
    name_from: str
    name_to: str


def normalise(raw: str | None) -> str:
    """Trimmed, control characters gone, runs of whitespace as one space."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", raw or "")).strip()


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def build_query(text: str) -> SearchQuery:
    """The search forms of an already normalised, long enough query."""
    lowered = text.lower()
    words = _WORD.findall(lowered)[:MAX_TERMS]
    escaped = _escape_like(lowered)
    return SearchQuery(
        text=text,
        words=tuple(words),
        tsquery=" & ".join(f"'{w}':*" for w in words) or None,
        substring_pattern=f"%{escaped}%" if len(lowered) >= MIN_SUBSTRING_LENGTH else None,
        name_from=lowered,
        name_to=lowered + LAST_CHARACTER,
    )


def check_length(text: str, max_length: int) -> None:
    """400 unless ``MIN_QUERY_LENGTH <= len(text) <= max_length``."""
    if len(text) < MIN_QUERY_LENGTH:
        raise ValidationFailed.field(
            "q", f"Search query must be at least {MIN_QUERY_LENGTH} characters"
        )
    if len(text) > max_length:
        raise ValidationFailed.field("q", f"Search query must be at most {max_length} characters")


def parse_types(raw: str | None) -> tuple[str, ...]:
    """``project,task`` -> the kinds in result order; none given means all of them."""
    wanted = {part.strip().lower() for part in (raw or "").split(",")} - {""}
    unknown = sorted(wanted - set(KINDS))
    if unknown:
        raise ValidationFailed.field(
            "types",
            f"Unknown type(s): {', '.join(unknown)}; use a comma list of {', '.join(KINDS)}",
        )
    return tuple(k for k in KINDS if k in wanted) if wanted else KINDS


def clamp_limit(limit: int) -> int:
    """Results per category: at most ``MAX_LIMIT``, larger values are clamped."""
    return min(limit, MAX_LIMIT)
