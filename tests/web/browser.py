"""Debian's Chromium driven by Playwright (it downloads no browser of its own), and logging in
through the development issuer's page as a person would."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1440, "height": 1000}


def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("AMBULANT_REQUIRE_SERVICES") == "1":
            pytest.fail("Chromium is not installed; .ci/run installs it with apt-get")
        pytest.skip("!!! SKIPPED: Chromium is not installed (apt-get install chromium).")
    return CHROMIUM


def log_in(page: Page, base: str, path: str, pick: str) -> None:
    """Opens `path`, is sent to the login page, picks the demo user, lands on `path`."""
    page.goto(base + path)
    page.locator(f"button[value='{pick}']").click()
    page.wait_for_url(f"{base}{path}*")


def screenshot(page: Page, name: str, folder: Path) -> Path:
    """Into the test's folder, and into AMBULANT_SCREENSHOT_DIR when set (the README's pictures
    are made that way: `make screenshots`)."""
    target = folder / f"{name}.png"
    page.screenshot(path=str(target))
    extra = os.environ.get("AMBULANT_SCREENSHOT_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, Path(extra) / f"{name}.png")
    return target


def new_page(browser: Browser, *, phone: bool = False) -> Page:
    context = browser.new_context(
        viewport=PHONE if phone else DESK,
        locale="nb-NO",
        timezone_id="Europe/Oslo",
        is_mobile=phone,
        has_touch=phone,
    )
    page = context.new_page()
    page.set_default_timeout(30000)
    return page
