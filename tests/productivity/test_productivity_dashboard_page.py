"""The /dashboard/productivity page's today / week / month cards and 7-day sparkline,
drawn from /api/dashboard/stats and /api/dashboard/sparklines, in headless Chromium
through the gateway; the screenshot goes to test-artifacts/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from prodkit import local_noon, midday_zone
from selenium.webdriver.support.ui import WebDriverWait

from support.api import Users, wait_until
from support.browser import chromium, console_errors, log_in, screenshot

PAGE = "/dashboard/productivity"
HOUR = timedelta(hours=1)


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def test_cards_and_sparkline_from_the_dashboard_routes(users: Users, gateway_url: str) -> None:
    zone = midday_zone(datetime.now(UTC))  # about noon there: this morning is in the past
    user = users.create(timezone=zone)
    noon = local_noon(zone, datetime.now(UTC))
    r = user.api.post("/api/v1/projects", json={"name": f"Cards {user.username}"})
    assert r.status_code == 201, r.text
    project = r.json()["project"]["id"]
    # Today 09:00-11:00 (2 h), yesterday 08:00-11:00 (3 h), three days ago 1.5 h.
    for days_back, start_hour, hours in ((0, 9, 2), (1, 8, 3), (3, 9, 1.5)):
        start = noon - timedelta(days=days_back) - (12 - start_hour) * HOUR
        r = user.api.post(
            "/api/v1/time-entries",
            json={
                "project_id": project,
                "start_time": _iso(start),
                "end_time": _iso(start + hours * HOUR),
            },
        )
        assert r.status_code == 201, r.text
    expected_line = [0.0, 0.0, 0.0, 1.5, 0.0, 3.0, 2.0]

    def applied() -> dict[str, Any] | None:
        lines = user.api.get("/api/v1/dashboard/sparklines").json()
        return lines if lines["today"] == expected_line else None

    wait_until(applied, timeout=30, what="the entries in the sparklines")
    stats = user.api.get("/api/v1/dashboard/stats").json()
    assert stats["today_hours"] == 2.0

    with chromium(width=1280, height=1000) as driver:
        log_in(driver, gateway_url, user.username, user.password, PAGE)
        WebDriverWait(driver, 20).until(
            lambda d: d.find_element("css selector", "body[data-overview='ready']")
        )
        shown: dict[str, Any] = driver.execute_script(
            """
            const text = (key) => document.querySelector(`[data-dash="${key}"]`).textContent;
            const chart = Chart.getChart(document.getElementById("sparkline-chart"));
            return {
              today: text("today_hours"), week: text("week_hours"), month: text("month_hours"),
              today_overtime: text("today_overtime_hours"),
              ytd: text("overtime_ytd_hours"),
              line: chart ? chart.data.datasets[0].data : null,
              width: chart ? chart.width : 0, height: chart ? chart.height : 0,
            };
            """
        )
        screenshot(driver, "productivity-dashboard-cards.png")
        assert shown["today"] == "2"  # JavaScript writes 2.0 as "2"
        assert shown["week"] == f"{stats['week_hours']:g}"
        assert shown["month"] == f"{stats['month_hours']:g}"
        # Weekend hours are all overtime, weekday ones past 8 h: the page shows the API's.
        assert shown["today_overtime"] == f"{stats['today_overtime_hours']:g}"
        assert shown["ytd"] == f"{stats['overtime_ytd_hours']:g}"
        assert shown["line"] == expected_line
        assert shown["width"] > 0
        assert shown["height"] > 0
        assert console_errors(driver) == []
