"""The /dashboard/productivity page in headless Chromium, through the gateway, logged in
through the login form: charts and heatmap drawn, no console errors, screenshots saved
under test-artifacts/."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

from support.api import User, Users, wait_until
from support.browser import chromium, console_errors, log_in, screenshot

PAGE = "/dashboard/productivity"
HOUR = timedelta(hours=1)
PHONE_WIDTH = 390


def _track(user: User, days_back: list[int]) -> None:
    """Entries through the time API on several past days, on two projects."""
    projects = []
    for name in ("Website", "Mobile app"):
        r = user.api.post("/api/v1/projects", json={"name": f"{name} {user.username}"})
        assert r.status_code == 201, r.text
        projects.append(r.json()["project"]["id"])
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for i, back in enumerate(days_back):
        start = now - timedelta(days=back) - (2 + i % 3) * HOUR
        r = user.api.post(
            "/api/v1/time-entries",
            json={
                "project_id": projects[i % 2],
                "start_time": start.isoformat().replace("+00:00", "Z"),
                "end_time": (start + (1 + i % 3) * HOUR).isoformat().replace("+00:00", "Z"),
            },
        )
        assert r.status_code == 201, r.text

    def applied() -> bool:
        stats = user.api.get("/api/v1/productivity/stats").json()
        return stats["focus"]["sessions"] == sum(1 for b in days_back if b < 30)

    wait_until(applied, timeout=30, what="entries in the productivity stats")


def _drawn(driver: Any) -> dict[str, Any]:
    result: dict[str, Any] = driver.execute_script(
        """
        const charts = ["daily-chart", "projects-chart", "hours-chart"].map((id) => {
          const chart = Chart.getChart(document.getElementById(id));
          return chart ? {id, points: chart.data.datasets[0].data.length,
                          width: chart.width, height: chart.height} : null;
        });
        return {
          charts,
          cells: document.querySelectorAll("#heatmap .cell[data-date]").length,
          filled: document.querySelectorAll("#heatmap .cell[data-date]:not(.level-0)").length,
          empty_hidden: document.getElementById("empty-state").hidden,
          width: window.innerWidth,
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          // What sticks out on the right, for the failure message.
          wider: Array.from(document.querySelectorAll("main *"))
            .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth)
            .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                        + " right=" + Math.round(e.getBoundingClientRect().right)),
        };
        """
    )
    return result


def _fits_phone(drawn: dict[str, Any]) -> bool:
    return bool(drawn["width"] == PHONE_WIDTH and drawn["overflow"] <= 0)


def test_dashboard_draws_charts_and_heatmap(users: Users, gateway_url: str) -> None:
    user = users.create(timezone="Europe/Berlin")
    _track(user, [0, 1, 2, 3, 5, 8, 13, 21, 40, 70])
    with chromium() as driver:
        log_in(driver, gateway_url, user.username, user.password, PAGE)
        WebDriverWait(driver, 20).until(
            lambda d: d.find_element("css selector", "body[data-rendered='true']")
        )
        drawn = _drawn(driver)
        screenshot(driver, "productivity-dashboard.png")
        assert all(c is not None for c in drawn["charts"]), drawn
        assert [c["points"] for c in drawn["charts"]] == [14, 2, 24]
        assert all(c["width"] > 0 and c["height"] > 0 for c in drawn["charts"])
        assert drawn["cells"] == 84
        assert drawn["filled"] >= 9  # every day tracked in the last 12 weeks
        assert drawn["empty_hidden"] is True
        assert console_errors(driver) == []
        # The page's own refresh goes to the legacy session route and redraws.
        driver.find_element("id", "refresh").click()
        WebDriverWait(driver, 20).until(lambda d: _drawn(d)["cells"] == 84)
        assert console_errors(driver) == []

    with chromium(width=PHONE_WIDTH, height=1400, phone=True) as phone:
        log_in(phone, gateway_url, user.username, user.password, PAGE)
        WebDriverWait(phone, 20).until(
            lambda d: d.find_element("css selector", "body[data-rendered='true']")
        )
        # Just after the load the emulated phone's viewport can still be settling
        # (measured: innerWidth 518 in 2 loads of 42, every chart already 324 px wide):
        # judge the settled page, and if it never fits, say what sticks out.
        with suppress(TimeoutException):
            WebDriverWait(phone, 5).until(lambda d: _fits_phone(_drawn(d)))
        drawn = _drawn(phone)
        screenshot(phone, "productivity-dashboard-phone.png")
        assert drawn["width"] == PHONE_WIDTH, drawn["wider"]
        assert drawn["overflow"] <= 0, f"the page scrolls sideways on a phone: {drawn['wider']}"
        assert console_errors(phone) == []


def test_dashboard_empty_state_for_a_new_user(users: Users, gateway_url: str) -> None:
    user = users.create()
    with chromium() as driver:
        log_in(driver, gateway_url, user.username, user.password, PAGE)
        WebDriverWait(driver, 20).until(
            lambda d: d.find_element("css selector", "body[data-rendered='true']")
        )
        screenshot(driver, "productivity-dashboard-empty.png")
        state = driver.execute_script(
            "return {empty: !document.getElementById('empty-state').hidden,"
            " charts: !document.getElementById('charts').hidden,"
            " text: document.getElementById('empty-state').innerText}"
        )
        assert state["empty"] is True
        assert state["charts"] is False
        assert "No time tracked yet" in state["text"]
        assert console_errors(driver) == []


def test_page_and_assets_through_the_gateway(users: Users, gateway_url: str) -> None:
    user = users.create()
    chart = httpx.get(f"{gateway_url}/static/productivity/vendor/chart.umd.min.js")
    assert chart.status_code == 200
    assert "javascript" in chart.headers["content-type"]
    assert len(chart.content) > 100_000
    assert httpx.get(f"{gateway_url}/static/productivity/dashboard.js").status_code == 200
    # A token is not a browser session: the page is for logged-in users only.
    assert user.api.get(PAGE).status_code == 401
    with httpx.Client(base_url=gateway_url) as browser:
        r = browser.post("/login", json={"username": user.username, "password": user.password})
        assert r.status_code == 200, r.text
        page = browser.get(PAGE)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "/static/productivity/vendor/chart.umd.min.js" in page.text
        assert "cdn" not in page.text.lower()
