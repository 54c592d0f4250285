"""A sales representative's deal journey in Debian's Chromium, in English and in Polish:
open an organisation's 360, create a deal for it, win it with a reason from the deal
page, create a second one and win it from the board's card form; the board loads a
column's next cards. Screenshots of the deal page and the board go to
``docs/screenshots/``. The site (the scored demo company, restored for this module and
served on 127.0.0.1) and the browser are tests/browser_site.py's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_site import AXE, Site

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REP_PASSWORD = "rep-browser-pw"
STATUS = {"en": "Won", "pl": "Wygrana"}


@pytest.fixture(scope="module")
def organisation(site: Site, django_db_blocker: Any) -> dict[str, Any]:
    """A sales representative who owns an organisation (committed, like the site's data)."""
    from django.db import connections

    from clientela.crm.accounts.models import Team, User
    from clientela.crm.parties.models import Party

    with django_db_blocker.unblock():
        team = Team.objects.create(name="Browser team")
        rep = User.objects.create_user("rep", password=REP_PASSWORD, role="sales_rep", team=team,
                                       first_name="Roza", last_name="Rep")
        org = Party.objects.filter(kind="organisation").order_by("id").first()
        if org is None:
            org = Party.objects.order_by("id").first()
        Party.objects.filter(pk=org.pk).update(owner=rep, team=team)
        connections.close_all()  # opened under Playwright's event loop: closed, so the database can be dropped
        return {"id": org.pk, "name": org.name, "rep": rep.pk}


@pytest.fixture
def tab(browser: Any, site: Site, request: Any) -> Iterator[Any]:
    lang = request.param
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  locale="pl-PL" if lang == "pl" else "en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("request", lambda r: site.requests.append(r.url))
    page.set_default_timeout(10_000)
    page.lang = lang
    yield page
    context.close()
    assert not errors, errors
    assert all(url.startswith(site.url) or url.startswith(("data:", "about:")) for url in site.requests)


def _shot(page: Any, name: str) -> None:
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SHOTS / f"{name}.png"), full_page=True)


def _log_in_as_rep(page: Any, site: Site, path: str) -> None:
    page.goto(site.url + path)
    page.fill("input[name=username]", "rep")
    page.fill("input[name=password]", REP_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(re.compile(re.escape(site.url + path) + "$"))


def _new_deal_from_360(page: Any, site: Site, organisation: dict[str, Any], title: str) -> int:
    page.goto(f"{site.url}/customers/{organisation['id']}/")
    page.get_by_test_id("new-deal").click()
    page.wait_for_url(re.compile(r"/deals/new/\?party="))
    assert organisation["name"] in page.get_by_test_id("deal-party").inner_text()
    page.fill("input[name=title]", title)
    page.fill("input[name=amount]", "48000.50")
    page.fill("input[name=expected_close]", "2027-02-26")
    page.get_by_test_id("deal-save").click()
    page.wait_for_url(re.compile(r"/deals/(\d+)/$"))
    return int(re.search(r"/deals/(\d+)/$", page.url).group(1))


@pytest.mark.parametrize("tab", ["en", "pl"], indirect=True)
def test_a_sales_rep_creates_a_deal_from_a_360_and_wins_it(tab: Any, site: Site, organisation: dict[str, Any]) -> None:
    page, lang = tab, tab.lang
    _log_in_as_rep(page, site, f"/customers/{organisation['id']}/")
    assert page.locator("html").get_attribute("lang") == lang
    deal_id = _new_deal_from_360(page, site, organisation, f"Fleet renewal ({lang})")
    assert page.get_by_test_id("deal-title").inner_text() == f"Fleet renewal ({lang})"
    assert re.search(r"48.000,50|48,000\.50", page.get_by_test_id("deal-amount").inner_text().replace("\xa0", "."))
    # products and a note
    page.fill("#line-product", "BEA-0001")
    page.fill("#line-quantity", "4")
    page.get_by_test_id("deal-line-add").click()
    page.get_by_test_id("deal-lines").wait_for()
    page.fill("#note-body", "Decision maker back from holiday on Monday")
    page.get_by_test_id("deal-note-add").click()
    page.get_by_test_id("deal-notes").wait_for()
    _shot(page, f"deal-page-{lang}")
    # won without a reason is refused, with a reason it is won
    won = page.locator("#move-stage option", has_text=re.compile(r"^Won$")).get_attribute("value")
    page.select_option("#move-stage", won)
    page.get_by_test_id("deal-move-submit").click()
    page.locator("#move-reason-error").wait_for()
    page.select_option("#move-stage", won)
    page.fill("#move-reason", "Best delivery terms")
    page.get_by_test_id("deal-move-submit").click()
    page.get_by_test_id("deal-reopen").wait_for()
    assert page.get_by_test_id("deal-status").inner_text() == STATUS[lang]
    assert "Best delivery terms" in page.get_by_test_id("deal-close-reason").inner_text()
    _shot(page, f"deal-page-won-{lang}")

    # a second deal, won from the board's card form
    second = _new_deal_from_360(page, site, organisation, f"Spare parts ({lang})")
    assert second != deal_id
    page.goto(f"{site.url}/pipeline/")
    card = page.get_by_test_id(f"deal-{second}")
    card.locator("summary").click()
    card.locator("select[name=stage]").select_option(won)
    card.get_by_test_id("move-reason").fill("Signed at the fair")
    card.get_by_test_id("move-submit").click()
    page.get_by_test_id("board-moved").wait_for()
    won_column = page.locator(f"[data-testid=stage-{won}]")
    assert won_column.get_by_test_id(f"deal-{second}").count() == 1
    _shot(page, f"deal-board-{lang}")


@pytest.mark.parametrize("tab", ["en"], indirect=True)
def test_the_board_loads_more_cards_and_filters(tab: Any, site: Site, django_db_blocker: Any) -> None:
    from django.db import connections

    from clientela.crm.accounts.models import User
    from clientela.crm.parties.models import Party
    from clientela.crm.sales.actions import create_deal
    from clientela.crm.sales.models import Pipeline

    with django_db_blocker.unblock():
        pipeline = Pipeline.objects.get(pk=site.pipeline_id)
        lead = pipeline.stages.get(name="Lead")
        for i, party in enumerate(Party.objects.order_by("-id")[:35]):
            create_deal(None, party=party, name=f"Bulk {i:02d}", pipeline=pipeline, stage=lead, amount=100 + i)
        assert User.objects.filter(username="browser", role="admin").exists()
        lead_id = lead.pk
        connections.close_all()  # opened under Playwright's event loop: its own connection, closed here
    page = tab
    page.goto(site.url + f"/pipeline/{site.pipeline_id}/")
    page.fill("input[name=username]", "browser")
    page.fill("input[name=password]", "browser-test-pw")
    page.click("[data-testid=login-submit]")
    page.wait_for_url(re.compile(rf"/pipeline/{site.pipeline_id}/$"))
    column = page.get_by_test_id(f"stage-{lead_id}")
    before = column.locator("li.deal").count()
    assert before == 30
    column.get_by_test_id(f"more-{lead_id}").click()
    column.locator("li.deal").nth(30).wait_for()  # (no wait_for_function: the CSP forbids eval)
    total = int(re.search(r"\d+", page.get_by_test_id(f"stage-count-{lead_id}").inner_text()).group(0))
    assert column.locator("li.deal").count() == min(total, 60)
    assert page.get_by_test_id("forecast").is_visible()
    _shot(page, "deal-board-load-more-en")
    page.fill("#f-month", "2031-01")
    page.locator("#f-month").dispatch_event("change")
    page.wait_for_url(re.compile(r"month=2031-01"))
    page.get_by_test_id(f"stage-{lead_id}").locator("li.deal").first.wait_for(state="detached")


def test_accessibility_of_the_deal_pages(browser: Any, site: Site, organisation: dict[str, Any]) -> None:
    """axe-core (WCAG 2.0/2.1 A and AA) finds no violation on the deal page, the new and
    edit forms (also with errors) and the board with its filters and forecast, in English
    and in Polish. The context bypasses the CSP only to inject axe, as in test_browser."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    tab = context.new_page()
    tab.on("request", lambda r: site.requests.append(r.url))
    try:
        _log_in_as_rep(tab, site, f"/customers/{organisation['id']}/")
        deal_id = _new_deal_from_360(tab, site, organisation, "Accessible deal")
        found = {}
        for lang in ("en", "pl"):
            tab.goto(site.url + "/")
            tab.get_by_test_id(f"lang-{lang}").click()
            tab.wait_for_selector(f"html[lang={lang}]")
            for path in (f"/deals/{deal_id}/", f"/deals/{deal_id}/edit/", f"/deals/new/?party={organisation['id']}",
                         "/pipeline/", "form-errors"):
                if path == "form-errors":  # the new-deal form sent empty: every error under its field
                    tab.goto(f"{site.url}/deals/new/?party={organisation['id']}")
                    tab.locator("[data-testid=deal-form]").evaluate("f => { f.noValidate = true; }")
                    tab.get_by_test_id("deal-save").click()
                    tab.locator("#deal-title-error").wait_for()
                else:
                    tab.goto(site.url + path)
                tab.add_script_tag(path=str(AXE))
                result = tab.evaluate(
                    "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
                    "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map("
                    "v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
                )
                if result:
                    found[f"{lang} {path}"] = result
        assert not found, found
    finally:
        context.close()
