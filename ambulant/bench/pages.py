"""`ambulant bench pages`: how soon the two pages are usable, in a real browser, on the demo day.

It starts `ambulant run` on a free loopback port in a throwaway folder (the demo day is seeded,
planned and published), logs in through the development issuer's page in Debian's Chromium
(Playwright), and loads each page `runs` times. "Ready" is the page's own `ambulant-ready`
performance mark: the moment its data is drawn (every staff row on the board, the day's visits on
the phone), counted from the start of the navigation. The transfer is what the first, cold load
of a page fetched (its HTML, scripts, styles, words and data).

Playwright is a development dependency: this module is imported only by its command.
"""

from __future__ import annotations

import logging
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Page, ViewportSize, sync_playwright

from ambulant.bench.local_server import free_port, publish_plan, server_env, start_run

READY = "() => performance.getEntriesByName('ambulant-ready')[0]?.startTime ?? null"
TRANSFER = """() => [
  performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource'),
].reduce((sum, e) => sum + (e.transferSize || 0), 0)"""


@dataclass(frozen=True)
class PageTimes:
    page: str
    ready_ms: list[float]
    cold_transfer_bytes: int

    @property
    def median_ms(self) -> float:
        return statistics.median(self.ready_ms)


def _measure(page: Page, url: str, runs: int) -> tuple[list[float], int]:
    page.goto(url)
    page.wait_for_function(READY)
    cold = int(page.evaluate(TRANSFER))
    times = []
    for _ in range(runs):
        page.goto(url)
        page.wait_for_function(READY)
        times.append(float(page.evaluate(READY)))
    return times, cold


def run_pages(runs: int, chromium: str) -> list[PageTimes]:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its every poll is not news here
    with tempfile.TemporaryDirectory(prefix="ambulant-bench-pages-") as folder:
        server = start_run(Path(folder), server_env(Path(folder), free_port()))
        base, token, plan_url = server.base, server.coordinator_token, server.plan_url
        try:
            publish_plan(server)
            with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
                routes = client.get(plan_url).json()["routes"]
            nurse = next(r["staff_id"] for r in routes if len(r["stops"]) >= 5)
            results = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, args=["--no-sandbox"]
                )
                desk: ViewportSize = {"width": 1440, "height": 1000}
                phone: ViewportSize = {"width": 360, "height": 740}
                for path, pick, viewport in (
                    ("/board", "coordinator:all", desk),
                    ("/me", f"nurse:{nurse}", phone),
                ):
                    context = browser.new_context(viewport=viewport, locale="nb-NO")
                    page = context.new_page()
                    page.goto(base + path)
                    page.locator(f"button[value='{pick}']").click()
                    page.wait_for_url(f"{base}{path}*")
                    times, cold = _measure(page, base + path, runs)
                    results.append(PageTimes(path, times, cold))
                    context.close()
                browser.close()
            return results
        finally:
            server.stop()


def format_pages(results: list[PageTimes]) -> list[str]:
    lines = ["page     ready median   ready runs (ms)                  cold transfer"]
    for r in results:
        runs = ", ".join(f"{t:.0f}" for t in r.ready_ms)
        kb = r.cold_transfer_bytes / 1024
        lines.append(f"{r.page:<8} {r.median_ms:>8.0f} ms   {runs:<32} {kb:>7.0f} KB")
    return lines
