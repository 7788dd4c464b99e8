"""The CSV import use case: receive, check every row, then write all rows or none.

1. The upload is spooled as it arrives (``upload``), so no form is held in memory whole
   except the JSON one.
2. Every record is checked by the rules of a v1 create (``rows``); good rows are staged,
   bad ones collected (every column's problem, the first ``MAX_REPORTED`` rows in full).
   Nothing is written while this runs, and no lock is held.
3. If any row is bad: 400 ``validation_error`` with ``errors`` keyed ``row <n>``.
   Otherwise one transaction writes everything (``writer``), with Idempotency-Key support
   (the fingerprint is the upload's SHA-256), and marks the job completed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from tt.common.errors import AppError, ValidationFailed
from tt.common.idempotency import run_create
from tt.common.identity import Identity
from tt.common.resources import Resources
from tt.time.entries.rules import Booking
from tt.time.imports import jobs
from tt.time.imports.reader import CsvReader, FileProblem, RowProblem
from tt.time.imports.rows import BookingCache, Problems, check
from tt.time.imports.staging import Staging
from tt.time.imports.upload import Upload, declared_length, form_of, receive
from tt.time.imports.writer import EntryWriter
from tt.time.publishers import Publisher
from tt.time.settings import TimeSettings

MAX_REPORTED = 100  # rows whose problems an answer lists in full
YIELD_EVERY = 256  # rows checked between yields to the event loop


@dataclass
class Findings:
    """What checking the rows found."""

    rows: int = 0
    invalid: int = 0
    errors: dict[str, list[str]] = field(default_factory=dict)
    details: list[dict[str, Any]] = field(default_factory=list)
    bookings: dict[tuple[int, int | None], Booking] = field(default_factory=dict)

    def add(self, row: int, problems: Problems) -> None:
        self.invalid += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors[f"row {row}"] = [f"{column}: {message}" for column, message in problems]
            self.details += [{"row": row, "column": c, "message": m} for c, m in problems]


async def _check_rows(
    session: AsyncSession, upload: Upload, staging: Staging, tracker: jobs.Tracker
) -> Findings:
    findings = Findings()
    try:
        reader = CsvReader(upload.file)
    except FileProblem as exc:
        findings.invalid = 1
        findings.errors["file"] = [str(exc)]
        return findings
    cache = BookingCache(session, {})
    try:
        for number, cells in reader:
            findings.rows += 1
            staged, problems = await check(reader.header, cells, cache)
            if problems:
                findings.add(number, problems)
            elif staged is not None and not findings.invalid:
                staging.add(staged)  # after the first bad row there is nothing to stage
            if findings.rows % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # a long loop without awaits would stall the service
                await tracker.set(
                    force=False,
                    bytes_read=reader.bytes_read,
                    rows_read=findings.rows,
                    rows_invalid=findings.invalid,
                )
    except RowProblem as exc:
        findings.add(exc.row, [("row", str(exc))])
    except FileProblem as exc:
        findings.invalid += 1
        findings.errors["file"] = [str(exc)]
    findings.bookings = {k: v for k, v in cache.found.items() if isinstance(v, Booking)}
    return findings


class ImportRejected(ValidationFailed):
    """Some rows (or the file) are invalid: nothing was imported."""

    def __init__(self, findings: Findings) -> None:
        if "file" in findings.errors:
            message = findings.errors["file"][0]
        else:
            message = f"{findings.invalid} of {findings.rows} rows are invalid"
        message += "; nothing was imported"
        super().__init__(findings.errors, message)
        self.extra.update(rows=findings.details, created=0, failed=findings.invalid)


async def import_csv(request: Request, identity: Identity, events: Publisher) -> Response:
    """``POST /api/v1/time-entries/import-csv`` for the caller's own entries."""
    res: Resources = request.app.state.resources
    settings: TimeSettings = request.app.state.settings
    form = form_of(request)  # 415 before anything is recorded
    tracker = jobs.Tracker(
        res.sessions,
        await jobs.create(res.sessions, identity.user_id, form, declared_length(request)),
    )
    staging = Staging()
    upload: Upload | None = None
    try:
        upload = await receive(request, settings.import_max_bytes, tracker.received)
        await tracker.set(
            status="validating", bytes_total=upload.size, bytes_read=0, filename=upload.filename
        )
        async with res.sessions() as session:
            findings = await _check_rows(session, upload, staging, tracker)
        counts: dict[str, Any] = {
            "rows_read": findings.rows,
            "rows_invalid": findings.invalid,
            "bytes_read": upload.size,
        }
        if findings.invalid:
            rejected = ImportRejected(findings)
            rejected.extra["import"] = await tracker.fail(
                rejected.message, findings.errors, **counts
            )
            raise rejected
        await tracker.set(status="writing", **counts)
        writer = EntryWriter(staging, findings.bookings, identity, datetime.now(UTC))

        async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
            created = await writer.write(session, events)
            job = await jobs.finish(session, tracker.job_id, created, **counts)
            return 200, {
                "success": True,
                "message": f"Imported {created} time entries",
                "created": created,
                "failed": 0,
                "errors": {},
                "import": job,
            }

        response = await run_create(request, identity, {"csv_sha256": upload.digest}, work)
        if response.headers.get("idempotent-replayed"):
            await tracker.discard()
        else:
            response.headers["Location"] = f"/api/v1/imports/{tracker.job_id}"
        return response
    except ImportRejected:
        raise  # the job already says why
    except AppError as exc:
        await tracker.fail(exc.message, exc.extra.get("errors"))
        raise
    except BaseException:
        await asyncio.shield(tracker.fail("The import failed; nothing was imported"))
        raise
    finally:
        staging.close()
        if upload is not None:
            await upload.close()
