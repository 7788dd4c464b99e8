"""The shape of an import job, as ``GET /api/v1/imports`` shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tt.time.imports.models import RUNNING, EntryImport

# A running job with no progress for this long belongs to a process that died.
STALE_AFTER = timedelta(minutes=5)


def job_view(job: EntryImport, *, now: datetime | None = None) -> dict[str, Any]:
    status, message = job.status, job.message
    if status in RUNNING and job.updated_at < (now or datetime.now(UTC)) - STALE_AFTER:
        status = "failed"
        message = "The import was interrupted before it finished; nothing was imported"
    # Checking the rows is 90 % of the way (by bytes read), writing them the rest.
    progress = 0.0
    if status == "completed":
        progress = 1.0
    elif status == "writing":
        progress = 0.9
    elif status == "validating" and job.bytes_total:
        progress = round(0.9 * min(job.bytes_read / job.bytes_total, 1.0), 3)
    return {
        "id": job.id,
        "user_id": job.user_id,
        "status": status,
        "form": job.form,
        "filename": job.filename,
        "bytes_total": job.bytes_total,
        "bytes_read": job.bytes_read,
        "progress": progress,
        "rows_read": job.rows_read,
        "rows_invalid": job.rows_invalid,
        "rows_imported": job.rows_imported,
        "message": message,
        "errors": job.errors or {},
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "finished_at": job.finished_at,
    }
