"""Answers of the CSV import routes: the import job a client polls, the import's own
answer, and its refusal (400) naming every bad row."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from tt.common.errors import ErrorBody
from tt.common.openapi import Answer, page_of
from tt.time.imports.models import IMPORT_STATUSES

ImportStatus = Literal["receiving", "validating", "writing", "completed", "failed"]
assert set(ImportStatus.__args__) == set(IMPORT_STATUSES)  # type: ignore[attr-defined]


class ImportJob(Answer):
    """An import as ``views.job_view`` shows it."""

    id: int
    user_id: int
    status: ImportStatus
    form: Literal["multipart", "json", "csv"]
    filename: str | None
    bytes_total: int | None
    bytes_read: int
    progress: float = Field(ge=0, le=1)
    rows_read: int
    rows_invalid: int
    rows_imported: int
    message: str | None
    errors: dict[str, list[str]]
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


class ImportAnswer(Answer):
    import_: ImportJob = Field(alias="import")


ImportPage = page_of(ImportJob, "imports", "ImportPage")


class Imported(Answer):
    """A completed import (200, with ``Location: /api/v1/imports/<id>``)."""

    success: Literal[True]
    message: str
    created: int
    failed: Literal[0]
    errors: dict[str, list[str]]
    import_: ImportJob = Field(alias="import")


class RowProblem(Answer):
    row: int
    column: str | None
    message: str


class ImportRefused(ErrorBody):
    """A refused import (400 ``validation_error``): ``errors`` keyed ``row <n>``, and for
    a file that was read, every problem in ``rows``, the count of bad rows in ``failed``
    and the failed ``import`` job."""

    rows: list[RowProblem] | None = None
    created: Literal[0] | None = None
    failed: int | None = None
    import_: ImportJob | None = Field(default=None, alias="import")
