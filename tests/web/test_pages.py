"""The two pages in a real browser (Debian's Chromium) against a real `ambulant run`: the
coordinator's day board and the nurse's phone day, offline included, and what each may open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine
from sqlmodel import Session, col, select

from ambulant.models import VisitStatusReport
from tests.web.browser import log_in, new_page, screenshot
from tests.web.conftest import LiveServer

CONTROLLED = """navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller
    || new Promise((done) => navigator.serviceWorker.addEventListener("controllerchange", done)))"""


def _current_plan(server: LiveServer) -> dict[str, Any]:
    with server.api() as api:
        today = api.get(f"/api/v1/plans/{server.plan_id}").json()["date"]
        plans = api.get("/api/v1/plans", params={"date": today, "scope": "all"}).json()
        published = [p for p in plans if p["status"] == "published"]
        newest = max(published, key=lambda p: p["version"])
        detail: dict[str, Any] = api.get(f"/api/v1/plans/{newest['id']}").json()
    return detail


def _nurse_with_visits(plan: dict[str, Any], least: int = 3) -> tuple[int, list[int]]:
    for route in plan["routes"]:
        visits = [s["visit_id"] for s in route["stops"] if s["kind"] == "visit"]
        if len(visits) >= least:
            return route["staff_id"], visits
    raise AssertionError("no staff member has enough visits")


def _serious(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}): "
        + "; ".join(
            str(n.get("target")) + " " + str(n.get("failureSummary", ""))[:200] for n in v["nodes"]
        )
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_coordinator_plans_and_publishes_the_demo_day_and_sees_every_staff_row_and_the_map(
    live_server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    page = new_page(browser)
    log_in(page, live_server.base, "/board", "coordinator:all")
    expect(page.locator(".lane").first).to_be_visible()
    page.locator("#plan-day").click()
    expect(page.locator("#summary h2")).to_contain_text("utkast", timeout=90000)
    page.locator("#publish").click()
    expect(page.locator("#summary h2")).to_contain_text("publisert")
    plan = _current_plan(live_server)
    assert page.locator("#version").input_value() == str(plan["id"])
    assert page.locator(".lane").count() == len(plan["routes"])
    names = page.locator(".lane .who strong").all_inner_texts()
    assert names == [r["staff_name"] for r in plan["routes"]]
    planned = sum(1 for r in plan["routes"] for s in r["stops"] if s["kind"] == "visit")
    assert page.locator(".row .block.visit").count() == planned
    assert page.locator(".leaflet-container").is_visible()
    assert page.locator(".stop-icon").count() == planned
    assert page.locator(".base-icon").count() >= 1
    expect(page.locator("#unassigned h2")).to_contain_text(f"({len(plan['unassigned'])})")
    screenshot(page, "board", tmp_path)
    assert _serious(page) == []
    page.context.close()


def test_an_urgent_request_goes_in_through_the_board_and_the_diff_is_shown(
    live_server: LiveServer, browser: Browser
) -> None:
    before = _current_plan(live_server)
    page = new_page(browser)
    log_in(page, live_server.base, "/board", "coordinator:all")
    expect(page.locator(".lane").first).to_be_visible()
    form = page.locator("#urgent-form")
    form.locator("input[name=from]").fill("12:00")
    form.locator("input[name=to]").fill("15:00")
    form.locator("button[type=submit]").click()
    options = page.locator("#urgent-result .options li")
    expect(options.first).to_be_visible(timeout=60000)
    options.first.locator("button").click()
    heading = page.locator("#urgent-result h3")
    expect(heading).to_contain_text("Endringer i versjon", timeout=90000)
    expect(page.locator("#urgent-result .diff")).to_contain_text("nytt")
    page.locator("#publish-new").click()
    expect(page.locator("#summary h2")).to_contain_text("publisert")
    after = _current_plan(live_server)
    assert after["version"] > before["version"]
    assert after["solver_stats"]["attempts"] >= 1 and "replan" in after["parameters"]
    page.context.close()


def test_a_nurse_on_a_phone_sees_her_day_change_live_and_acknowledges_it(
    live_server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    plan = _current_plan(live_server)
    staff_id, _ = _nurse_with_visits(plan)
    page = new_page(browser, phone=True)
    log_in(page, live_server.base, "/me", f"nurse:{staff_id}")
    expect(page.locator(".stop.visit").first).to_be_visible()
    screenshot(page, "me", tmp_path)
    assert _serious(page) == []
    day = plan["date"]
    with live_server.api() as api:
        patient = api.get("/api/v1/patients", params={"limit": 1}).json()["items"][0]
        urgent = {
            "patient_id": patient["id"],
            "description": "Urgent visit for the test",
            "window_start": f"{day}T13:00:00+01:00",
            "window_end": f"{day}T16:00:00+01:00",
            "duration_minutes": 20,
            "priority": "urgent",
            "pinned_staff_id": staff_id,
        }
        answer = api.post(
            f"/api/v1/plans/{plan['id']}/replan",
            json={"at": f"{day}T08:00:00+01:00", "new_visits": [urgent], "publish": True},
            headers={"If-Match": f'"{plan["version"]}"'},
        )
        assert answer.status_code in (201, 202), answer.text
    notice = page.locator("#notice")
    expect(notice).to_contain_text("Dagen din er endret", timeout=90000)
    page.locator("#notice button").click()
    expect(notice).to_contain_text("koordinatoren ser")
    page.context.close()
    # ... and the coordinator sees it on the board, on her row.
    board = new_page(browser)
    log_in(board, live_server.base, "/board", "coordinator:all")
    row = board.locator(f".lane:has(.row[data-staff-id='{staff_id}'])")
    expect(row.locator("[data-ack=seen]")).to_contain_text("sett endringen")
    board.context.close()


def test_two_visits_marked_done_offline_arrive_once_and_in_order_after_a_reload(
    live_server: LiveServer, browser: Browser
) -> None:
    plan = _current_plan(live_server)
    staff_id, _ = _nurse_with_visits(plan)
    page = new_page(browser, phone=True)
    log_in(page, live_server.base, "/me", f"nurse:{staff_id}")
    cards = page.locator(".stop.visit")
    expect(cards.first).to_be_visible()
    # The service worker has the page in its cache and controls it (then it works offline).
    page.evaluate(CONTROLLED)
    first, second = (int(cards.nth(i).get_attribute("data-visit-id") or 0) for i in (0, 1))
    page.context.set_offline(True)
    cards.nth(0).locator("button[data-status=done]").click()
    cards.nth(1).locator("button[data-status=done]").click()
    expect(page.locator("#outbox li")).to_have_count(2)
    page.reload()  # offline: the service worker serves the page, IndexedDB still holds both
    expect(page.locator("#outbox li")).to_have_count(2)
    assert _reports(live_server, [first, second]) == []
    page.context.set_offline(False)
    expect(page.locator("#outbox li")).to_have_count(0, timeout=30000)
    page.reload()  # a second chance to send must not send again
    expect(page.locator(".stop.visit").first).to_be_visible()
    page.wait_for_timeout(1000)
    reports = _reports(live_server, [first, second])
    assert [(r.visit_id, r.status) for r in reports] == [(first, "done"), (second, "done")]
    assert reports[0].staff_id == reports[1].staff_id == staff_id
    page.context.close()


def _reports(server: LiveServer, visit_ids: list[int]) -> list[VisitStatusReport]:
    engine = create_engine(server.database_url)
    with Session(engine) as session:
        rows = list(
            session.exec(
                select(VisitStatusReport)
                .where(col(VisitStatusReport.visit_id).in_(visit_ids))
                .order_by(col(VisitStatusReport.id))
            )
        )
    engine.dispose()
    return rows


def test_a_nurse_opens_neither_another_nurses_day_nor_a_coordinator_page(
    live_server: LiveServer, browser: Browser
) -> None:
    plan = _current_plan(live_server)
    mine, other = (r["staff_id"] for r in plan["routes"][:2])
    page = new_page(browser, phone=True)
    log_in(page, live_server.base, "/me", f"nurse:{mine}")
    expect(page.locator("#me")).to_have_attribute("data-staff-id", str(mine))
    board = page.goto(f"{live_server.base}/board")
    assert board is not None and board.status == 403
    expect(page.locator("body")).to_contain_text("ikke tilgang")
    theirs = page.request.get(f"{live_server.base}/api/v1/staff/{other}/schedule")
    assert theirs.status in (403, 404)
    plans = page.request.get(f"{live_server.base}/api/v1/plans")
    assert plans.status == 403
    page.context.close()


def test_a_nurse_subscribes_her_calendar_from_her_page_and_revokes_the_link(
    live_server: LiveServer, browser: Browser
) -> None:
    plan = _current_plan(live_server)
    staff_id, _ = _nurse_with_visits(plan)
    page = new_page(browser, phone=True)
    log_in(page, live_server.base, "/me", f"nurse:{staff_id}")
    page.locator("#calendar summary").click()
    page.locator("#new-link").click()
    url = page.locator("#new-link-out input").input_value()
    assert page.locator("#webcal").get_attribute("href", timeout=5000).startswith("webcal://")  # type: ignore[union-attr]
    feed = httpx.get(url)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in feed.text
    expect(page.locator("#links li")).to_have_count(1)
    page.locator("#links li button").click()
    expect(page.locator("#links li")).to_have_count(0)
    assert httpx.get(url).status_code == 404
    page.context.close()


def test_a_move_by_hand_is_checked_before_it_is_saved(
    live_server: LiveServer, browser: Browser
) -> None:
    """A move that breaks a rule shows what it breaks and stores nothing; one that breaks none
    (found through the API's own check) is saved as a new draft version with its diff."""
    plan = _current_plan(live_server)
    visit_id, staff_id = _valid_move(live_server, plan)
    versions = _versions(live_server, plan["date"])
    page = new_page(browser)
    log_in(page, live_server.base, "/board", "coordinator:all")
    expect(page.locator(".lane").first).to_be_visible()
    page.locator("#move-visit").select_option(str(visit_id))
    page.locator("#move-staff").select_option(str(staff_id))
    page.locator("#move-start").fill("05:00")  # before anyone's shift
    page.locator("#move-form button[type=submit]").click()
    expect(page.locator("#move-result")).to_contain_text("bryter dette")
    assert page.locator("#move-result li").count() >= 1
    assert _versions(live_server, plan["date"]) == versions
    page.locator("#move-start").fill("")
    page.locator("#move-form button[type=submit]").click()
    expect(page.locator("#move-result")).to_contain_text("bryter ingen regler")
    page.locator("#move-result button").click()
    expect(page.locator("#move-result h3")).to_contain_text("Endringer i versjon")
    assert _versions(live_server, plan["date"]) == versions + 1
    page.context.close()


def _valid_move(server: LiveServer, plan: dict[str, Any]) -> tuple[int, int]:
    with server.api() as api:
        for route in plan["routes"]:
            for stop in route["stops"]:
                if stop["kind"] != "visit":
                    continue
                for other in plan["routes"]:
                    if other["staff_id"] == route["staff_id"]:
                        continue
                    body = {"visit_id": stop["visit_id"], "staff_id": other["staff_id"]}
                    check = api.post(f"/api/v1/plans/{plan['id']}/moves/check", json=body)
                    if check.status_code == 200 and check.json()["valid"]:
                        return stop["visit_id"], other["staff_id"]
    raise AssertionError("no valid move found on the demo day")


def _versions(server: LiveServer, day: str) -> int:
    with server.api() as api:
        return len(api.get("/api/v1/plans", params={"date": day, "scope": "all"}).json())


def test_someone_elses_change_meanwhile_is_explained_not_raw(
    live_server: LiveServer, browser: Browser
) -> None:
    """The board shows version N; meanwhile another coordinator publishes N+1, and the board
    misses the event that would have loaded it (its event stream is cut, as on a bad network).
    The urgent replan based on N is a 409, which the page explains, naming the current version."""
    plan = _current_plan(live_server)
    page = new_page(browser)
    page.route("**/api/v1/events", lambda route: route.abort())
    log_in(page, live_server.base, "/board", "coordinator:all")
    expect(page.locator(".lane").first).to_be_visible()
    with live_server.api() as api:
        other = api.post(
            f"/api/v1/plans/{plan['id']}/replan",
            json={"publish": True},
            headers={"If-Match": f'"{plan["version"]}"'},
        )
        assert other.status_code == 201, other.text
        current = other.json()["plan"]["version"]
    page.locator("#urgent-form button[type=submit]").click()
    expect(page.locator("#urgent-result .options li").first).to_be_visible(timeout=60000)
    page.locator("#urgent-result .options li button").first.click()
    message = page.locator("#urgent-result .bad")
    expect(message).to_contain_text("Noen andre har endret planen")
    expect(message).to_contain_text(f"versjon er {current}")
    expect(page.locator("#summary h2")).to_contain_text(f"versjon {current}")  # loaded, as it says
    page.context.close()


def test_the_board_speaks_english_one_click_away_and_remembers_it(
    live_server: LiveServer, browser: Browser
) -> None:
    page = new_page(browser)
    log_in(page, live_server.base, "/board", "coordinator:all")
    expect(page.locator("#plan-day")).to_have_text("Planlegg dagen")
    page.locator("a.lang").click()
    expect(page.locator("#plan-day")).to_have_text("Plan the day")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{live_server.base}/board")
    expect(page.locator("#plan-day")).to_have_text("Plan the day")
    page.locator("a.lang").click()
    expect(page.locator("#plan-day")).to_have_text("Planlegg dagen")
    page.context.close()
