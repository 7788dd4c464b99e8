"""The summary report and its CSV export: shape per seeds 002/003, scoping, bad ranges."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from prodkit import Direct, entry_state, event, new_id, project_state, user_state

from support.api import assert_error, wait_until

HOUR = timedelta(hours=1)
DAY0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(direct: Direct) -> dict[str, int]:
    """Two users; alice has entries on two projects (one non-billable) and one without."""
    alice, bob = new_id(), new_id()
    web, app = new_id(), new_id()
    events = [
        event("user", "created", alice, 1, user_state(alice, "UTC")),
        event("user", "created", bob, 1, user_state(bob, "UTC")),
        event("project", "created", web, 1, project_state(web, "=Website")),
        event("project", "created", app, 1, project_state(app, "App")),
    ]
    for owner, start, hours, extra in (
        (alice, DAY0, 2, {"project_id": web}),
        (alice, DAY0 + 24 * HOUR, 1.5, {"project_id": web, "billable": False}),
        (alice, DAY0 + 48 * HOUR, 3, {"project_id": app}),
        (alice, DAY0 + 72 * HOUR, 0.5, {}),
        (alice, DAY0 + 40 * 24 * HOUR, 4, {"project_id": app}),  # outside March
        (bob, DAY0, 1, {"project_id": app}),
    ):
        eid = new_id()
        events.append(
            event(
                "time_entry",
                "created",
                eid,
                1,
                entry_state(eid, owner, start, start + hours * HOUR, **extra),
            )
        )
    direct.publish(*events)
    ids = {"alice": alice, "bob": bob, "web": web, "app": app}

    window = {"start_date": "2025-03-01", "end_date": "2025-05-01"}

    def ready() -> bool:
        # Entries, users and projects come on separate topics: wait for all of them.
        b = direct.get("/api/v1/reports/summary", bob, params=window).json()["summary"]
        a = direct.get("/api/v1/reports/summary", alice, params=window).json()["summary"]
        names = {p["project_name"] for p in a["by_project"]}
        return b["total_entries"] == 1 and a["total_entries"] == 5 and names == {"=Website", "App"}

    wait_until(ready, timeout=20, what="report entries applied")
    return ids


MARCH = {"start_date": "2025-03-01", "end_date": "2025-03-31"}


def test_summary_shape_and_totals(direct: Direct, seeded: dict[str, int]) -> None:
    r = direct.get("/api/v1/reports/summary", seeded["alice"], params=MARCH)
    assert r.status_code == 200, r.text
    summary = r.json()["summary"]
    assert summary["start_date"] == "2025-03-01T00:00:00Z"
    assert summary["end_date"] == "2025-03-31T23:59:59Z"
    assert summary["total_hours"] == 7.0
    assert summary["billable_hours"] == 5.5
    assert summary["total_entries"] == 4
    assert summary["by_project"] == [
        {
            "project_id": seeded["web"],
            "project_name": "=Website",
            "hours": 3.5,
            "billable_hours": 2.0,
            "entries": 2,
        },
        {
            "project_id": seeded["app"],
            "project_name": "App",
            "hours": 3.0,
            "billable_hours": 3.0,
            "entries": 1,
        },
    ]


def test_filters_and_who_may_see_what(direct: Direct, seeded: dict[str, int]) -> None:
    alice, bob = seeded["alice"], seeded["bob"]
    by_project = direct.get(
        "/api/v1/reports/summary", alice, params={**MARCH, "project_id": seeded["app"]}
    ).json()["summary"]
    assert by_project["total_hours"] == 3.0
    assert [p["project_id"] for p in by_project["by_project"]] == [seeded["app"]]
    denied = direct.get("/api/v1/reports/summary", bob, params={**MARCH, "user_id": alice})
    assert_error(denied, 403, "forbidden")
    admin = direct.get(
        "/api/v1/reports/summary", new_id(), params={**MARCH, "user_id": alice}, is_admin=True
    )
    assert admin.json()["summary"]["total_entries"] == 4
    everyone = direct.get(
        "/api/v1/reports/summary",
        new_id(),
        params={**MARCH, "project_id": seeded["app"]},
        is_admin=True,
    )
    assert everyone.json()["summary"]["total_entries"] >= 2  # alice's and bob's


def test_csv_export(direct: Direct, seeded: dict[str, int]) -> None:
    r = direct.get("/api/v1/reports/summary/export", seeded["alice"], params=MARCH)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="summary-2025-03-01-2025-03-31.csv"' in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["project_id", "project_name", "hours", "billable_hours", "entries"]
    assert rows[1] == [str(seeded["web"]), "'=Website", "3.5", "2.0", "2"]  # no formula
    assert rows[2] == [str(seeded["app"]), "App", "3.0", "3.0", "1"]
    assert rows[-1] == ["", "Total", "7.0", "5.5", "4"]
    same = direct.get("/api/v1/reports/summary", seeded["alice"], params={**MARCH, "format": "csv"})
    assert same.headers["content-type"].startswith("text/csv")
    assert same.text == r.text
    bad = direct.get("/api/v1/reports/summary", seeded["alice"], params={"format": "xml"})
    assert_error(bad, 400, "validation_error")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start_date": "2025-03-31", "end_date": "2025-03-01"}, "start_date"),
        ({"start_date": "2019-01-01", "end_date": "2025-03-01"}, "end_date"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2025-02-30"}, "end_date"),
        ({"project_id": "web"}, "project_id"),
        ({"user_id": "0"}, "user_id"),
    ],
)
def test_bad_ranges_and_values_are_400(direct: Direct, params: dict[str, str], field: str) -> None:
    for path in ("/api/v1/reports/summary", "/api/v1/reports/summary/export"):
        body = assert_error(direct.get(path, new_id(), params=params), 400, "validation_error")
        assert field in body["errors"], body


def test_five_years_exactly_is_allowed_and_datetimes_are_instants(direct: Direct) -> None:
    r = direct.get(
        "/api/v1/reports/summary",
        new_id(),
        params={"start_date": "2020-03-01", "end_date": "2025-02-28"},
    )
    assert r.status_code == 200, r.text
    r = direct.get(
        "/api/v1/reports/summary",
        new_id(),
        params={"start_date": "2025-03-10T10:00:00+02:00", "end_date": "2025-03-11T00:00:00"},
    )
    assert r.json()["summary"]["start_date"] == "2025-03-10T08:00:00Z"
    assert r.json()["summary"]["end_date"] == "2025-03-11T00:00:00Z"


def test_plain_dates_are_the_callers_local_days(direct: Direct) -> None:
    uid = new_id()
    direct.publish(event("user", "created", uid, 1, user_state(uid, "Pacific/Honolulu")))

    def shifted() -> dict[str, object] | None:
        r = direct.get("/api/v1/reports/summary", uid, params=MARCH)
        summary: dict[str, object] = r.json()["summary"]
        return summary if summary["start_date"] == "2025-03-01T10:00:00Z" else None

    summary = wait_until(shifted, timeout=20, what="Honolulu days")
    assert summary["end_date"] == "2025-04-01T09:59:59Z"


def test_reports_need_a_token_with_read_reports(direct: Direct) -> None:
    uid = new_id()
    assert_error(direct.get("/api/v1/reports/summary", uid, method="session"), 401, "unauthorized")
    body = assert_error(
        direct.get("/api/v1/reports/summary/export", uid, scopes=["read:time_entries"]),
        403,
        "forbidden",
    )
    assert body["required_scope"] == "read:reports"
