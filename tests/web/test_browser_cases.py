"""Two front-office journeys in a real browser (Debian's Chromium, Playwright), each in
English and in Polish, without opening the admin:

- a service agent opens a case from a customer's 360, sees its SLA countdown (the due
  time in the browser's time zone) and resolves it;
- a sales representative presses ``/``, types an organisation's name without its
  accents in the header's search box and opens it from the live results.

The site (the small two-team world of ``front_office_world``, restored for this module) is
served by tests/browser_site.py's server on 127.0.0.1, with its browser; screenshots go to docs/screenshots/
(``CLIENTELA_SCREENSHOTS`` overrides), one per page visited.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_site import Site, off_loopback
from front_office_world import PASSWORD, World
from shared_worlds import SharedWorlds

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("CLIENTELA_SCREENSHOTS", ROOT / "docs" / "screenshots"))
ZONE = "America/New_York"  # the browser's time zone: not the installation's (Europe/Warsaw)


@pytest.fixture(scope="module")
def site(served_url: str, shared_worlds: SharedWorlds, django_db_blocker: Any) -> Iterator[Site]:
    """The small two-team world (tests/front_office_world.py) on the shared server, restored
    for this module and wiped after it."""
    with django_db_blocker.unblock():
        world: World = shared_worlds.use("front_office")
    served = Site(url=served_url, world=world)
    try:
        yield served
    finally:
        with django_db_blocker.unblock():
            shared_worlds.leave()
    assert not off_loopback(served.requests), off_loopback(served.requests)


def open_tab(browser: Any, site: Site, lang: str) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  locale={"en": "en-GB", "pl": "pl-PL"}[lang], timezone_id=ZONE)
    tab = context.new_page()
    tab.on("request", lambda r: site.requests.append(r.url))
    tab.on("pageerror", lambda e: site.problems.append(f"page error: {e}"))
    tab.on("console", lambda m: m.type == "error" and site.problems.append(f"console: {m.text}"))
    tab.set_default_timeout(10_000)
    return tab


def shot(tab: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(tab: Any, site: Site, username: str, path: str) -> None:
    tab.goto(site.url + path)
    assert "/login/" in tab.url
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("[data-testid=login-submit]")
    tab.wait_for_url(re.compile(re.escape(site.url + path) + "$"))


WORDS = {
    "en": {"left": "left", "kept": "Resolved within the SLA", "resolved": "Resolved"},
    "pl": {"left": "zostało", "kept": "Rozwiązano w terminie SLA", "resolved": "Rozwiązana"},
}


def read(django_db_blocker: Any, query: Any) -> Any:
    """Run an ORM read from the test. Under Playwright's event loop it gets a connection
    of its own, closed here so the test database can be dropped (as test_browser.py)."""
    from django.db import connections

    with django_db_blocker.unblock():
        try:
            return query()
        finally:
            connections.close_all()


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_service_agent_opens_a_case_from_a_360_and_resolves_it(
    browser: Any, site: Site, lang: str, django_db_blocker: Any
) -> None:
    from zoneinfo import ZoneInfo

    from clientela.crm.service.models import Case

    party = site.world.parties["north"]
    tab = open_tab(browser, site, lang)
    log_in(tab, site, "service_agent", f"/customers/{party.pk}/")
    assert tab.locator("html").get_attribute("lang") == lang
    shot(tab, f"cases-01-360-{lang}")
    tab.get_by_test_id("new-case").click()
    tab.wait_for_url(re.compile(r"/cases/new/\?party=\d+$"))
    subject = f"Mleko skwaśniało ({lang})"
    tab.fill("#case-subject", subject)
    tab.fill("#case-description", "Partia 2026/11/7, trzy kartony.")
    tab.select_option("#case-priority", "high")
    shot(tab, f"cases-02-new-{lang}")
    tab.get_by_test_id("case-submit").click()
    tab.wait_for_url(re.compile(r"/cases/\d+/$"))
    case = read(django_db_blocker, lambda: Case.objects.get(subject=subject))
    countdown = tab.get_by_test_id("sla-countdown")
    assert countdown.get_attribute("data-state") == "running"
    assert re.search(r"\b7 \S+ 59 min\b", countdown.inner_text()), countdown.inner_text()  # 8 h for "high"
    assert WORDS[lang]["left"] in countdown.inner_text()
    due = tab.get_by_test_id("case-due").get_attribute("datetime")
    local = case.sla_due_at.astimezone(ZoneInfo(ZONE))
    assert due.startswith(local.strftime("%Y-%m-%dT%H:%M")) and due.endswith("-05:00"), due  # the browser's zone
    shot(tab, f"cases-03-case-{lang}")
    tab.fill("[data-testid=resolution-input]", "Wysłano nową partię, klient potwierdził.")
    tab.get_by_test_id("step-resolved").click()
    tab.get_by_test_id("case-resolution").wait_for()
    assert tab.get_by_test_id("sla-countdown").get_attribute("data-state") == "kept"
    assert WORDS[lang]["kept"] in tab.get_by_test_id("sla-countdown").inner_text()
    assert tab.get_by_test_id("step-open").is_visible()  # reopen is offered
    shot(tab, f"cases-04-resolved-{lang}")
    case = read(django_db_blocker, lambda: Case.objects.select_related("owner").get(pk=case.pk))
    assert case.status == "resolved" and case.owner.username == "service_agent"
    tab.get_by_test_id("menu-cases").click()
    tab.wait_for_url(f"{site.url}/cases/")
    assert tab.get_by_test_id("case-link").filter(has_text="Zepsuty czajnik w Łodzi").count() == 1
    shot(tab, f"cases-05-queue-{lang}")
    tab.context.close()
    assert not site.problems, site.problems


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_sales_rep_finds_an_organisation_typed_without_accents(browser: Any, site: Site, lang: str) -> None:
    party = site.world.parties["north"]
    tab = open_tab(browser, site, lang)
    log_in(tab, site, "sales_rep", "/")
    tab.keyboard.press("/")
    box = tab.get_by_test_id("global-search")
    assert tab.evaluate("document.activeElement.id") == "global-search"
    box.type("lodzka spoldzielnia", delay=20)
    hit = tab.locator("#global-search-results [data-testid=search-hit]").filter(has_text="Łódzka Spółdzielnia Mleczarska")
    hit.wait_for()
    assert tab.locator("#global-search-results").get_by_text("Śląska").count() == 0  # another team's
    shot(tab, f"search-01-live-{lang}")
    box.press("ArrowDown")  # into the results, and Escape closes them
    assert tab.evaluate("document.activeElement.dataset.testid") == "search-hit"
    tab.keyboard.press("Escape")
    assert tab.locator("#global-search-results [data-testid=search-hit]").count() == 0
    box.focus()
    box.press("Enter")
    tab.wait_for_url(re.compile(r"/search/\?q=lodzka"))
    tab.get_by_test_id("search-group-customers").wait_for()
    shot(tab, f"search-02-page-{lang}")
    tab.get_by_test_id("search-hit").filter(has_text="Łódzka Spółdzielnia Mleczarska").first.click()
    tab.wait_for_url(f"{site.url}/customers/{party.pk}/")
    assert tab.get_by_test_id("customer-name").inner_text() == party.name
    tab.context.close()
    assert not site.problems, site.problems


def test_case_and_search_pages_are_accessible_and_fit_a_phone(browser: Any, site: Site) -> None:
    """axe-core (WCAG 2.0/2.1 A and AA, as in test_browser.py) finds no violation on the
    queue, the new-case form, a case page and the search page, with the live results open;
    at a phone's width none of them is wider than the screen."""
    from browser_site import AXE

    case, party = site.world.cases["north"], site.world.parties["north"]
    paths = ["/cases/", f"/cases/new/?party={party.pk}", "/cases/new/", f"/cases/{case.pk}/", "/search/?q=lodz"]
    context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    tab = context.new_page()
    tab.on("request", lambda r: site.requests.append(r.url))
    found: dict[str, Any] = {}
    try:
        log_in(tab, site, "manager", "/cases/")
        for path in paths:
            tab.goto(site.url + path)
            if path == "/search/?q=lodz":
                tab.get_by_test_id("global-search").type("lodz", delay=20)
                tab.get_by_test_id("global-search-live").wait_for()
            tab.add_script_tag(path=str(AXE))
            result = tab.evaluate(
                "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
                "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map("
                "v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
            )
            if result:
                found[path] = result
        tab.set_viewport_size({"width": 390, "height": 844})
        for path in paths:
            tab.goto(site.url + path)
            width = tab.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                found[f"phone {path}"] = width
        tab.goto(site.url + f"/cases/{case.pk}/")
        shot(tab, "cases-06-case-phone")
    finally:
        context.close()
    assert not found, found
