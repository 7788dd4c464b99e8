"""The CSV format of time entries (docs/api.md §5), shared by import and export.

Columns are matched case-insensitively, with the contract's aliases; export writes the
importable columns first, then read-only ones (``id``, names, duration), so an export
imports back unchanged. Text cells that a spreadsheet would run as a formula are escaped
on export with a leading apostrophe, and import removes exactly that escape, so the round
trip is lossless (``escape`` and ``unescape`` are inverses).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Importable columns, in export order, with the header names each accepts.
IMPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "project_id": ("project_id", "project id"),
    "task_id": ("task_id", "task id"),
    "start_time": ("start_time", "start"),
    "end_time": ("end_time", "end"),
    "notes": ("notes", "description"),
    "tags": ("tags",),
    "billable": ("billable",),
}
REQUIRED = ("project_id", "start_time", "end_time")
# Written by export after the importable ones; import ignores them (and any other column).
EXPORT_ONLY = ("id", "user", "project", "client", "task", "duration_seconds")
EXPORT_COLUMNS = (*IMPORT_COLUMNS, *EXPORT_ONLY)
# Text cells whose first character makes a spreadsheet evaluate them (OWASP's CSV
# injection list), plus the apostrophe itself so that escaping stays reversible.
FORMULA_TRIGGERS = frozenset("=+-@\t\r'")
DELIMITERS = (",", ";", "\t")

TRUE = frozenset({"true", "yes", "1"})
FALSE = frozenset({"false", "no", "0"})


class HeaderError(ValueError):
    """The header row cannot be used (missing or repeated columns)."""


@dataclass(frozen=True, slots=True)
class Header:
    """Where each importable column sits in a row (absent optional columns are None)."""

    positions: dict[str, int | None]
    width: int

    def cell(self, row: Sequence[str], column: str) -> str:
        index = self.positions[column]
        if index is None or index >= len(row):
            return ""
        return row[index].strip()


def _normalise(name: str) -> str:
    return " ".join(name.strip().lstrip("\ufeff").lower().replace("_", " ").split())


_ALIASES = {
    _normalise(alias): column for column, names in IMPORT_COLUMNS.items() for alias in names
}


def read_header(names: Sequence[str]) -> Header:
    """Map a header row onto the importable columns; unknown columns are ignored."""
    positions: dict[str, int | None] = dict.fromkeys(IMPORT_COLUMNS)
    for index, name in enumerate(names):
        column = _ALIASES.get(_normalise(name))
        if column is None:
            continue
        if positions[column] is not None:
            raise HeaderError(f"Column {column} appears more than once (or with its alias)")
        positions[column] = index
    missing = [column for column in REQUIRED if positions[column] is None]
    if missing:
        raise HeaderError(
            "Missing required column(s): " + ", ".join(missing) + " (the first row must name "
            "the columns: project_id, task_id, start_time, end_time, notes, tags, billable)"
        )
    return Header(positions, len(names))


def sniff_delimiter(header_line: str) -> str:
    """The separator of a file, judged from its header line (Excel writes ``;`` in many
    locales): the most frequent of comma, semicolon and tab outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse_bool(text: str) -> bool | None:
    """``true/false/yes/no/1/0`` (any case); empty is the default (None); else ValueError."""
    lowered = text.strip().lower()
    if not lowered:
        return None
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ValueError("Must be true/false, yes/no or 1/0")


def escape(text: str | None) -> str:
    """A text cell made safe to open in a spreadsheet (a leading apostrophe when it
    starts like a formula)."""
    if not text:
        return ""
    return "'" + text if text[0] in FORMULA_TRIGGERS else text


def unescape(text: str) -> str:
    """The inverse of ``escape``: drops the apostrophe only where ``escape`` added one."""
    if len(text) >= 2 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        return text[1:]
    return text
