"""Receiving a CSV upload in any of the three forms the seeds list, into a spool file.

- multipart ``file`` field (Starlette spools the part to disk past 1 MiB);
- JSON ``{"csv": "..."}`` or ``{"data": "..."}`` (a JSON string has to be parsed whole, so
  this form costs memory in proportion to the upload; the size limit bounds it);
- a raw body (``text/csv`` and the like), streamed chunk by chunk to the spool.

Nothing is parsed here beyond the envelope: the spool is read back row by row later, so
an upload is never held in memory whole (except as the JSON form's one string). Every
form is limited to ``limit`` bytes of CSV (413 ``payload_too_large``).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import IO, Any

import orjson
from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from tt.common.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed

# Kept in memory up to this size, then on disk.
SPOOL_IN_MEMORY = 1 << 20
# What a multipart envelope adds around the file.
MULTIPART_OVERHEAD = 64 << 10
CHUNK = 1 << 16
# Media types read as a raw CSV body (browsers label .csv files in several ways).
RAW_MEDIA = frozenset(
    {
        "",
        "text/csv",
        "text/plain",
        "text/tab-separated-values",
        "application/csv",
        "application/vnd.ms-excel",
        "application/octet-stream",
    }
)

Progress = Callable[[int], Awaitable[None]]


@dataclass
class Upload:
    """The CSV bytes of one import, spooled, with their size and SHA-256."""

    file: IO[bytes]
    size: int
    digest: str
    form: str  # multipart | json | csv
    filename: str | None = None
    _form_data: FormData | None = field(default=None, repr=False)

    async def close(self) -> None:
        if self._form_data is not None:
            await self._form_data.close()
        else:
            self.file.close()


def form_of(request: Request) -> str:
    """Which of the three forms a request uses (415 for any other media type)."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media == "multipart/form-data":
        return "multipart"
    if media == "application/json" or media.endswith("+json"):
        return "json"
    if media in RAW_MEDIA or media.startswith("text/"):
        return "csv"
    raise UnsupportedMediaType(
        f"Send the CSV as multipart/form-data (field 'file'), as JSON ({{\"csv\": ...}}) "
        f"or as a text/csv body, not {media}"
    )


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The CSV exceeds the import limit of {limit} bytes ({limit >> 20} MiB)")


def _empty() -> ValidationFailed:
    return ValidationFailed.field("file", "The CSV is empty")


def body_limit(limit: int) -> int:
    """The largest request body worth reading for an import of ``limit`` bytes of CSV: a
    JSON string may escape every character of it (each form then checks the CSV itself)."""
    return 2 * limit + MULTIPART_OVERHEAD


def declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


async def receive(request: Request, limit: int, progress: Progress) -> Upload:
    """The request's CSV, spooled; 400/413/415 for what cannot be an import."""
    form = form_of(request)
    declared = declared_length(request)
    envelope = {"csv": 0, "multipart": MULTIPART_OVERHEAD}.get(form)
    if declared is not None and envelope is not None and declared > limit + envelope:
        raise _too_large(limit)  # refused before reading a byte of it
    if form == "multipart":
        upload = await _multipart(request, limit)
    elif form == "json":
        upload = await _json(request, limit)
    else:
        upload = await _raw(request, limit, progress)
    if upload.size == 0:
        await upload.close()
        raise _empty()
    upload.file.seek(0)
    return upload


async def _raw(request: Request, limit: int, progress: Progress) -> Upload:
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (returned)
    digest = hashlib.sha256()
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            digest.update(chunk)
            spool.write(chunk)
            await progress(size)
    except BaseException:
        spool.close()
        raise
    return Upload(spool, size, digest.hexdigest(), "csv")


async def _multipart(request: Request, limit: int) -> Upload:
    form = await request.form(max_files=1, max_fields=20)
    part: Any = form.get("file")
    if not isinstance(part, UploadFile):
        await form.close()
        raise ValidationFailed.field("file", "Send the CSV as the multipart field 'file'")
    digest = hashlib.sha256()
    size = 0
    while chunk := await part.read(CHUNK):
        size += len(chunk)
        if size > limit:
            await form.close()
            raise _too_large(limit)
        digest.update(chunk)
    await part.seek(0)
    name = (part.filename or "")[:255] or None
    return Upload(part.file, size, digest.hexdigest(), "multipart", name, form)


async def _json(request: Request, limit: int) -> Upload:
    raw = await request.body()
    try:
        document = orjson.loads(raw) if raw.strip() else {}
    except orjson.JSONDecodeError:
        raise ValidationFailed.field("body", "Malformed JSON body") from None
    text = document.get("csv", document.get("data")) if isinstance(document, dict) else None
    if text is None:
        raise ValidationFailed.field(
            "csv", 'Send the CSV text as {"csv": "..."} or {"data": "..."}'
        )
    if not isinstance(text, str):
        raise ValidationFailed.field("csv", "Must be a string (the CSV text)")
    data = text.encode("utf-8", errors="surrogatepass")
    if len(data) > limit:
        raise _too_large(limit)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (returned)
    spool.write(data)
    return Upload(spool, len(data), hashlib.sha256(data).hexdigest(), "json")
