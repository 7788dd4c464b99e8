"""Headless Chromium (Debian's chromium and chromedriver) driven by Selenium, for pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
)


@contextmanager
def chromium(width: int = 1280, height: int = 1800, *, phone: bool = False) -> Iterator[WebDriver]:
    """A fresh browser (its own profile, so its own cookies); installs it if missing.

    ``phone``: the viewport is exactly ``width`` x ``height``, as on a phone (device
    emulation). A narrow window is not: headless Chromium keeps windows at least 500 px
    wide (measured: a 390 px window gave a 500 px viewport, and in 2 test runs of 4 a
    document 66 px wider than that)."""
    from tt.devenv.install import ensure_chromium

    browser, driver_path = ensure_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = str(browser)
    for flag in (*CHROMIUM_FLAGS, f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(driver_path)), options=options)
    try:
        if phone:
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True},
            )
        yield driver
    finally:
        driver.quit()


def log_in(driver: WebDriver, base_url: str, username: str, password: str, next_path: str) -> None:
    """Through the real login form, as a person would; then ``next_path`` is loaded again
    with a clean console (the login page's own messages are not the page's under test)."""
    driver.get(f"{base_url}/login?next={next_path}")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login']").submit()
    WebDriverWait(driver, 20).until(lambda d: d.current_url.endswith(next_path))
    drain_console(driver)
    driver.get(f"{base_url}{next_path}")


def drain_console(driver: WebDriver) -> list[dict[str, object]]:
    """Read (and so clear) the console log: what the login page logged is not ours."""
    entries: list[dict[str, object]] = driver.get_log("browser")
    return entries


def console_errors(driver: WebDriver) -> list[dict[str, object]]:
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def screenshot(driver: WebDriver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    return path
