"""Reading a spooled CSV back, one record at a time (never the whole file in memory).

UTF-8 only (docs/api.md §5), with or without a byte-order mark; comma, semicolon
or tab separated (judged from the header line); quoted fields may span lines. Files that
are not text, or not UTF-8, are refused as a whole with a message saying what they are.
Records are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import IO

from tt.time.imports.dialect import Header, HeaderError, read_header, sniff_delimiter

# Longest cell accepted by the parser (notes are limited to 5,000 characters later).
MAX_CELL = 65_536
SNIFF_BYTES = 8192
_UTF16_32_BOMS = (
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)
# Files that are plainly not CSV, by their first bytes.
_BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive (an .xlsx workbook?)",
    b"\xd0\xcf\x11\xe0": "an Office document (an .xls workbook?)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
}

csv.field_size_limit(MAX_CELL)


class FileProblem(ValueError):
    """The upload as a whole cannot be read as CSV (reported under ``file``)."""


class RowProblem(ValueError):
    """One record cannot be parsed; the file cannot be read past it."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row


def _check_start(head: bytes) -> None:
    if head.startswith(_UTF16_32_BOMS) and not head.startswith(codecs.BOM_UTF8):
        raise FileProblem("The file is UTF-16 or UTF-32 encoded; save it as UTF-8 CSV")
    for signature, what in _BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise FileProblem(f"The file is {what}, not a CSV text file")
    if b"\x00" in head:
        raise FileProblem("The file contains NUL bytes: it is binary, not a CSV text file")


class CsvReader:
    """The records of one spooled CSV; ``header`` is read on construction."""

    def __init__(self, file: IO[bytes]) -> None:
        self._raw = file
        _check_start(file.read(SNIFF_BYTES))
        file.seek(0)
        # utf-8-sig drops a leading byte-order mark (Excel writes one).
        self._text = io.TextIOWrapper(file, encoding="utf-8-sig", errors="strict", newline="")
        try:
            first = self._text.readline()
        except UnicodeDecodeError as exc:
            raise _not_utf8(exc) from None
        if not first.strip():
            raise FileProblem("The first row must name the columns (it is empty)")
        self.delimiter = sniff_delimiter(first)
        self._records = csv.reader(_chain(first, self._text), delimiter=self.delimiter, strict=True)
        self.row = 1
        try:
            names = next(self._records)
        except csv.Error as exc:
            raise FileProblem(f"The header row is not valid CSV: {exc}") from None
        try:
            self.header: Header = read_header(names)
        except HeaderError as exc:
            raise FileProblem(str(exc)) from None

    @property
    def bytes_read(self) -> int:
        """How far into the file the reader is (for progress)."""
        return self._raw.tell()

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        """``(row number, cells)`` for every record after the header; blank lines are
        skipped but still counted, so numbers match what a spreadsheet shows."""
        while True:
            try:
                cells = next(self._records)
            except StopIteration:
                return
            except csv.Error as exc:
                raise RowProblem(self.row + 1, f"Not valid CSV: {exc}") from None
            except UnicodeDecodeError as exc:
                raise _not_utf8(exc) from None
            self.row += 1
            if any(cell.strip() for cell in cells):
                yield self.row, cells


def _chain(first: str, rest: IO[str]) -> Iterator[str]:
    yield first
    yield from rest


def _not_utf8(exc: UnicodeDecodeError) -> FileProblem:
    return FileProblem(
        f"The file is not valid UTF-8 (invalid byte 0x{exc.object[exc.start]:02x}); "
        "save it as CSV UTF-8"
    )
