"""A sales representative creates an organisation with a contact person through the
pages, in English and again in Polish, in Debian's Chromium (Playwright), without the
admin: the duplicate warning while typing, the new party's 360, the contact on it; then
archives nothing (a representative may not) while a manager archives and undoes.
Screenshots of each new page go to docs/screenshots/ (small PNGs of the viewport).

The site, browser and page fixtures are tests/browser_site.py's (the demo company,
restored for this module).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_site import AXE, Site

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REP_PASSWORD = "rep-browser-pw"  # noqa: S105 (a test user's)


def doc_shot(tab: Any, name: str) -> None:
    """A small screenshot (the viewport only) for the documentation."""
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(DOCS_SHOTS / f"{name}.png"))


@pytest.fixture(scope="module")
def people(site: Site, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """A sales representative owning one organisation, and a manager of the same team."""
    from clientela.crm.accounts.models import Team, User
    from clientela.crm.parties.actions import create_party

    with django_db_blocker.unblock():
        team = Team.objects.create(name="Kraków sales")
        rep = User.objects.create_user("rep", password=REP_PASSWORD, role="sales_rep", team=team,
                                       first_name="Rita", last_name="Rep")
        manager = User.objects.create_user("boss", password=REP_PASSWORD, role="manager", team=team)
        existing = create_party(rep, {"name": "Bursztyn Handel", "kind": "organisation", "is_customer": True,
                                      "email": "biuro@bursztyn.example"})
        yield {"rep": rep, "manager": manager, "existing": existing}


def _log_in(tab: Any, site: Site, username: str) -> None:
    tab.goto(site.url + "/customers/")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", REP_PASSWORD)
    tab.click("[data-testid=login-submit]")
    tab.wait_for_url(re.compile(re.escape(site.url) + "/customers/$"))


@pytest.mark.parametrize(("lang", "words"), [
    ("en", {"new": "New person or organisation", "contacts": "Contact persons", "same": "same name"}),
    ("pl", {"new": "Nowa osoba lub organizacja", "contacts": "Osoby kontaktowe", "same": "ta sama nazwa"}),
])
def test_a_sales_rep_creates_an_organisation_with_a_contact(
    people: dict[str, Any], page: Any, site: Site, lang: str, words: dict[str, str]
) -> None:
    page.set_viewport_size({"width": 1100, "height": 760})  # small screenshots
    _log_in(page, site, "rep")
    if lang != "en":
        page.get_by_test_id(f"lang-{lang}").click()
        page.wait_for_selector(f"html[lang={lang}]")
    page.get_by_test_id("new-customer").click()
    page.wait_for_url(re.compile(r"/customers/new/$"))
    assert page.get_by_role("heading", level=1).inner_text() == words["new"]
    page.select_option("select[name=kind]", "organisation")
    # Typing a name the representative already has: the warning lists it, with a link.
    page.fill("input[name=name]", "bursztyn handel")
    warning = page.get_by_test_id("duplicate-warning")
    warning.wait_for()
    assert words["same"] in warning.inner_text()
    assert warning.get_by_test_id("duplicate-link").get_attribute("href") == f"/customers/{people['existing'].pk}/"
    doc_shot(page, f"parties-new-duplicate-{lang}")
    name = f"Tatra Outdoor {lang.upper()}"
    page.fill("input[name=name]", name)
    page.wait_for_selector("[data-testid=duplicate-warning]", state="detached")
    page.fill("input[name=email]", f"biuro-{lang}@tatra.example")
    page.fill("input[name=phone]", "+48 12 345 67 0" + str(len(lang)))
    page.fill("input[name=street]", "ul. Długa 5")
    page.fill("input[name=city]", "Zakopane")
    page.fill("input[name=country]", "pl")
    page.fill("input[name=tags]", "b2b, outdoor")
    page.select_option("select[name=acquisition_channel]", "events")
    page.check("input[name=consent_marketing_email]")
    page.get_by_test_id("party-save").click()
    page.wait_for_url(re.compile(r"/customers/\d+/$"))
    assert page.get_by_test_id("customer-name").inner_text() == name
    party_id = int(re.search(r"/customers/(\d+)/$", page.url).group(1))  # type: ignore[union-attr]
    # The contact person, from the organisation's 360.
    page.get_by_test_id("new-contact").click()
    page.wait_for_url(re.compile(rf"/customers/{party_id}/contacts/new/$"))
    page.fill("input[name=name]", "Jan Kowalski")
    page.fill("input[name=job_title]", "Kierownik zakupów")
    page.fill("input[name=email]", f"jan-{lang}@tatra.example")
    page.check("input[name=is_primary]")
    page.check("input[name=consent_email]")
    doc_shot(page, f"parties-contact-form-{lang}")
    page.get_by_test_id("contact-save").click()
    page.wait_for_url(re.compile(rf"/customers/{party_id}/#contacts$"))
    contacts = page.get_by_test_id("contacts")
    assert words["contacts"] in page.inner_text("#contacts-h")
    assert "Jan Kowalski" in contacts.inner_text() and "Kierownik zakupów" in contacts.inner_text()
    doc_shot(page, f"parties-360-contacts-{lang}")
    # The representative may edit but not archive.
    assert page.get_by_test_id("archive-customer").count() == 0
    page.get_by_test_id("edit-customer").click()
    page.wait_for_url(re.compile(rf"/customers/{party_id}/edit/$"))
    assert page.input_value("input[name=tags]") == "b2b, outdoor"
    doc_shot(page, f"parties-edit-{lang}")
    page.goto(site.url + "/parties/?kind=supplier")
    doc_shot(page, f"parties-other-kinds-{lang}")

    from clientela.crm.audit.models import AuditEntry
    from clientela.crm.parties.models import ContactPerson, Party

    party = Party.objects.get(pk=party_id)
    assert (party.kind, party.owner_id, party.country, party.tags) == (
        "organisation", people["rep"].pk, "PL", ["b2b", "outdoor"])
    assert ContactPerson.objects.get(organisation=party).is_primary
    actors = set(AuditEntry.objects.filter(party_id=party_id).values_list("actor_id", flat=True))
    assert actors == {people["rep"].pk}


def test_a_manager_archives_and_undoes(people: dict[str, Any], page: Any, site: Site) -> None:
    page.set_viewport_size({"width": 1100, "height": 760})
    _log_in(page, site, "boss")
    page.goto(f"{site.url}/customers/{people['existing'].pk}/")
    page.get_by_test_id("archive-customer").click()
    page.wait_for_url(re.compile(r"/customers/\?undo=\d+$"))
    page.get_by_test_id("archived-message").wait_for()
    doc_shot(page, "parties-archived-undo-en")
    page.get_by_test_id("undo-archive").click()
    page.wait_for_url(re.compile(rf"/customers/{people['existing'].pk}/$"))
    assert page.get_by_test_id("archived-banner").count() == 0


def test_the_party_pages_are_accessible_and_fit_a_phone(people: dict[str, Any], browser: Any, site: Site) -> None:
    """axe-core (WCAG 2.0/2.1 A and AA) finds no violation on the new pages, as the main
    pages' check does, and at a phone's width none is wider than the screen."""
    from clientela.crm.parties.models import ContactPerson, Party

    organisation = Party.objects.filter(kind="organisation", owner=people["manager"]).first() or people["existing"]
    contact = ContactPerson.objects.filter(organisation__owner=people["rep"]).first()
    paths = ["/customers/new/", "/customers/new/?role=supplier", f"/customers/{organisation.pk}/",
             f"/customers/{organisation.pk}/edit/", f"/customers/{organisation.pk}/contacts/new/",
             "/parties/", "/parties/?kind=partner"]
    if contact is not None:
        paths.append(f"/contacts/{contact.pk}/edit/")
    found: dict[str, Any] = {}
    too_wide: dict[str, int] = {}
    for viewport in ({"width": 1400, "height": 900}, {"width": 390, "height": 844}):
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        tab = context.new_page()
        tab.on("request", lambda r: site.requests.append(r.url))
        try:
            _log_in(tab, site, "boss")
            for path in paths:
                tab.goto(site.url + path)
                if viewport["width"] < 400:
                    width = tab.evaluate("document.documentElement.scrollWidth")
                    if width > 390:
                        too_wide[path] = width
                    continue
                tab.add_script_tag(path=str(AXE))
                result = tab.evaluate(
                    "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
                    "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map("
                    "v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
                )
                if result:
                    found[path] = result
        finally:
            context.close()
    assert not found, found
    assert not too_wide, too_wide
