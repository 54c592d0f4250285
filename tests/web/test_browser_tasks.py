"""Tasks and My day in a real browser (Debian's Chromium through Playwright), on the site
of tests/web/test_browser.py: a sales representative creates a follow-up task for
tomorrow from a customer's 360 and sees it on My day, in English and in Polish;
completes a task in place; sees the bell count a manager's assignment raised.
Screenshots go to ``screenshots/`` (or ``CLIENTELA_SCREENSHOTS``), as for the other
browser tests; copies for the docs are in docs/screenshots/."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from browser_site import Site, shot

REP = "rep-browser"
REP_PASSWORD = "rep-browser-pw"


@pytest.fixture(scope="module")
def rep_world(site: Site, django_db_blocker: Any) -> dict[str, Any]:
    """A sales representative who owns the top customer, and a manager of the same team."""
    from django.db import connections

    from clientela.crm.accounts.models import Team, User
    from clientela.crm.parties.models import Party

    with django_db_blocker.unblock():
        team = Team.objects.create(name="Browser team")
        rep = User.objects.create_user(REP, password=REP_PASSWORD, role="sales_rep", team=team, first_name="Rita")
        manager = User.objects.create_user("mgr-browser", password="x", role="manager", team=team)
        Party.objects.filter(pk=site.top_id).update(owner=rep, team=team)
        ids = {"rep": rep.pk, "manager": manager.pk}
        connections.close_all()
    return ids


@pytest.fixture
def tab(browser: Any, site: Site) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    problems: list[str] = []
    page.on("request", lambda r: site.requests.append(r.url))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not problems, problems


def log_in_as_rep(tab: Any, site: Site, path: str) -> None:
    tab.goto(site.url + path)
    tab.fill("input[name=username]", REP)
    tab.fill("input[name=password]", REP_PASSWORD)
    tab.click("[data-testid=login-submit]")
    tab.wait_for_url(re.compile(re.escape(site.url + path) + "$"))


def _tomorrow() -> str:
    from django.utils import timezone

    return (timezone.localdate() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_rep_creates_a_follow_up_from_the_360_and_sees_it_on_my_day(
    tab: Any, site: Site, rep_world: dict[str, Any], lang: str
) -> None:
    log_in_as_rep(tab, site, f"/customers/{site.top_id}/")
    if lang != "en":
        tab.get_by_test_id(f"lang-{lang}").click()
        tab.wait_for_selector(f"html[lang={lang}]")
    title = {"en": "Follow-up call about the offer", "pl": "Telefon w sprawie oferty"}[lang]
    tab.get_by_test_id("party-tasks").get_by_test_id("new-task").click()
    tab.wait_for_url(re.compile(r"/tasks/new/\?party=\d+"))
    assert site.top_name in tab.get_by_test_id("task-linked").inner_text()
    tab.fill("input[name=title]", title)
    tab.fill("input[name=due_at]", _tomorrow())
    shot(tab, f"40-task-new-{lang}")
    tab.get_by_test_id("task-submit").click()
    tab.wait_for_url(f"{site.url}/customers/{site.top_id}/")
    assert title in tab.get_by_test_id("party-tasks").inner_text()
    tab.get_by_test_id("my-day").click()
    tab.wait_for_url(f"{site.url}/my-day/")
    heading = tab.get_by_role("heading", level=1).inner_text()
    assert heading == {"en": "My day", "pl": "Mój dzień"}[lang]
    upcoming = tab.get_by_test_id("my-day-upcoming")
    row = upcoming.get_by_test_id("task-row").filter(has_text=title)
    assert row.count() == 1
    assert site.top_name in row.inner_text()
    shot(tab, f"41-my-day-{lang}")


def test_rep_completes_and_reschedules_in_place(tab: Any, site: Site, rep_world: dict[str, Any], django_db_blocker: Any) -> None:
    from django.db import connections
    from django.utils import timezone

    from clientela.crm.accounts.models import User
    from clientela.crm.tasks.actions import create_task

    with django_db_blocker.unblock():
        rep = User.objects.get(pk=rep_world["rep"])
        manager = User.objects.get(pk=rep_world["manager"])
        create_task(manager, title="Prepare the quarterly review", assignee=rep, due_on=timezone.localdate())
        create_task(rep, title="Send the price list", assignee=rep, due_on=timezone.localdate())
        connections.close_all()
    log_in_as_rep(tab, site, "/my-day/")
    assert tab.get_by_test_id("notifications-count").inner_text().strip().startswith("1")
    tab.evaluate("window.__sameDocument = true")
    today = tab.get_by_test_id("my-day-today")
    row = today.get_by_test_id("task-row").filter(has_text="Send the price list")
    row.get_by_test_id("task-complete").click()
    today.locator("tr.task-closed", has_text="Send the price list").wait_for()
    row = today.get_by_test_id("task-row").filter(has_text="Prepare the quarterly review")
    row.get_by_test_id("task-change").click()
    later = (timezone.localdate() + timedelta(days=3)).isoformat()
    row.get_by_test_id("task-due-input").fill(later)
    row.get_by_test_id("task-reschedule").click()
    today.locator(f"tr:has-text('Prepare the quarterly review') time[datetime='{later}']").wait_for()
    assert tab.evaluate("window.__sameDocument === true"), "the page was reloaded"
    shot(tab, "42-my-day-changed")
    tab.get_by_test_id("notifications").click()
    tab.wait_for_url(f"{site.url}/notifications/")
    item = tab.get_by_test_id("notification").filter(has_text="Prepare the quarterly review")
    assert "assigned you a task" in item.inner_text()
    shot(tab, "43-notifications")
    item.get_by_test_id("notification-read").click()
    tab.locator("[data-testid=notification]:not(.unread)", has_text="Prepare the quarterly review").wait_for()
    tab.goto(site.url + "/tasks/?scope=mine&status=all")
    rows = tab.get_by_test_id("task-row")  # the done one too (and any follow-ups of the test above)
    assert rows.filter(has_text="Send the price list").count() == 1
    assert rows.filter(has_text="Prepare the quarterly review").count() == 1
    shot(tab, "44-tasks")


def test_task_pages_are_accessible_and_fit_a_phone(browser: Any, site: Site, rep_world: dict[str, Any]) -> None:
    """axe-core (as in test_browser.py: WCAG 2.0/2.1 A and AA) finds no violation on My day,
    the task list, the new task form and the notifications page, in English and Polish; at
    a phone's width (390 px) none of them is wider than the screen."""
    from browser_site import AXE

    paths = ["/my-day/", "/tasks/?scope=mine&status=all", f"/tasks/new/?party={site.top_id}", "/notifications/"]
    context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    tab = context.new_page()
    tab.on("request", lambda r: site.requests.append(r.url))
    found: dict[str, Any] = {}
    try:
        log_in_as_rep(tab, site, "/my-day/")
        for lang in ("en", "pl"):
            tab.get_by_test_id(f"lang-{lang}").click()
            tab.wait_for_selector(f"html[lang={lang}]")
            for path in paths:
                tab.goto(site.url + path)
                tab.add_script_tag(path=str(AXE))
                result = tab.evaluate(
                    "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
                    "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map("
                    "v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
                )
                if result:
                    found[f"{lang} {path}"] = result
        tab.set_viewport_size({"width": 390, "height": 844})
        for path in paths:
            tab.goto(site.url + path)
            width = tab.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                found[f"phone {path}"] = width
        tab.goto(site.url + "/my-day/")
        shot(tab, "45-my-day-phone")
    finally:
        context.close()
    assert not found, found
