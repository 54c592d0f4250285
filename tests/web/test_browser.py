"""The web interface in a real browser: Debian's Chromium driven by Playwright.

The site is tests/browser_site.py's: the scored 300-party demo company (restored for this
module, wiped after it) served by waitress on 127.0.0.1 from a thread. Every page visited
is saved as a screenshot in ``screenshots/`` (or ``CLIENTELA_SCREENSHOTS``); the folder is
printed at the end of the run. Every request the browser makes is recorded, and any that
leaves 127.0.0.1 fails the test. No test relies on another having run before it
(``pytest --reverse`` runs them backwards).
"""

from __future__ import annotations

import re
from typing import Any

from browser_site import (
    ARGS,
    AXE,
    CHROMIUM,
    PASSWORD,
    SHOTS,
    Site,
    browser,
    log_in,
    page,
    shot,
    site,
)
from clientela_test_support import SmtpInbox
from shared_worlds import BROWSER_EMAIL
from shared_worlds import ensure_test_database as _test_database  # noqa: F401 (an older name)

# Other browser modules once took these from here; they are tests/browser_site.py's now.
__all__ = ["ARGS", "AXE", "CHROMIUM", "PASSWORD", "SHOTS", "Site", "browser", "log_in", "page", "shot", "site"]
KPIS = ("customer-equity", "active-customers", "mean-clv", "clv-cac", "retention", "churn", "nps", "top20-share")


def test_log_in_and_see_every_kpi_tile(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    assert "/login/?next=/" in page.url
    shot(page, "01-login")
    page.fill("input[name=username]", "browser")
    page.fill("input[name=password]", "wrong")
    page.click("[data-testid=login-submit]")
    assert page.get_by_role("alert").is_visible()
    log_in(page, site)
    for kpi in KPIS:
        tile = page.get_by_test_id(f"kpi-{kpi}")
        value = tile.locator(".kpi-value").inner_text()
        assert re.search(r"\d", value), (kpi, value)  # NPS too: the demo has survey answers
    assert page.locator("svg[role=img]").count() >= 5
    shot(page, "02-dashboard")


def test_search_opens_a_customer_360(page: Any, site: Site) -> None:
    log_in(page, site, "/customers/")
    shot(page, "03-customers")
    page.get_by_test_id("customer-search").fill(site.top_name)
    page.wait_for_url(re.compile(r"[?&]q="))  # htmx pushed the search into the address
    link = page.get_by_test_id("customer-link").filter(has_text=site.top_name).first
    link.wait_for()
    assert page.get_by_test_id("customer-link").count() < 50
    shot(page, "04-customers-search")
    link.click()
    page.wait_for_url(f"{site.url}/customers/{site.top_id}/")
    for testid in ("customer-clv", "customer-p-alive", "customer-ladder-stage", "customer-nba"):
        assert page.get_by_test_id(testid).inner_text().strip(), testid
    assert "PLN" in page.get_by_test_id("customer-clv").inner_text()
    shot(page, "05-customer-360")


def test_log_an_interaction_and_see_it_on_the_timeline(page: Any, site: Site) -> None:
    log_in(page, site, f"/customers/{site.top_id}/")
    page.evaluate("window.__sameDocument = true")
    page.select_option("#log-channel", "meeting")
    page.fill("#log-subject", "Browser test: quarterly review")
    page.fill("#log-notes", "Agreed to send <b>the</b> new price list")
    page.get_by_test_id("log-submit").click()
    page.get_by_test_id("log-ok").wait_for()
    first = page.get_by_test_id("timeline-item").first
    assert "Browser test: quarterly review" in first.inner_text()
    assert "Agreed to send <b>the</b> new price list" in first.inner_text()  # shown as text, not markup
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    assert page.input_value("#log-subject") == ""
    shot(page, "06-customer-360-logged")
    page.get_by_test_id("timeline-more").click()
    page.get_by_test_id("timeline-item").nth(26).wait_for()  # older events appended in place


def test_drag_a_deal_to_the_next_stage(page: Any, site: Site) -> None:
    log_in(page, site)
    page.get_by_test_id("menu-pipeline").click()
    page.wait_for_url(f"{site.url}/pipeline/{site.pipeline_id}/")
    shot(page, "07-pipeline")
    card = page.get_by_test_id(f"deal-{site.deal_id}")
    lead, qualified = (page.get_by_test_id(f"stage-{site.stages[n]}") for n in ("Lead", "Qualified"))
    assert lead.get_by_test_id(f"deal-{site.deal_id}").count() == 1
    box = card.locator(".deal-amount").bounding_box()  # the card's plain text (its links open pages)
    target = qualified.locator("ol.deals").bounding_box()
    page.mouse.move(box["x"] + 10, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + 40, box["y"] + 20, steps=5)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 30, steps=20)
    page.mouse.up()
    page.get_by_test_id("board-moved").wait_for()  # the server moved it and redrew the board
    qualified = page.get_by_test_id(f"stage-{site.stages['Qualified']}")
    assert qualified.get_by_test_id(f"deal-{site.deal_id}").count() == 1
    shot(page, "08-pipeline-moved")


def test_switch_to_polish_and_russian(page: Any, site: Site) -> None:
    log_in(page, site)
    page.get_by_test_id("lang-pl").click()
    page.wait_for_selector("html[lang=pl]")
    assert page.get_by_role("heading", level=1).inner_text() == "Pulpit kapitału klientów"
    assert re.search(r"\d,\d\s%", page.get_by_test_id("kpi-retention").locator(".kpi-value").inner_text())
    shot(page, "09-dashboard-pl")
    page.goto(f"{site.url}/customers/{site.top_id}/")
    assert page.locator("html").get_attribute("lang") == "pl"  # the choice is remembered
    shot(page, "10-customer-360-pl")
    page.get_by_test_id("lang-ru").click()
    page.wait_for_selector("html[lang=ru]")
    assert "Ценность клиента" in page.inner_text("main")
    shot(page, "11-customer-360-ru")
    page.goto(site.url + "/customers/")
    shot(page, "12-customers-ru")
    page.get_by_test_id("lang-en").click()
    page.wait_for_selector("html[lang=en]")


def test_equity_planner_slider_changes_the_predicted_equity(page: Any, site: Site, django_db_blocker: Any) -> None:
    from django.db import connections
    from playwright.sync_api import expect

    from clientela.crm.scoring.models import ModelRun
    from clientela.insight.allocation import AllocationInputs

    with django_db_blocker.unblock():
        inputs = AllocationInputs(**ModelRun.objects.get(is_current=True).summary["allocation"])
        connections.close_all()  # opened under Playwright's event loop: its own connection, closed here
    log_in(page, site)
    page.get_by_test_id("menu-planner").click()
    page.wait_for_url(f"{site.url}/planner/")
    page.evaluate("window.__sameDocument = true")
    equity = page.get_by_test_id("planner-equity")
    before = equity.inner_text()
    assert page.locator("[data-testid^=chart-planner] svg[role=img]").count() == 2
    shot(page, "30-planner")
    slider = page.get_by_label("Acquisition budget a year")
    start = float(slider.input_value())
    slider.focus()
    for _ in range(25):
        page.keyboard.press("ArrowRight")
    moved = float(slider.input_value())
    assert moved > start
    expect(equity).not_to_have_text(before)
    retention = float(page.get_by_label("Retention budget a year").input_value())
    expected = f"{round(inputs.equity(moved, retention)):,}\xa0PLN"
    expect(equity).to_have_text(expected)  # the engine's figure for the budgets on the sliders
    assert page.get_by_test_id("planner-acquisition-value").inner_text() == f"{round(moved):,}\xa0PLN"
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    assert "acquisition=" in page.url  # the address keeps the budgets
    shot(page, "31-planner-moved")


def test_model_page_shows_the_holdout_check(page: Any, site: Site) -> None:
    log_in(page, site)
    page.get_by_test_id("menu-model").click()
    page.wait_for_url(f"{site.url}/model/")
    assert page.get_by_test_id("model-name").inner_text().strip()
    chart = page.get_by_test_id("chart-holdout")
    assert chart.locator("svg[role=img] title").count() == 1
    assert page.get_by_test_id("compared-model").count() >= 2
    chart.locator("summary").click()  # the figures as a table
    assert chart.locator("tbody tr").first.is_visible()
    shot(page, "14-model")


def test_jobs_page_lists_a_queued_job_and_the_schedules(page: Any, site: Site, django_db_blocker: Any) -> None:
    from django.db import connections

    from clientela.crm.jobs.actions import enqueue_job

    with django_db_blocker.unblock():
        enqueue_job(None, kind="scoring.run", params={}, label="Scoring run (browser test)", subject="scoring")
        connections.close_all()  # opened under Playwright's event loop: its own connection, closed here
    log_in(page, site)
    page.get_by_test_id("menu-jobs").click()
    page.wait_for_url(f"{site.url}/jobs/")
    assert "Queued" in page.get_by_test_id("job-status").first.inner_text()
    assert page.get_by_test_id("schedule-nightly-scoring").is_visible()
    shot(page, "16-jobs")


def _count(tab: Any, testid: str) -> int:
    return int(re.sub(r"\D", "", tab.get_by_test_id(testid).inner_text()))


def test_build_a_segment_and_send_a_campaign(page: Any, site: Site, inbox: SmtpInbox, django_db_blocker: Any) -> None:
    from django.db import connections

    from clientela.crm.parties.queries import outside_customer_base_ids
    from clientela.crm.scoring.models import CustomerScore

    with django_db_blocker.unblock():  # the scored customer base (suppliers, partners left out)
        base = CustomerScore.objects.filter(run__is_current=True).exclude(party_id__in=outside_customer_base_ids()).count()
    connections.close_all()
    log_in(page, site, "/segments/")
    page.get_by_test_id("segment-new").click()
    page.wait_for_url(f"{site.url}/segments/new/")
    page.evaluate("window.__sameDocument = true")
    count = page.get_by_test_id("segment-count")
    everyone = int(count.get_attribute("data-count"))
    assert everyone == base
    page.fill("#segment-name", "Browser: valuable champions")
    page.get_by_test_id("rfm-champions").check()  # htmx asks for the size of the new filters
    page.locator(f"[data-testid=segment-count]:not([data-count='{everyone}'])").wait_for()
    champions = int(count.get_attribute("data-count"))
    page.get_by_test_id("tier-top").check()
    page.locator(f"[data-testid=segment-count]:not([data-count='{champions}'])").wait_for()
    chosen = int(count.get_attribute("data-count"))
    assert 0 < chosen < champions < everyone
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    shot(page, "20-segment-builder")
    page.get_by_test_id("segment-save").click()
    page.wait_for_url(re.compile(re.escape(site.url) + r"/segments/\d+/$"))
    segment_path = page.url[len(site.url):]
    assert int(page.get_by_test_id("segment-count").get_attribute("data-count")) == chosen
    assert page.get_by_test_id("member-link").count() == min(chosen, 50)
    shot(page, "21-segment")
    page.get_by_test_id("segment-create-campaign").click()
    page.wait_for_url(f"{site.url}{segment_path}campaign/")
    page.fill("#campaign-name", "Browser: thank you")
    page.fill("#campaign-message_subject", "Thank you, from the browser test")
    page.fill("#campaign-message_body", "Hello {{ name }}, thank you for staying with us.")
    shot(page, "22-campaign-form")
    page.get_by_test_id("campaign-create").click()
    page.wait_for_url(re.compile(re.escape(site.url) + r"/campaigns/\d+/$"))
    assert _count(page, "count-total") == chosen and _count(page, "count-queued") == chosen
    reachable = _count(page, "count-reachable")
    page.get_by_test_id("campaign-test").click()  # to the signed-in user's own address
    page.get_by_test_id("test-sent").wait_for()
    assert [rcpt for rcpt, _m in inbox.messages] == [[BROWSER_EMAIL]]
    assert inbox.messages[0][1]["Subject"] == "[TEST] Thank you, from the browser test"
    assert _count(page, "count-queued") == chosen  # the test touched no member
    page.get_by_test_id("campaign-confirm").check()
    page.get_by_test_id("campaign-send").click()
    page.get_by_test_id("campaign-started").wait_for()  # queued as a job; the page follows it
    from clientela.crm.jobs.worker import JobWorker

    with django_db_blocker.unblock():  # the worker, here in the test's process
        JobWorker(worker_id="browser-test", interval=0.05, burst=True, housekeeping=False).run()
    page.get_by_test_id("campaign-sent").wait_for()  # the page's poll shows the counts
    sent, suppressed = _count(page, "count-sent"), _count(page, "count-suppressed")
    held_out = _count(page, "count-held-out")  # the campaign's control group (10 % by default)
    assert sent == reachable and sent + suppressed + _count(page, "count-failed") + held_out == chosen
    delivered = [r for rcpt, _m in inbox.messages[1:] for r in rcpt]
    assert len(delivered) == sent and BROWSER_EMAIL not in delivered
    assert all(m["Subject"] == "Thank you, from the browser test" for _r, m in inbox.messages[1:])
    shot(page, "23-campaign-sent")
    page.get_by_test_id("menu-campaigns").click()
    page.get_by_test_id("campaign-link").filter(has_text="Browser: thank you").wait_for()
    shot(page, "24-campaigns")


def test_feedback_page_filters_the_comments(page: Any, site: Site) -> None:
    log_in(page, site)
    page.get_by_test_id("menu-feedback").click()
    page.wait_for_url(f"{site.url}/feedback/")
    page.evaluate("window.__sameDocument = true")
    assert page.locator("[data-testid^=chart-] svg[role=img]").count() == 2
    shot(page, "32-feedback")
    assert page.get_by_test_id("comment").count() == 25  # the demo has answers with comments
    page.get_by_label("Score band").select_option("detractor")
    page.wait_for_url(re.compile(r"[?&]band=detractor"))  # htmx pushed the filter into the address
    page.wait_for_function("[...document.querySelectorAll('[data-testid=comment] .badge')].every("
                           "b => /^(NPS [0-6]|CSAT [1-3])$/.test(b.textContent.trim()))")
    assert page.get_by_test_id("comment").count() > 0
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    shot(page, "33-feedback-detractors")


def test_log_out(page: Any, site: Site) -> None:
    log_in(page, site)
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/login/$"))
    page.goto(site.url + "/customers/")
    assert "/login/" in page.url


def _segment_with_a_campaign(django_db_blocker: Any) -> list[str]:
    """A saved segment and a campaign made from it (as the segment test makes them in the
    browser): the paths of the segment, its campaign form and the campaign."""
    from django.db import connections

    from clientela.crm.accounts.models import User
    from clientela.crm.engagement.actions import create_campaign_from_segment, create_segment
    from clientela.crm.scoring.models import ModelRun

    with django_db_blocker.unblock():
        admin = User.objects.get(username="browser")
        segment = create_segment(admin, {"name": "Axe: valuable champions", "definition": {
            "rfm_segments": ["champions"], "value_tiers": ["top"]}})
        campaign = create_campaign_from_segment(admin, segment, {
            "name": "Axe: thank you", "kind": "retention", "message_channel": "email", "starts_on": "2026-11-23",
            "message_subject": "Thanks", "message_body": "Hello {{ name }}"}, run=ModelRun.objects.get(is_current=True))
        connections.close_all()  # opened under Playwright's event loop: its own connection, closed here
    return [f"/segments/{segment.pk}/", f"/segments/{segment.pk}/campaign/", f"/campaigns/{campaign.pk}/"]


def test_accessibility_of_every_main_page(browser: Any, site: Site, django_db_blocker: Any) -> None:
    """axe-core (WCAG 2.0/2.1 A and AA rules: labels, text alternatives, contrast, …) finds
    no violation on the main pages in English, the Russian dashboard and the login page. The context bypasses the
    CSP only so that the test can inject axe; the app itself is unchanged."""
    segment_paths = _segment_with_a_campaign(django_db_blocker)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    tab = context.new_page()
    tab.on("request", lambda r: site.requests.append(r.url))
    try:
        log_in(tab, site)
        paths = ["/", "/customers/", f"/customers/{site.top_id}/",
                 f"/pipeline/{site.pipeline_id}/", "/planner/", "/feedback/",
                 "/segments/", "/segments/new/?rfm=champions&tier=top", "/campaigns/", *segment_paths, "/model/", "/jobs/"]
        found = {}
        for lang, checked in (("en", paths), ("ru", paths[:1])):
            tab.goto(site.url + "/")
            tab.get_by_test_id(f"lang-{lang}").click()
            tab.wait_for_selector(f"html[lang={lang}]")
            for path in checked:
                tab.goto(site.url + path)
                tab.add_script_tag(path=str(AXE))
                result = tab.evaluate(
                    "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
                    "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map("
                    "v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
                )
                if result:
                    found[f"{lang} {path}"] = result
        tab.get_by_test_id("logout").click()
        tab.wait_for_url(re.compile(r"/login/$"))
        tab.add_script_tag(path=str(AXE))
        login = tab.evaluate("async () => (await axe.run()).violations.map(v => v.id)")
        if login:
            found["login"] = login
        assert not found, found
    finally:
        context.close()


def test_main_pages_fit_a_phone_screen(browser: Any, site: Site) -> None:
    """At a phone's width (390 px) no page is wider than the screen: the menu wraps, wide
    tables and the pipeline's columns scroll inside their own boxes, grids stack."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.on("request", lambda r: site.requests.append(r.url))
    try:
        log_in(tab, site)
        too_wide = {}
        for path in ["/", "/customers/", f"/customers/{site.top_id}/", f"/pipeline/{site.pipeline_id}/",
                     "/planner/", "/feedback/", "/segments/", "/campaigns/", "/model/", "/jobs/"]:
            tab.goto(site.url + path)
            width = tab.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                too_wide[path] = width
        tab.goto(site.url + f"/customers/{site.top_id}/")
        shot(tab, "15-customer-360-phone")
        assert not too_wide, too_wide
    finally:
        context.close()
