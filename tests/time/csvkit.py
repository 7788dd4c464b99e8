"""Helpers for the CSV import/export, bulk and approval tests: CSV bodies, the three
ways to send them, and reading a user's entries back."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from timekit import every

IMPORT = "/api/v1/time-entries/import-csv"
EXPORT = "/api/v1/time-entries/export"
HEADER = "project_id,task_id,start_time,end_time,notes,tags,billable"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def rows(project_id: int, count: int, *, task_id: int | None = None, first: int = 0) -> list[str]:
    """``count`` one-hour entries, an hour apart, starting 2024-02-01 (distinct notes)."""
    base = datetime(2024, 2, 1, tzinfo=UTC)
    lines = []
    for n in range(first, first + count):
        start = base + timedelta(hours=2 * n)
        task = "" if task_id is None else str(task_id)
        billable = "true" if n % 2 else "false"
        lines.append(
            f"{project_id},{task},{stamp(start)},{stamp(start + timedelta(hours=1))},"
            f'"note {n}, with comma",tag{n % 3},{billable}'
        )
    return lines


def document(lines: Sequence[str], header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def send(api: httpx.Client, text: str | bytes, form: str = "csv", **kw: Any) -> httpx.Response:
    """Upload as ``csv`` (raw text/csv body), ``multipart`` (field ``file``), ``json``
    (``{"csv": ...}``) or ``data`` (``{"data": ...}``)."""
    raw = text.encode() if isinstance(text, str) else text
    if form == "multipart":
        return api.post(IMPORT, files={"file": ("entries.csv", raw, "text/csv")}, **kw)
    if form in ("json", "data"):
        key = "csv" if form == "json" else "data"
        return api.post(IMPORT, json={key: raw.decode()}, **kw)
    headers = {"Content-Type": "text/csv", **kw.pop("headers", {})}
    return api.post(IMPORT, content=raw, headers=headers, **kw)


def entries(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = every(api, "/api/v1/time-entries", "time_entries", **params)
    return found


def count(api: httpx.Client, **params: Any) -> int:
    body = api.get("/api/v1/time-entries", params={**params, "per_page": 1})
    assert body.status_code == 200, body.text
    return int(body.json()["pagination"]["total"])


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))
