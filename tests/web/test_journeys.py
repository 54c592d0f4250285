"""One journey per role through the pages, never the admin, in English and again in Polish
(issue 12), in Debian's Chromium driven by Playwright:

* a **sales representative** creates an organisation with a contact person, creates a deal
  for it and moves it to won with a reason, logs a call, creates a follow-up task for
  tomorrow, sees it on My day, and finds the organisation again by the global search typed
  without its accents;
* a **marketer** creates a person with marketing consent and, after the night's scoring
  run, finds them in a segment — on the segment's page and on the person's 360;
* the **service agent**'s journey (a case opened from a 360, its SLA countdown, resolved)
  is tests/web/test_browser_cases.py.

Every write of the journeys is checked to have its audit entry naming the acting user.
Screenshots of each step go to ``screenshots/`` (``journey-<role>-<lang>-<step>.png``).
The site, browser and its fixtures are tests/browser_site.py's (the demo company, restored
for this module).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from browser_site import Site, shot

PASSWORD = "journey-pw-2026"  # noqa: S105 (a test user's)
LANGS = ["en", "pl"]


@pytest.fixture(scope="module")
def people(site: Site, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    from clientela.crm.accounts.models import Team, User

    with django_db_blocker.unblock():
        team = Team.objects.create(name="Journeys")
        yield {
            "rep": User.objects.create_user("journey-rep", password=PASSWORD, role="sales_rep", team=team),
            "marketer": User.objects.create_user("journey-marketer", password=PASSWORD, role="marketer"),
        }


@pytest.fixture
def tab(browser: Any, site: Site) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert not problems, problems


def _log_in(tab: Any, site: Site, username: str, lang: str) -> None:
    tab.goto(site.url + "/customers/")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("[data-testid=login-submit]")
    tab.wait_for_url(re.compile(re.escape(site.url) + "/customers/$"))
    if lang != "en":
        tab.get_by_test_id(f"lang-{lang}").click()
        tab.wait_for_load_state()
    assert tab.locator("html").get_attribute("lang") == lang
    assert "/admin/" not in tab.url


def _today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


def _wait_at(tab: Any, site: Site, path: str) -> None:
    """Wait until the page is ``path`` (any #fragment, any query)."""
    tab.wait_for_url(re.compile(re.escape(site.url + path) + r"(\?[^#]*)?(#[\w-]*)?$"))


def _shot(tab: Any, role: str, lang: str, step: str) -> None:
    shot(tab, f"journey-{role}-{lang}-{step}")


def _audited(django_db_blocker: Any, user: Any, entity: str, action: str, object_id: Any = None) -> bool:
    from clientela.crm.audit.models import AuditEntry

    with django_db_blocker.unblock():
        entries = AuditEntry.objects.filter(entity=entity, action=action, actor_id=user.pk)
        if object_id is not None:
            entries = entries.filter(object_id=str(object_id))
        found = entries.exists()
    from django.db import connections

    connections.close_all()  # no connection left open from Playwright's thread
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_a_sales_rep_runs_a_deal_from_a_new_organisation_to_won(
    lang: str, tab: Any, site: Site, people: dict[str, Any], django_db_blocker: Any,
) -> None:
    rep = people["rep"]
    name = f"Górskie Zakłady Łączności {lang.upper()}"
    plain = f"gorskie zaklady lacznosci {lang}"
    _log_in(tab, site, rep.username, lang)

    # 1. A new organisation, from the customer list.
    tab.get_by_test_id("new-customer").click()
    tab.select_option("select[name=kind]", "organisation")
    tab.fill("input[name=name]", name)
    tab.fill("input[name=email]", f"biuro-{lang}@gorskie.example")
    tab.fill("input[name=phone]", f"+48 18 200 30 4{len(lang)}")
    _shot(tab, "rep", lang, "1-new-organisation")
    tab.get_by_test_id("party-save").click()
    tab.wait_for_url(re.compile(re.escape(site.url) + r"/customers/\d+/$"))
    party_id = int(re.search(r"/customers/(\d+)/$", tab.url).group(1))
    assert tab.get_by_test_id("customer-name").inner_text().strip() == name

    # 2. Its contact person.
    tab.get_by_test_id("new-contact").click()
    tab.fill("input[name=name]", "Józef Kowalczyk")
    tab.fill("input[name=job_title]", "Kierownik zakupów")
    tab.fill("input[name=email]", f"jozef-{lang}@gorskie.example")
    tab.check("input[name=is_primary]")
    tab.get_by_test_id("contact-save").click()
    _wait_at(tab, site, f"/customers/{party_id}/")
    assert "Józef Kowalczyk" in tab.inner_text("main")
    _shot(tab, "rep", lang, "2-organisation-360")

    # 3. A deal for it, moved to won with a reason.
    tab.get_by_test_id("new-deal").click()
    tab.fill("input[name=title]", f"Radiotelefony {lang}")
    tab.fill("input[name=amount]", "125000")
    tab.fill("input[name=expected_close]", (_today() + timedelta(days=30)).isoformat())
    tab.get_by_test_id("deal-save").click()
    tab.wait_for_url(re.compile(re.escape(site.url) + r"/deals/\d+/$"))
    deal_id = int(re.search(r"/deals/(\d+)/$", tab.url).group(1))
    won = tab.locator("#move-stage option").filter(has_text=re.compile("Won|Wygrana")).first.get_attribute("value")
    tab.select_option("#move-stage", won)
    tab.fill("#move-reason", "Najlepsze warunki serwisu")
    tab.get_by_test_id("deal-move-submit").click()
    tab.wait_for_load_state()
    assert "Najlepsze warunki serwisu" in tab.inner_text("main")
    _shot(tab, "rep", lang, "3-deal-won")

    # 4. A call, logged on the 360.
    tab.goto(f"{site.url}/customers/{party_id}/")
    tab.select_option("#log-channel", "phone")
    tab.fill("#log-subject", f"Rozmowa po podpisaniu {lang}")
    tab.get_by_test_id("log-submit").click()
    tab.get_by_test_id("timeline").get_by_text(f"Rozmowa po podpisaniu {lang}").wait_for()

    # 5. A follow-up task for tomorrow, from the 360; then My day shows it.
    tab.get_by_test_id("party-tasks").get_by_test_id("new-task").click()
    title = f"Wysłać instrukcje {lang}"
    tab.fill("input[name=title]", title)
    tab.fill("input[name=due_at]", (_today() + timedelta(days=1)).isoformat())
    tab.get_by_test_id("task-submit").click()
    _wait_at(tab, site, f"/customers/{party_id}/")
    tab.get_by_test_id("my-day").click()
    tab.get_by_test_id("my-day-upcoming").get_by_test_id("task-row").filter(has_text=title).wait_for()
    _shot(tab, "rep", lang, "4-my-day")

    # 6. The organisation again, by the global search typed without accents.
    tab.keyboard.press("/")
    box = tab.get_by_test_id("global-search")
    box.type(plain, delay=15)
    box.press("Enter")
    tab.get_by_test_id("search-hit").filter(has_text=name).first.click()
    _wait_at(tab, site, f"/customers/{party_id}/")
    _shot(tab, "rep", lang, "5-found-by-search")

    for entity, action, object_id in (("party", "create", party_id), ("contact", "create", None),
                                      ("deal", "create", deal_id), ("deal", "update", deal_id),
                                      ("interaction", "create", None), ("task", "create", None)):
        assert _audited(django_db_blocker, rep, entity, action, object_id), (entity, action)


@pytest.mark.parametrize("lang", LANGS)
def test_a_marketer_creates_a_person_with_consent_and_finds_them_in_a_segment(
    lang: str, tab: Any, site: Site, people: dict[str, Any], django_db_blocker: Any,
) -> None:
    marketer = people["marketer"]
    name = f"Żaneta Wiśniewska-{lang.upper()}"
    _log_in(tab, site, marketer.username, lang)

    tab.get_by_test_id("new-customer").click()
    tab.select_option("select[name=kind]", "person")
    tab.fill("input[name=name]", name)
    tab.fill("input[name=email]", f"zaneta-{lang}@example.pl")
    tab.check("input[name=consent_marketing_email]")
    _shot(tab, "marketer", lang, "1-new-person")
    tab.get_by_test_id("party-save").click()
    tab.wait_for_url(re.compile(re.escape(site.url) + r"/customers/\d+/$"))
    party_id = int(re.search(r"/customers/(\d+)/$", tab.url).group(1))

    from django.db import connections

    from clientela.crm.parties.models import Consent
    from clientela.crm.scoring.actions import run_scoring

    with django_db_blocker.unblock():
        assert Consent.objects.filter(party_id=party_id, purpose="marketing", channel="email",
                                      withdrawn_at__isnull=True).exists()
        run_scoring(None)  # the night's scoring run: segments read the latest scores
    connections.close_all()

    tab.goto(site.url + "/segments/new/")
    tab.fill("#segment-name", f"Nowi z zgodą {lang}")
    tab.get_by_test_id("stage-prospect").check()
    tab.get_by_test_id("segment-save").click()
    tab.wait_for_url(re.compile(re.escape(site.url) + r"/segments/\d+/$"))
    segment_url = tab.url
    _shot(tab, "marketer", lang, "2-segment")
    tab.goto(f"{site.url}/customers/{party_id}/")
    segments = tab.get_by_test_id("customer-segments")
    link = segments.get_by_role("link", name=f"Nowi z zgodą {lang}")
    link.wait_for()
    _shot(tab, "marketer", lang, "3-person-in-segment")
    link.click()
    tab.wait_for_url(re.compile(re.escape(segment_url) + r"(\?[^#]*)?(#[\w-]*)?$"))
    assert _audited(django_db_blocker, marketer, "party", "create", party_id)
    assert _audited(django_db_blocker, marketer, "consent", "create")
