"""The playbook done-when in a real browser (Chromium through Playwright), on the scored
demo company of tests/web's site: a marketer builds "P(alive) fell below 0.4 and CLV in
the top tier → task for the owner + win-back mail, 10 % control", dry-runs it and
switches it on; the clock moves on to the next nightly scoring run, which the schedule
starts and the worker runs here (as tests/jobs do); then the owners have their tasks, the
mails reached only treated customers with a marketing consent (counted by aiosmtpd on
loopback), and no control customer was touched — no task, no mail, no membership."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from browser_site import Site, log_in, shot

MARKETER, MARKETER_PASSWORD = "mia-browser", "mia-browser-pw"
TASK_TITLE = "Call: win-back offer"


@pytest.fixture(scope="module")
def playbook_world(site: Site, django_db_blocker: Any) -> dict[str, Any]:
    """A marketer, a sales representative who owns every customer, and the win-back mail
    (a campaign's message) the playbook sends."""
    from django.db import connections
    from django.utils import timezone

    from clientela.crm.accounts.models import User
    from clientela.crm.engagement.models import Campaign
    from clientela.crm.parties.models import Party

    with django_db_blocker.unblock():
        User.objects.create_user(MARKETER, password=MARKETER_PASSWORD, role="marketer")
        rep = User.objects.create_user("rep-playbooks", password="x", role="sales_rep")
        Party.objects.filter(owner__isnull=True).update(owner=rep)
        template = Campaign.objects.create(
            name="Win-back mail", kind="win_back", channel="email", starts_on=timezone.localdate(),
            message_channel="email", message_subject="We miss you",
            message_body="Hello {{ first_name }}, here is 15% off your next order.")
        connections.close_all()
    return {"template": template.pk}


def test_a_marketer_builds_dry_runs_and_enables_a_win_back_playbook_that_acts_after_the_nightly_run(
    page: Any, site: Site, playbook_world: dict[str, Any], django_db_blocker: Any, inbox: Any,
) -> None:
    from django.db import connections
    from django.utils import timezone

    from clientela.crm.engagement.models import CampaignMember
    from clientela.crm.jobs import schedules
    from clientela.crm.parties.models import Consent, Party
    from clientela.crm.playbooks.models import Firing, Playbook, PlaybookRun
    from clientela.crm.scoring.models import ModelRun
    from clientela.crm.tasks.models import Task
    from jobs_in_process import run_jobs

    log_in(page, site, "/playbooks/", username=MARKETER, password=MARKETER_PASSWORD)
    page.get_by_test_id("playbook-new").click()
    page.wait_for_url(f"{site.url}/playbooks/new/")
    page.get_by_test_id("playbook-name").fill("Win back the top tier")
    page.get_by_test_id("trigger-kind").select_option("p_alive_below")
    page.get_by_test_id("trigger-threshold").fill("0.4")
    page.get_by_test_id("tier-top").check()
    page.get_by_test_id("action-task").check()
    page.get_by_test_id("task-title").fill(TASK_TITLE)
    page.get_by_test_id("action-message").check()
    page.get_by_test_id("message-campaign").select_option(str(playbook_world["template"]))
    page.get_by_test_id("control-percent").fill("10")
    page.get_by_test_id("playbook-dry-run-preview").click()
    dry = page.get_by_test_id("playbook-dry-run")
    assert re.search(r"Would fire now for \d+ customers?", dry.inner_text())
    shot(page, "60-playbook-builder-dry-run")
    page.get_by_test_id("playbook-save").click()
    page.wait_for_url(re.compile(r"/playbooks/\d+/$"))
    assert page.get_by_test_id("playbook-control").inner_text().startswith("10")
    page.get_by_test_id("playbook-dry-run-button").click()
    assert page.get_by_test_id("playbook-dry-run").is_visible()
    page.get_by_test_id("playbook-enable").click()
    page.get_by_test_id("playbook-disable").wait_for()
    assert page.get_by_test_id("playbook-status").inner_text() == "On"
    shot(page, "61-playbook-enabled")

    # The clock moves on: the nightly scoring run is due half a year after the data ends,
    # when customers who stopped buying have lost most of their P(alive).
    with django_db_blocker.unblock():
        playbook = Playbook.objects.get(name="Win back the top tier")
        assert playbook.enabled and playbook.owner is not None and playbook.owner.username == MARKETER
        before = ModelRun.objects.get(is_current=True)
        later = timezone.now() + timedelta(days=180)
        schedules.tick(later)  # records each schedule's next run
        started = schedules.tick(later + timedelta(days=1, hours=1))
        assert any(job.schedule == "nightly-scoring" for job in started)
        run_jobs()
        run = ModelRun.objects.get(is_current=True)
        assert run.pk != before.pk
        record = PlaybookRun.objects.get(playbook=playbook, occasion=f"run:{run.pk}")
        firings = list(Firing.objects.filter(run=record))
        treated = {f.party_id for f in firings if f.group == "treated"}
        control = {f.party_id for f in firings if f.group != "treated"}
        tasks = list(Task.objects.filter(title=TASK_TITLE))
        owners = dict(Party.objects.filter(pk__in=treated | control).values_list("pk", "owner_id"))
        consenting = set(Consent.objects.filter(party_id__in=treated | control, purpose="marketing",
                                                channel="email", withdrawn_at__isnull=True)
                         .values_list("party_id", flat=True))
        emails = dict(Party.objects.filter(pk__in=treated | control).values_list("pk", "email"))
        members = set(CampaignMember.objects.filter(campaign_id=playbook_world["template"])
                      .values_list("party_id", flat=True))
        connections.close_all()

    mailed = sorted(emails[p] for p in treated & consenting if emails[p])
    print(f"met {record.matched}: {len(treated)} treated, {len(control)} control, {len(mailed)} mailed")
    assert record.matched == len(firings) == record.treated + record.control and treated, record.__dict__
    assert {t.party_id for t in tasks} == treated
    assert all(t.assignee_id == owners[t.party_id] for t in tasks)
    assert mailed and sorted(inbox.recipients) == mailed
    assert not control & members and not {emails[p] for p in control} & set(inbox.recipients)
    assert all(m["Subject"] == "We miss you" for _, m in inbox.messages)

    # The moved clock's session purge ended the marketer's session: log in again.
    page.context.clear_cookies()
    log_in(page, site, f"/playbooks/{playbook.pk}/", username=MARKETER, password=MARKETER_PASSWORD)
    assert page.get_by_test_id("playbook-runs").is_visible()
    firing_rows = page.get_by_test_id("playbook-firings").locator("tbody tr")
    assert firing_rows.count() == min(len(firings), 50)
    if control:
        page.goto(f"{site.url}/customers/{sorted(control)[0]}/")
        assert "Held out" in page.get_by_test_id("playbook-history").inner_text()
    page.goto(f"{site.url}/customers/{sorted(treated)[0]}/")
    assert "Acted on" in page.get_by_test_id("playbook-history").inner_text()
    shot(page, "62-playbook-history-360")


def test_the_playbook_pages_are_accessible(browser: Any, site: Site, playbook_world: dict[str, Any],
                                          django_db_blocker: Any) -> None:
    """axe-core (WCAG 2.0/2.1 A and AA, as tests/web/test_browser.py) finds no violation on
    the list, the builder and a playbook's page, in English and Polish."""
    from django.db import connections

    from browser_site import AXE
    from clientela.crm.playbooks.actions import create_playbook

    with django_db_blocker.unblock():  # a playbook of its own: the tests run in either order
        create_playbook(None, name="Welcome tag", definition={
            "trigger": {"kind": "first_order"}, "actions": [{"kind": "tag", "tag": "welcome"}]})
        connections.close_all()

    context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    tab = context.new_page()
    tab.on("request", lambda r: site.requests.append(r.url))
    found: dict[str, Any] = {}
    try:
        log_in(tab, site, "/playbooks/", username=MARKETER, password=MARKETER_PASSWORD)
        first = tab.get_by_test_id("playbook-link").first.get_attribute("href")
        for lang in ("en", "pl"):
            tab.get_by_test_id(f"lang-{lang}").click()
            tab.wait_for_selector(f"html[lang={lang}]")
            for path in ["/playbooks/", "/playbooks/new/", first]:
                tab.goto(site.url + path)
                tab.add_script_tag(path=str(AXE))
                result = tab.evaluate(
                    "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
                    "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map("
                    "v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))")
                if result:
                    found[f"{lang} {path}"] = result
    finally:
        context.close()
    assert not found, found
