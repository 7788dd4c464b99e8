"""WHERE clauses for raw reads on the session's own connection (``tt.common.db.driver``).

SQLAlchemy's per-row result processing costs about ten times the query itself on the
service's busiest reads; those run on the asyncpg connection under the session instead
(inside its transaction if one has begun, else as single autocommit statements, which
is all a read needs).
"""

from __future__ import annotations

from typing import Any


class Conditions:
    """A WHERE clause for those raw reads: conditions joined by AND, their values bound as
    ``$1``, ``$2``, ... in the order they are added."""

    def __init__(self, *fixed: str) -> None:
        self._clauses = list(fixed)
        self._values: list[Any] = []

    def add(self, condition: str, value: Any) -> None:
        """``condition`` with ``?`` where ``value`` goes."""
        self._values.append(value)
        self._clauses.append(condition.replace("?", f"${len(self._values)}"))

    def add_fixed(self, condition: str) -> None:
        self._clauses.append(condition)

    def where(self) -> tuple[str, list[Any]]:
        """`` WHERE ...`` (empty without conditions) and the values to bind."""
        sql = " WHERE " + " AND ".join(self._clauses) if self._clauses else ""
        return sql, self._values
