"""CSV import through the gateway (docs/api.md §5): all rows or none, every row
checked by the rules of a v1 create, the three input forms, per-row errors, one created
event per entry, import jobs, and Idempotency-Key."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from csvkit import count, document, entries, rows, send
from timekit import EventLog, booking, create_project, ok

from support.api import User, Users, assert_error, token_client, unique, wait_until
from support.platform import PlatformInfo


def test_a_good_file_of_1000_rows_imports_every_row(user: User) -> None:
    b = booking(user.api)
    answer = ok(send(user.api, document(rows(b.project["id"], 1000, task_id=b.task["id"]))))
    assert answer["success"] is True
    assert answer["created"] == 1000
    assert answer["failed"] == 0
    job = answer["import"]
    assert job["status"] == "completed"
    assert (job["rows_read"], job["rows_invalid"], job["rows_imported"]) == (1000, 0, 1000)
    assert count(user.api, project_id=b.project["id"]) == 1000
    # The unfiltered count (trigger-kept) moved by the same 1000.
    assert count(user.api) == 1000
    one = next(e for e in entries(user.api) if e["notes"] == "note 7, with comma")
    assert one["start_time"] == "2024-02-01T14:00:00Z"
    assert one["end_time"] == "2024-02-01T15:00:00Z"
    assert one["duration_seconds"] == 3600
    assert (one["task_id"], one["task"]) == (b.task["id"], b.task["name"])
    assert (one["client_id"], one["project"]) == (b.client["id"], b.project["name"])
    assert one["tags"] == "tag1"
    assert one["billable"] is True
    assert one["user"] == user.username
    assert one["source"] == "manual"


def test_one_bad_row_among_1000_imports_nothing_and_names_the_row(user: User) -> None:
    project = create_project(user.api)
    lines = rows(project["id"], 1000)
    # Data row 617 is spreadsheet row 618 (the header is row 1).
    lines[616] = f"{project['id']},,2024-02-10T10:00:00Z,2024-02-10T09:00:00Z,backwards,,true"
    answer = assert_error(send(user.api, document(lines)), 400, "validation_error")
    assert answer["errors"] == {"row 618": ["end_time: Must be after start_time"]}
    assert answer["rows"] == [
        {"row": 618, "column": "end_time", "message": "Must be after start_time"}
    ]
    assert answer["created"] == 0
    assert answer["failed"] == 1
    assert "nothing was imported" in answer["message"]
    assert answer["import"]["status"] == "failed"
    assert count(user.api, project_id=project["id"]) == 0
    assert count(user.api) == 0


def test_every_problem_of_every_bad_row_is_reported(user: User) -> None:
    b = booking(user.api)
    other = create_project(user.api)
    archived = create_project(user.api, status="archived")
    good = rows(b.project["id"], 3)
    bad = [
        f"{b.project['id']},,yesterday,2024-02-01T10:00:00Z,,,maybe",
        ",,2024-02-01T09:00:00Z,2024-02-01T10:00:00Z,,,",
        f"{other['id']},{b.task['id']},2024-02-01T09:00:00Z,2024-02-01T10:00:00Z,,,",
        f"{archived['id']},,2024-02-01T09:00:00Z,2024-02-01T10:00:00Z,,,",
        f"{b.project['id']},,2024-02-01T09:00:00Z,2024-02-03T10:00:00Z,,,",
        f"{b.project['id']},,2024-02-01T09:00:00Z,,,,",
        f"{b.project['id']},,2024-02-01T09:00:00Z,2024-02-01T10:00:00Z,{'x' * 5001},,",
        f"{b.project['id']},,2024-02-01T09:00:00Z,2024-02-01T10:00:00Z,,,,surplus",
    ]
    errors = assert_error(send(user.api, document(good + bad)), 400, "validation_error")["errors"]
    assert set(errors) == {f"row {n}" for n in range(5, 13)}
    assert set(errors["row 5"]) == {
        "billable: Must be true/false, yes/no or 1/0",
        "start_time: Must be an ISO 8601 date-time",
    }
    assert errors["row 6"] == ["project_id: This field is required"]
    assert errors["row 7"] == ["task_id: Task does not belong to the entry's project"]
    assert errors["row 8"] == ["project_id: Project is archived, not active"]
    assert errors["row 9"][0].startswith("end_time: Entries longer than 24 hours")
    assert errors["row 10"] == ["end_time: This field is required"]
    assert errors["row 11"] == ["notes: Must be at most 5000 characters"]
    assert errors["row 12"] == ["row: Has 8 cells; the header names 7"]
    assert count(user.api) == 0


@pytest.mark.parametrize("form", ["csv", "multipart", "json", "data"])
def test_the_three_input_forms(user: User, form: str) -> None:
    project = create_project(user.api)
    answer = ok(send(user.api, document(rows(project["id"], 25)), form))
    assert answer["created"] == 25
    expected = {"csv": "csv", "multipart": "multipart", "json": "json", "data": "json"}[form]
    assert answer["import"]["form"] == expected
    if form == "multipart":
        assert answer["import"]["filename"] == "entries.csv"
    assert count(user.api, project_id=project["id"]) == 25


def test_columns_match_by_name_and_alias_in_any_order_and_case(user: User) -> None:
    project = create_project(user.api)
    text = (
        "Description,End,Billable,Start,Project ID,Extra\n"
        f"aliases work,2024-02-01T10:00:00Z,No,2024-02-01T09:00:00Z,{project['id']},ignored\n"
    )
    assert ok(send(user.api, text))["created"] == 1
    [entry] = entries(user.api)
    assert (entry["notes"], entry["billable"], entry["project_id"]) == (
        "aliases work",
        False,
        project["id"],
    )


def test_each_row_is_one_created_event(platform: PlatformInfo, user: User) -> None:
    log = EventLog(platform, "tt.time.entries")
    project = create_project(user.api)
    ok(send(user.api, document(rows(project["id"], 20))))
    imported = entries(user.api)
    assert len(imported) == 20
    last = imported[0]
    [event] = log.of(last["id"], 1)
    assert event.type == "tt.time_entry.created"
    assert event.version == 1
    state = event.state
    assert state["id"] == last["id"]
    assert state["start_time"] == last["start_time"]
    assert state["notes"] == last["notes"]
    assert state["project"] == project["name"]
    assert state["user"] == user.username
    for entry in imported[1:]:
        assert [e.type for e in log.of(entry["id"], 1, timeout=5)] == ["tt.time_entry.created"]


def test_the_import_job_reports_counts_to_its_owner_only(users: Users, user: User) -> None:
    project = create_project(user.api)
    answer = ok(send(user.api, document(rows(project["id"], 10))))
    job_id = answer["import"]["id"]
    job = ok(user.api.get(f"/api/v1/imports/{job_id}"))["import"]
    assert job["status"] == "completed"
    assert job["progress"] == 1.0
    assert job["rows_imported"] == 10
    assert job["bytes_total"] == job["bytes_read"] > 0
    listed = ok(user.api.get("/api/v1/imports"))
    assert [j["id"] for j in listed["imports"]] == [job_id]
    assert ok(user.api.get("/api/v1/imports", params={"status": "failed"}))["imports"] == []
    stranger = users.create()
    assert_error(stranger.api.get(f"/api/v1/imports/{job_id}"), 404, "not_found")
    assert ok(stranger.api.get("/api/v1/imports"))["imports"] == []


def test_an_idempotency_key_imports_a_file_once(user: User) -> None:
    project = create_project(user.api)
    text = document(rows(project["id"], 30))
    key = {"Idempotency-Key": unique("import-")}
    first = send(user.api, text, headers=key)
    assert first.status_code == 200, first.text
    again = send(user.api, text, headers=key)
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert count(user.api) == 30
    other = send(user.api, document(rows(project["id"], 31)), headers=key)
    assert_error(other, 422, "idempotency_key_reused")
    assert count(user.api) == 30


def test_the_import_needs_the_write_scope(users: Users) -> None:
    reader = users.create(scopes=["read:time_entries"])
    denied = send(reader.api, document([]))
    assert assert_error(denied, 403, "forbidden")["required_scope"] == "write:time_entries"


def test_progress_is_visible_while_an_import_runs(users: Users, user: User) -> None:
    """A large file (120,000 rows, the last one bad: checked whole, nothing written, so no
    events) shows its job's counts growing while the upload is being checked."""
    project = create_project(user.api)
    lines = rows(project["id"], 120_000)
    lines[-1] = f"{project['id']},,2024-02-01T09:00:00Z,soon,late,,"
    text = document(lines)
    token, _ = users.token_for(
        user.id, ["read:time_entries"], rate_limit_per_minute=100_000, rate_limit_per_hour=1_000_000
    )
    answers: dict[str, httpx.Response] = {}
    upload = threading.Thread(
        target=lambda: answers.update(result=send(user.api, text, timeout=300)), daemon=True
    )
    with token_client(users.base_url, token) as poller:
        upload.start()

        def checking() -> dict[str, Any] | None:
            jobs = ok(poller.get("/api/v1/imports"))["imports"]
            job = jobs[0] if jobs else None
            if job and job["status"] == "validating" and 0 < job["rows_read"] < 120_000:
                return dict(job)
            return None

        seen = wait_until(checking, timeout=120, interval=0.05, what="a job part-way through")
        assert 0 < seen["progress"] < 0.9
        assert seen["bytes_total"] == len(text)
        upload.join(timeout=300)
        final = ok(poller.get(f"/api/v1/imports/{seen['id']}"))["import"]
    body = assert_error(answers["result"], 400, "validation_error")
    assert list(body["errors"]) == ["row 120001"]
    assert (final["status"], final["rows_read"], final["rows_invalid"]) == ("failed", 120_000, 1)
    assert final["errors"] == body["errors"]
    assert count(user.api) == 0
