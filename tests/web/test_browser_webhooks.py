"""Webhooks in a real browser (Chromium through Playwright): an administrator adds a
subscription for a receiver on loopback, copies the secret shown once, sends a test event;
the worker (in this process) delivers it after the receiver failed the first attempt; the
log shows two attempts and "Delivered", and a replay brings the same event id again. The
page passes axe's WCAG checks in English and Polish."""

from __future__ import annotations

import re
from typing import Any

import pytest

from browser_site import AXE, Site, log_in, shot
from jobs_in_process import run_jobs
from webhooks.receiver import receiver


def _run_worker(django_db_blocker: Any) -> None:
    from django.db import connections

    with django_db_blocker.unblock():
        run_jobs()
        connections.close_all()


def _axe(tab: Any) -> list[str]:
    tab.add_script_tag(path=str(AXE))
    return tab.evaluate(  # type: ignore[no-any-return]
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map(v => v.id)")


@pytest.fixture
def tab(browser: Any, site: Site) -> Any:
    """An English tab; its context bypasses the CSP only so that the test can inject axe."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("request", lambda r: site.requests.append(r.url))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.set_default_timeout(30_000)
    yield page
    context.close()
    assert not problems, problems


def test_an_administrator_subscribes_tests_and_replays(tab: Any, site: Site, settings: Any,
                                                        django_db_blocker: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.JOB_RETRY_SECONDS = 0
    log_in(tab, site, "/webhooks/")
    with receiver("unknown-until-shown", fail_first=1) as hook:
        tab.fill("#webhook-name", "n8n")
        tab.fill("#webhook-url", hook.url)
        tab.check("input[name=event_types][value='webhook.test']")
        tab.get_by_role("button", name="Add subscription").click()
        secret = tab.get_by_test_id("webhook-secret-value").inner_text().strip()
        assert secret.startswith("whsec_")
        hook.secret = secret
        shot(tab, "webhooks-secret")
        tab.goto(site.url + "/webhooks/")
        assert secret not in tab.content()  # shown once
        tab.locator("[data-testid^=webhook-test-]").first.click()
        tab.wait_for_url(re.compile(r"/webhooks/$"))
        assert "test event" in tab.get_by_test_id("flash").inner_text()
        _run_worker(django_db_blocker)
        tab.reload()
        row = tab.locator("[data-testid^=delivery-]").first
        assert row.get_by_test_id("delivery-status").inner_text() == "Delivered"
        assert row.get_by_test_id("delivery-attempts").locator(".num").inner_text() == "2"
        shot(tab, "webhooks-log")
        row.get_by_role("button", name="Replay").click()
        tab.wait_for_url(re.compile(r"/webhooks/$"))
        _run_worker(django_db_blocker)
    assert hook.bad_signatures == 0
    assert len(hook.accepted) == 1 and list(hook.accepted.values()) == [2]  # the event, and its replay
    assert [r["good"] for r in hook.requests] == [True, True, True]  # 500, the retry, the replay
    violations = {"en": _axe(tab)}
    tab.get_by_test_id("lang-pl").click()
    tab.wait_for_selector("html[lang=pl]")
    assert "Dziennik dostarczeń" in tab.content()
    violations["pl"] = _axe(tab)
    assert violations == {"en": [], "pl": []}
