"""CSV export through the gateway: the list's filters, the contract's columns, formula
cells escaped, and an export that imports back unchanged."""

from __future__ import annotations

from csvkit import EXPORT, count, document, entries, parse_csv, rows, send
from timekit import booking, create_entry, create_project, ok

from support.api import User, Users, assert_error

COLUMNS = [
    "project_id", "task_id", "start_time", "end_time", "notes", "tags", "billable",
    "id", "user", "project", "client", "task", "duration_seconds",
]  # fmt: skip
IMPORTED = ("project_id", "task_id", "start_time", "end_time", "notes", "tags", "billable")


def test_export_writes_the_contract_columns_newest_first(user: User) -> None:
    b = booking(user.api)
    ok(send(user.api, document(rows(b.project["id"], 5, task_id=b.task["id"]))))
    response = user.api.get(EXPORT)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert response.text.splitlines()[0] == ",".join(COLUMNS)
    exported = parse_csv(response.text)
    listed = entries(user.api)
    assert [int(r["id"]) for r in exported] == [e["id"] for e in listed]
    first, entry = exported[0], listed[0]
    assert first == {
        "project_id": str(b.project["id"]),
        "task_id": str(b.task["id"]),
        "start_time": entry["start_time"],
        "end_time": entry["end_time"],
        "notes": entry["notes"],
        "tags": entry["tags"],
        "billable": "true" if entry["billable"] else "false",
        "id": str(entry["id"]),
        "user": user.username,
        "project": b.project["name"],
        "client": b.client["name"],
        "task": b.task["name"],
        "duration_seconds": "3600",
    }


def test_an_export_imports_back_unchanged(users: Users, user: User) -> None:
    b = booking(user.api)
    ok(send(user.api, document(rows(b.project["id"], 40, task_id=b.task["id"]))))
    create_entry(user.api, b.project["id"], notes='quotes "inside", comma\nnewline', tags="a,b")
    exported = user.api.get(EXPORT).content
    other = users.create()
    assert ok(send(other.api, exported, "multipart"))["created"] == 41

    def key(entry: dict[str, object]) -> tuple[str, ...]:
        return tuple(repr(entry[c]) for c in IMPORTED)

    assert sorted(map(key, entries(other.api))) == sorted(map(key, entries(user.api)))


def test_formula_cells_are_escaped_and_import_restores_them(users: Users, user: User) -> None:
    project = create_project(user.api)
    risky = ["=SUM(A1:A9)", "+1+1", "-2", "@cmd", "'already quoted", "\ttabbed", "plain"]
    for n, notes in enumerate(risky):
        create_entry(
            user.api,
            project["id"],
            start=f"2024-02-0{n + 1}T09:00:00Z",
            end=f"2024-02-0{n + 1}T10:00:00Z",
            notes=f"{notes}  ",
            tags="=HYPERLINK(x)" if n == 0 else None,
        )
    stored = {e["notes"] for e in entries(user.api)}
    exported = parse_csv(user.api.get(EXPORT).text)
    cells = {r["notes"] for r in exported}
    for cell in cells:
        assert cell[0] not in "=+-@\t\r" or cell == "", cell
    assert "'=SUM(A1:A9)" in cells
    assert "'-2" in cells
    assert "''already quoted" in cells
    assert "plain" in cells
    assert "'=HYPERLINK(x)" in {r["tags"] for r in exported}
    other = users.create()
    ok(send(other.api, user.api.get(EXPORT).content))
    assert {e["notes"] for e in entries(other.api)} == stored
    assert "=HYPERLINK(x)" in {e["tags"] for e in entries(other.api)}


def test_export_takes_the_list_filters(users: Users, user: User) -> None:
    first, second = create_project(user.api), create_project(user.api)
    ok(send(user.api, document(rows(first["id"], 6))))
    ok(send(user.api, document(rows(second["id"], 4, first=12))))  # on 2024-02-02
    running = user.api.post("/api/v1/timer/start", json={"project_id": first["id"]})
    assert running.status_code == 201

    def exported(**params: object) -> list[dict[str, str]]:
        response = user.api.get(EXPORT, params=params)
        assert response.status_code == 200, response.text
        return parse_csv(response.text)

    assert len(exported()) == 10
    assert len(exported(include_active="true")) == 11
    assert {r["project_id"] for r in exported(project_id=second["id"])} == {str(second["id"])}
    assert len(exported(billable="true")) == count(user.api, billable="true") == 5
    day = exported(start_date="2024-02-01", end_date="2024-02-01")
    assert len(day) == count(user.api, start_date="2024-02-01", end_date="2024-02-01")
    assert len(day) == 6
    assert_error(user.api.get(EXPORT, params={"billable": "maybe"}), 400, "validation_error")
    # Others' entries: never for users, on request for admins.
    stranger = users.create()
    assert_error(stranger.api.get(EXPORT, params={"user_id": user.id}), 403, "forbidden")
    assert parse_csv(stranger.api.get(EXPORT).text) == []
    admin = users.create(is_admin=True)
    assert len(parse_csv(admin.api.get(EXPORT, params={"user_id": user.id}).text)) == 10


def test_a_large_export_streams_every_row_once(user: User) -> None:
    project = create_project(user.api)
    ok(send(user.api, document(rows(project["id"], 4500))))
    exported = parse_csv(user.api.get(EXPORT).text)
    assert len(exported) == 4500
    assert len({r["id"] for r in exported}) == 4500
    starts = [r["start_time"] for r in exported]
    assert starts == sorted(starts, reverse=True)


def test_export_needs_the_read_scope(users: Users) -> None:
    writer = users.create(scopes=["write:time_entries"])
    denied = writer.api.get(EXPORT)
    assert assert_error(denied, 403, "forbidden")["required_scope"] == "read:time_entries"
