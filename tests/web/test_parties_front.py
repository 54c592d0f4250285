"""Front-office parties through the pages (Django's test client): create a person or an
organisation with consents, edit with optimistic concurrency, archive with undo and
restore, contact persons linked both ways, the duplicate warning, the lists of other
parties, and the query counts of every new page."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from clientela.crm.accounts.models import Team, User
from clientela.crm.audit.models import AuditEntry
from clientela.crm.commerce.models import Order
from clientela.crm.parties import actions
from clientela.crm.parties.access import UNDO_WINDOW
from clientela.crm.parties.models import Consent, ContactPerson, Party
from clientela.crm.parties.queries import list_contacts

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def team() -> Team:
    return Team.objects.create(name="North")


@pytest.fixture
def rep(team: Team) -> User:
    return User.objects.create_user(username="rita", password="pw-rita", role="sales_rep", team=team)


@pytest.fixture
def manager(team: Team) -> User:
    return User.objects.create_user(username="max", password="pw-max", role="manager", team=team)


@pytest.fixture
def admin() -> User:
    return User.objects.create_user(username="ada", password="pw-ada", role="admin", is_staff=True)


def _form(**values: Any) -> dict[str, Any]:
    return {"kind": "person", "name": "", "email": "", "phone": "", "street": "", "postal_code": "",
            "city": "", "country": "", "preferred_channel": "", "owner_id": "", "team_id": "", "tags": "",
            "acquisition_channel": "", **values}


def test_the_list_offers_new_customer_and_the_form_creates_an_organisation(rep: User) -> None:
    c = client_for(rep)
    html = c.get("/customers/").content.decode()
    assert 'data-testid="new-customer"' in html
    form = c.get("/customers/new/").content.decode()
    for name in ("name", "kind", "email", "phone", "street", "country", "owner_id", "team_id", "tags",
                 "acquisition_channel", "is_customer", "is_supplier", "consent_marketing_email"):
        assert f'name="{name}"' in form, name
    answer = c.post("/customers/new/", _form(
        kind="organisation", name="Tatra Outdoor Sp. z o.o.", email="biuro@tatra.example", phone="+48 12 345 67 89",
        street="ul. Długa 5", postal_code="30-001", city="Kraków", country="pl", tags="b2b, outdoor, b2b",
        acquisition_channel="events", is_prospect="on", consent_marketing_email="on",
    ))
    party = Party.objects.get(name="Tatra Outdoor Sp. z o.o.")
    assert answer.status_code == 302 and answer["Location"] == f"/customers/{party.pk}/"
    assert (party.kind, party.country, party.tags, party.owner_id, party.team_id) == (
        "organisation", "PL", ["b2b", "outdoor"], rep.pk, rep.team_id)
    assert party.is_prospect and party.ref.startswith("CL-")
    consent = Consent.objects.get(party=party)
    assert (consent.purpose, consent.channel, consent.recorded_by_id) == ("marketing", "email", rep.pk)
    entries = AuditEntry.objects.filter(party_id=party.pk)
    assert {e.entity for e in entries} == {"party", "consent"} and {e.actor_id for e in entries} == {rep.pk}
    page = c.get(f"/customers/{party.pk}/").content.decode()
    assert "Tatra Outdoor" in page and 'data-testid="customer-tags"' in page and "ul. Długa 5" in page


def test_bad_input_names_the_field_and_writes_nothing(rep: User) -> None:
    c = client_for(rep)
    before = Party.objects.count()
    answer = c.post("/customers/new/", _form(name="", email="not-an-email", country="Poland"))
    html = answer.content.decode()
    assert answer.status_code == 422
    for field in ("name", "email", "country"):
        assert f'data-testid="error-{field}"' in html
    assert Party.objects.count() == before
    polish = client_for(rep)
    polish.cookies["django_language"] = "pl"
    assert "To pole jest wymagane" in polish.post("/customers/new/", _form(), HTTP_ACCEPT_LANGUAGE="pl").content.decode()


def test_edit_saves_and_a_stale_form_is_refused_with_409(rep: User) -> None:
    party = actions.create_party(rep, {"name": "Anna Nowak", "email": "anna@example.com", "is_customer": True})
    c = client_for(rep)
    html = c.get(f"/customers/{party.pk}/edit/").content.decode()
    assert 'name="version" value="1"' in html and "Anna Nowak" in html
    assert c.post(f"/customers/{party.pk}/edit/", _form(
        name="Anna Nowak-Kowalska", email="anna@example.com", version=1, is_customer="on", owner_id=rep.pk,
        team_id=rep.team_id)).status_code == 302
    party.refresh_from_db()
    assert (party.name, party.version) == ("Anna Nowak-Kowalska", 2)
    # A second tab still holds version 1: refused, nothing changes.
    stale = c.post(f"/customers/{party.pk}/edit/", _form(
        name="Old tab", version=1, is_customer="on", owner_id=rep.pk, team_id=rep.team_id))
    assert stale.status_code == 409 and 'name="version" value="2"' in stale.content.decode()
    party.refresh_from_db()
    assert party.name == "Anna Nowak-Kowalska"
    assert AuditEntry.objects.filter(entity="party", object_id=str(party.pk), action="update", field="name").count() == 1


def test_archive_offers_undo_and_leaves_the_lists(manager: User, rep: User) -> None:
    party = actions.create_party(rep, {"name": "Zofia Archiwalna", "is_customer": True})
    c = client_for(manager)
    answer = c.post(f"/customers/{party.pk}/archive/", {"version": party.version})
    assert answer.status_code == 302 and answer["Location"] == f"/customers/?undo={party.pk}"
    page = c.get(answer["Location"]).content.decode()
    assert 'data-testid="archived-message"' in page and 'data-testid="undo-archive"' in page
    assert "Zofia Archiwalna</a>" not in page
    assert c.get("/customers/", {"q": "Zofia", "sort": "name"}).content.decode().count("Zofia Archiwalna</a>") == 0
    assert client_for(rep).get(f"/customers/{party.pk}/").status_code == 404
    # Undo, by whoever archived it, soon after.
    assert c.post(f"/customers/{party.pk}/restore/").status_code == 302
    party.refresh_from_db()
    assert party.archived_at is None and party.archived_by_id is None
    assert "Zofia Archiwalna</a>" in client_for(rep).get("/customers/", {"sort": "name"}).content.decode()


def test_after_the_undo_window_only_an_admin_restores(manager: User, admin: User) -> None:
    party = actions.create_party(manager, {"name": "Late Restore", "is_customer": True})
    actions.archive_party(manager, party, expected_version=party.version)
    Party.objects.filter(pk=party.pk).update(archived_at=dt.datetime.now(dt.UTC) - UNDO_WINDOW - dt.timedelta(minutes=1))
    assert client_for(manager).post(f"/customers/{party.pk}/restore/").status_code == 403
    assert Party.objects.get(pk=party.pk).archived_at is not None
    a = client_for(admin)
    listing = a.get("/parties/", {"archived": "1"}).content.decode()
    assert "Late Restore" in listing and 'data-testid="restore"' in listing
    assert 'data-testid="archived-filter"' in a.get("/customers/").content.decode()
    assert 'data-testid="archived-banner"' in a.get(f"/customers/{party.pk}/").content.decode()
    assert a.post(f"/customers/{party.pk}/restore/").status_code == 302
    assert Party.objects.get(pk=party.pk).archived_at is None
    changes = AuditEntry.objects.filter(entity="party", object_id=str(party.pk), field="archived_at")
    assert [e.actor_id for e in changes.order_by("at", "id")] == [manager.pk, admin.pk]


def test_contacts_of_an_organisation_linked_both_ways(rep: User) -> None:
    org = actions.create_party(rep, {"name": "Bursztyn SA", "kind": "organisation", "is_customer": True})
    person = actions.create_party(rep, {"name": "Jan Kowalski", "email": "jan@bursztyn.example", "is_customer": True})
    c = client_for(rep)
    assert 'data-testid="new-contact"' in c.get(f"/customers/{org.pk}/").content.decode()
    assert c.post(f"/customers/{org.pk}/contacts/new/", {
        "name": "Jan Kowalski", "job_title": "Buyer", "email": "jan@bursztyn.example", "phone": "",
        "is_primary": "on", "consent_email": "on",
    }).status_code == 302
    contact = ContactPerson.objects.get(organisation=org)
    assert (contact.job_title, contact.is_primary, contact.consent_email, contact.consent_phone) == (
        "Buyer", True, True, False)
    # The edit form offers the person party with the same e-mail; linking it shows both ways.
    edit = c.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert f'<option value="{person.pk}"' in edit
    assert c.post(f"/contacts/{contact.pk}/edit/", {
        "name": "Jan Kowalski", "job_title": "Head buyer", "email": "jan@bursztyn.example", "phone": "+48 600 100 200",
        "is_primary": "on", "consent_email": "on", "consent_phone": "on", "person_id": person.pk,
    }).status_code == 302
    org_page = c.get(f"/customers/{org.pk}/").content.decode()
    assert "Head buyer" in org_page and f'href="/customers/{person.pk}/" data-testid="contact-person-link"' in org_page
    person_page = c.get(f"/customers/{person.pk}/").content.decode()
    assert f'href="/customers/{org.pk}/#contacts"' in person_page
    # An organisation cannot be linked as the person, nor the organisation itself.
    bad = c.post(f"/contacts/{contact.pk}/edit/", {"name": "Jan", "person_id": org.pk})
    assert bad.status_code == 422 and ContactPerson.objects.get(pk=contact.pk).person_id == person.pk
    assert c.post(f"/contacts/{contact.pk}/delete/").status_code == 302
    assert not ContactPerson.objects.filter(pk=contact.pk).exists()
    assert AuditEntry.objects.filter(entity="contact", object_id=str(contact.pk)).values("action").distinct().count() == 3
    # Archived with its organisation: out of the contact lists too, back when restored.
    kept = actions.create_contact(rep, org, {"name": "Ola Nowak"})
    assert list_contacts(rep, party_id=org.pk).count() == 1
    admin = User.objects.create_user(username="root", role="admin")
    org.refresh_from_db()
    actions.archive_party(admin, org, expected_version=org.version)
    assert list_contacts(rep, party_id=org.pk).count() == 0 and list_contacts(admin).count() == 0
    assert c.get(f"/contacts/{kept.pk}/edit/").status_code == 404
    actions.restore_party(admin, Party.objects.get(pk=org.pk))
    assert list_contacts(rep, party_id=org.pk).count() == 1
    # A person has no contacts of its own.
    assert c.get(f"/customers/{person.pk}/contacts/new/").status_code == 404


def test_duplicate_warning_by_folded_name_email_or_phone_within_scope(rep: User, team: Team) -> None:
    mine = actions.create_party(rep, {"name": "Łukasz Żółw", "email": "LZ@Example.com", "phone": "+48 600-700-800",
                                      "is_customer": True})
    other = User.objects.create_user(username="olga", role="sales_rep", team=team)
    actions.create_party(other, {"name": "Lukasz Zolw", "is_customer": True})
    c = client_for(rep)
    by_name = c.get("/customers/duplicates/", {"name": "lukasz zolw"}).content.decode()
    assert 'data-testid="duplicate-warning"' in by_name and f'href="/customers/{mine.pk}/"' in by_name
    assert by_name.count('data-testid="duplicate-link"') == 1  # Olga's is outside Rita's scope
    assert f'/customers/{mine.pk}/' in c.get("/customers/duplicates/", {"email": "lz@example.com"}).content.decode()
    assert f'/customers/{mine.pk}/' in c.get("/customers/duplicates/", {"phone": "600 700 800"}).content.decode()
    assert "duplicate-warning" not in c.get("/customers/duplicates/", {"name": "Someone Else"}).content.decode()
    assert "duplicate-warning" not in c.get(
        "/customers/duplicates/", {"name": "Łukasz Żółw", "exclude": mine.pk}).content.decode()
    form = c.get("/customers/new/").content.decode()
    assert 'hx-get="/customers/duplicates/"' in form


def test_other_parties_have_their_own_list(rep: User) -> None:
    supplier = actions.create_party(rep, {"name": "Dostawca Papieru", "is_supplier": True})
    partner = actions.create_party(rep, {"name": "Partner Logistyka", "is_partner": True})
    internal = actions.create_party(rep, {"name": "Dział IT", "is_internal": True})
    customer = actions.create_party(rep, {"name": "Klient Zwykły", "is_customer": True})
    c = client_for(rep)
    for kind, party in (("supplier", supplier), ("partner", partner), ("internal", internal)):
        html = c.get("/parties/", {"kind": kind}).content.decode()
        names = re.findall(r'data-testid="party-link">([^<]+)<', html)
        assert names == [party.name], kind
    assert len(re.findall(r'data-testid="party-link"', c.get("/parties/").content.decode())) == 3
    customers = c.get("/customers/", {"sort": "name"}).content.decode()
    assert customer.name in customers
    for party in (supplier, partner, internal):
        assert party.name not in customers
    new = c.get("/customers/new/", {"role": "supplier"}).content.decode()
    assert re.search(r'name="is_supplier"[^>]*checked', new)
    assert client_for(rep).get("/parties/", {"archived": "1"}).status_code == 403
    page = c.get(f"/customers/{supplier.pk}/").content.decode()
    assert 'data-testid="customer-not-valued"' in page


def test_customer_since_needs_an_order_that_was_kept(rep: User) -> None:
    """A prospect whose only order was returned is not shown as "Customer since"."""
    party = actions.create_party(rep, {"name": "Returned Only", "is_prospect": True,
                                       "acquired_at": dt.datetime(2026, 3, 1, tzinfo=dt.UTC)})
    order = Order.objects.create(party=party, ref="R-1", ordered_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
                                 total_amount=Decimal("100"), currency="PLN", status="returned")
    c = client_for(rep)
    since = re.search(r'data-testid="customer-since">(.*?)</dd>', c.get(f"/customers/{party.pk}/").content.decode())
    assert since and "<time" not in since.group(1)
    Order.objects.filter(pk=order.pk).update(status="completed")
    since = re.search(r'data-testid="customer-since">(.*?)</dd>', c.get(f"/customers/{party.pk}/").content.decode())
    assert since and '<time datetime="2026-03-01' in since.group(1)


def test_query_counts_of_the_new_pages(rep: User, admin: User, django_assert_max_num_queries: Any) -> None:
    org = actions.create_party(rep, {"name": "Many Contacts", "kind": "organisation", "is_customer": True})
    for i in range(12):
        person = actions.create_party(rep, {"name": f"Person {i}", "is_customer": True})
        actions.create_contact(rep, org, {"name": f"Contact {i}", "person_id": person.pk})
        actions.create_party(rep, {"name": f"Supplier {i}", "is_supplier": True})
        archived = actions.create_party(admin, {"name": f"Gone {i}", "is_customer": True})
        actions.archive_party(admin, archived, expected_version=1)
    contact = ContactPerson.objects.filter(organisation=org).first()
    assert contact is not None
    c, a = client_for(rep), client_for(admin)
    pages = [
        (c, "/customers/new/", 8), (c, f"/customers/{org.pk}/edit/", 9), (c, f"/customers/{org.pk}/", 22),
        (c, "/parties/?kind=supplier", 8), (a, "/parties/?archived=1", 8),
        (c, "/customers/duplicates/?name=Person+1&email=x@y.z&phone=600700800", 5),
        (c, f"/customers/{org.pk}/contacts/new/", 7), (c, f"/contacts/{contact.pk}/edit/", 9),
    ]
    for who, url, most in pages:
        with django_assert_max_num_queries(most):
            assert who.get(url).status_code == 200, url


def _i18n_checker() -> Any:
    """tests/web/test_i18n.py as a module: its checker of untranslated strings."""
    spec = importlib.util.spec_from_file_location("i18n_checker", Path(__file__).with_name("test_i18n.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lang", ["pl", "ru"])
def test_the_party_pages_are_translated(lang: str, manager: User, admin: User) -> None:
    """Every new page rendered in English and in ``lang``: no string left untranslated
    (the checker of test_i18n.py)."""
    checker = _i18n_checker()
    catalogue, untranslated = checker.catalogue, checker.untranslated

    org = actions.create_party(manager, {"name": "Bursztyn SA", "kind": "organisation", "is_customer": True,
                                         "tags": ["b2b"], "street": "ul. Mariacka 1"})
    person = actions.create_party(manager, {"name": "Jan Kowalski", "email": "jan@bursztyn.example"})
    contact = actions.create_contact(manager, org, {"name": "Jan Kowalski", "email": "jan@bursztyn.example",
                                                    "is_primary": True, "consent_email": True,
                                                    "person_id": person.pk})
    supplier = actions.create_party(manager, {"name": "Dostawca", "is_supplier": True})
    gone = actions.create_party(manager, {"name": "Gone", "is_customer": True})
    actions.archive_party(manager, gone, expected_version=gone.version)
    translations = set(catalogue(lang).values())
    problems = {}
    for user, path in [
        (manager, "/customers/new/"), (manager, "/customers/new/?role=partner"), (manager, f"/customers/{org.pk}/edit/"),
        (manager, f"/customers/{org.pk}/"), (manager, f"/customers/{person.pk}/"), (manager, f"/customers/{supplier.pk}/"),
        (manager, f"/customers/{org.pk}/contacts/new/"), (manager, f"/contacts/{contact.pk}/edit/"),
        (manager, "/parties/?kind=supplier"), (manager, f"/customers/?undo={gone.pk}"),
        (manager, "/customers/duplicates/?name=Jan+Kowalski"), (admin, "/parties/?archived=1"),
        (admin, f"/customers/{gone.pk}/"), (admin, "/customers/"),
    ]:
        english, other = client_for(user), client_for(user)
        en = english.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        xx = other.get(path, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert en != xx, path
        left = untranslated(en, xx, translations)
        if left:
            problems[path] = left
    assert not problems, f"untranslated in {lang}: {problems}"
    polish = client_for(manager).get("/customers/new/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert lang != "pl" or ("Nowa osoba lub organizacja" in polish and "Ulica i numer" in polish)


def test_an_archived_persons_data_can_still_be_erased(admin: User, manager: User) -> None:
    """GDPR export and erasure reach archived parties (administrators see them)."""
    from clientela.crm.privacy.access import access_party_for_gdpr

    party = actions.create_party(manager, {"name": "Ewa Prywatna", "email": "ewa@example.com"})
    actions.archive_party(manager, party, expected_version=party.version)
    assert access_party_for_gdpr(admin, party.pk).pk == party.pk


def test_the_api_reads_and_writes_the_new_fields(rep: User) -> None:
    """Address, tags and a contact's own consents through the REST API too."""
    import json

    from clientela.crm.accounts.api_tokens import create_token

    _, token = create_token(rep, name="test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    c = Client()
    made = c.post("/api/v1/parties", json.dumps({
        "ref": "API-1", "name": "Api Org", "kind": "organisation", "street": "ul. Polna 2", "postal_code": "00-001",
        "tags": ["vip", " vip ", "b2b"]}), content_type="application/json", **auth)
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["street"], body["postal_code"], body["tags"]) == ("ul. Polna 2", "00-001", ["vip", "b2b"])
    contact = c.post("/api/v1/contacts", json.dumps({"party_id": body["id"], "name": "Ala", "consent_phone": True}),
                     content_type="application/json", **auth)
    assert contact.status_code == 201 and contact.json()["consent_phone"] is True
    too_many = c.patch(f"/api/v1/parties/{body['id']}", json.dumps({"tags": [f"t{i}" for i in range(21)]}),
                       content_type="application/json", HTTP_IF_MATCH=made["ETag"], **auth)
    assert too_many.status_code == 422
