"""Files that are not what an import expects: each is refused as a whole with a clear 4xx
and the contract's error body, or (where the file is fine CSV after all: a byte-order
mark, semicolons, quoted newlines) imported correctly. Nothing is ever half-imported."""

from __future__ import annotations

import codecs

import pytest
from csvkit import IMPORT, count, document, entries, rows, send
from timekit import create_project, ok

from support.api import User, assert_error

LINE = "{p},,2024-02-01T09:00:00Z,2024-02-01T10:00:00Z,{notes},,true"


def _file_error(response: object) -> str:
    body = assert_error(response, 400, "validation_error")  # type: ignore[arg-type]
    assert list(body["errors"]) == ["file"], body
    message: str = body["errors"]["file"][0]
    return message


@pytest.mark.parametrize(
    ("payload", "said"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64, "ZIP archive"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"project_id,start_time\x00\x00,end_time\n", "NUL bytes"),
        (b'{"project_id": 1, "start_time": "x"}\n', "Missing required column"),
        (b"hello world\n", "Missing required column"),
        (b"\n\n", "first row must name the columns"),
    ],
)
def test_files_that_are_not_csv(user: User, payload: bytes, said: str) -> None:
    assert said in _file_error(send(user.api, payload))
    assert count(user.api) == 0


def test_wrong_encodings_are_named(user: User) -> None:
    project = create_project(user.api)
    text = document([LINE.format(p=project["id"], notes="café")])
    latin1 = _file_error(send(user.api, text.encode("latin-1")))
    assert "not valid UTF-8" in latin1
    assert "0xe9" in latin1
    utf16 = _file_error(send(user.api, codecs.BOM_UTF16_LE + text.encode("utf-16-le")))
    assert "UTF-16" in utf16
    assert count(user.api) == 0


def test_a_byte_order_mark_is_ignored(user: User) -> None:
    project = create_project(user.api)
    text = codecs.BOM_UTF8 + document([LINE.format(p=project["id"], notes="café")]).encode()
    assert ok(send(user.api, text))["created"] == 1
    assert entries(user.api)[0]["notes"] == "café"


def test_semicolon_and_tab_separated_files_import(user: User) -> None:
    project = create_project(user.api)
    semi = (
        "project_id;start_time;end_time;notes;billable\n"
        f'{project["id"]};2024-02-01T09:00:00Z;2024-02-01T10:00:00Z;"a; b, c";nein\n'
    )
    # "nein" is not a boolean: the row is checked with the semicolon as separator.
    assert assert_error(send(user.api, semi), 400, "validation_error")["errors"] == {
        "row 2": ["billable: Must be true/false, yes/no or 1/0"]
    }
    assert ok(send(user.api, semi.replace("nein", "no")))["created"] == 1
    tabs = semi.replace(";", "\t").replace('"a\t b, c"', "tabbed").replace("nein", "1")
    assert ok(send(user.api, tabs))["created"] == 1
    notes = sorted(e["notes"] for e in entries(user.api))
    assert notes == ["a; b, c", "tabbed"]


def test_quoted_newlines_stay_in_their_cell_and_rows_keep_their_numbers(user: User) -> None:
    project = create_project(user.api)
    p = project["id"]
    text = (
        "project_id,start_time,end_time,notes\n"
        f'{p},2024-02-01T09:00:00Z,2024-02-01T10:00:00Z,"line one\nline two\r\nline three"\n'
        f'{p},2024-02-01T11:00:00Z,2024-02-01T12:00:00Z,"said ""hi"""\n'
    )
    assert ok(send(user.api, text))["created"] == 2
    notes = {e["notes"] for e in entries(user.api)}
    assert notes == {"line one\nline two\r\nline three", 'said "hi"'}
    # A bad row after a multi-line cell is still called by its spreadsheet row number.
    bad = text + f"{p},2024-02-01T13:00:00Z,not-a-date,late\n"
    assert list(assert_error(send(user.api, bad), 400, "validation_error")["errors"]) == ["row 4"]


def test_malformed_quoting_names_the_row(user: User) -> None:
    project = create_project(user.api)
    text = document(
        [LINE.format(p=project["id"], notes="fine"), LINE.format(p=project["id"], notes='"a"b')]
    )
    errors = assert_error(send(user.api, text), 400, "validation_error")["errors"]
    assert list(errors) == ["row 3"]
    assert errors["row 3"][0].startswith("row: Not valid CSV")
    assert count(user.api) == 0


def test_a_header_must_name_each_column_once(user: User) -> None:
    text = "project_id,start_time,end_time,notes,description\n1,x,y,a,b\n"
    assert "appears more than once" in _file_error(send(user.api, text))


def test_an_empty_upload_or_body_is_refused(user: User) -> None:
    for form in ("csv", "multipart", "json"):
        assert_error(send(user.api, b"", form), 400, "validation_error")
    assert (
        "csv"
        in assert_error(user.api.post(IMPORT, json={"file": "x"}), 400, "validation_error")[
            "errors"
        ]
    )
    assert (
        "csv"
        in assert_error(user.api.post(IMPORT, json={"csv": 42}), 400, "validation_error")["errors"]
    )
    assert_error(
        user.api.post(IMPORT, content=b"{nope", headers={"Content-Type": "application/json"}),
        400,
        "validation_error",
    )
    missing = user.api.post(IMPORT, files={"other": ("a.csv", b"x", "text/csv")})
    assert "file" in assert_error(missing, 400, "validation_error")["errors"]


def test_other_media_types_are_415(user: User) -> None:
    response = user.api.post(
        IMPORT, content=b"<entries/>", headers={"Content-Type": "application/xml"}
    )
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("form", ["csv", "multipart", "json"])
def test_uploads_over_10_mib_are_413_and_import_nothing(user: User, form: str) -> None:
    project = create_project(user.api)
    line = LINE.format(p=project["id"], notes="x" * 200) + "\n"
    big = document([]) + line * ((10 * 1024 * 1024) // len(line) + 10)
    assert len(big) > 10 * 1024 * 1024
    assert_error(send(user.api, big, form), 413, "payload_too_large")
    assert count(user.api) == 0
    # Just under the limit is fine (the limit counts the CSV, not the envelope).
    fits = document(rows(project["id"], 5)).encode()
    assert ok(send(user.api, fits, form))["created"] == 5


def test_an_upload_without_content_length_is_limited_too(user: User) -> None:
    """A chunked upload (no Content-Length) is counted as it streams."""
    project = create_project(user.api)
    line = (LINE.format(p=project["id"], notes="y" * 200) + "\n").encode()
    chunks = [document([]).encode()] + [line * 1000] * 60  # ~12 MB

    def stream():  # type: ignore[no-untyped-def]
        yield from chunks

    response = user.api.post(IMPORT, content=stream(), headers={"Content-Type": "text/csv"})
    assert_error(response, 413, "payload_too_large")
    assert count(user.api) == 0


def test_the_limit_counts_the_csv_not_its_json_escaping(user: User) -> None:
    """A 6 MB CSV full of quotes is a 12 MB JSON body: under the limit, it imports."""
    project = create_project(user.api)
    quoted = '"' + '""' * 2300 + '"'  # a cell of 2,300 quote characters
    line = f"{project['id']},,2024-02-01T09:00:00Z,2024-02-01T10:00:00Z,{quoted},,true"
    text = document([line] * 1300)
    assert 6_000_000 < len(text) < 10 * 1024 * 1024
    answer = ok(send(user.api, text, "json"))
    assert answer["created"] == 1300
    assert entries(user.api)[0]["notes"] == '"' * 2300
