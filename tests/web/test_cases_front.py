"""The service case pages: the queue (filters, SLA countdown, paging), a new case from
the queue and from a customer 360, the case page's status steps, assignment, notes,
resolution and reopening; their query counts and their translation."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clientela.crm.audit.models import AuditEntry
from clientela.crm.service.models import Case, CaseNote
from front_office_world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def client_for(user: Any, lang: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def test_queue_lists_the_active_cases_most_urgent_first_with_their_countdown(world: World) -> None:
    from clientela.crm.service.actions import open_case

    agent = world.users["service_agent"]
    later = open_case(agent, party=world.parties["north"], subject="Faktura do korekty", priority="low", owner=agent)
    page = client_for(agent).get("/cases/").content.decode()
    rows = re.findall(r'data-testid="case-link">([^<]*)<', page)
    assert rows == ["Zepsuty czajnik w Łodzi", later.subject]  # urgent (due in 3 h) before low (72 h)
    assert "Brak dostawy do Żor" not in page  # the south team's case
    assert re.search(r'data-state="running"[^>]*>\s*2 h \d+ min left', page)
    assert re.search(r'data-state="running"[^>]*>\s*2 d 23 h left', page) or "2 d 23 h left" in page


def test_breached_case_is_marked_and_filtered(world: World) -> None:
    from clientela.crm.service.actions import open_case

    agent = world.users["service_agent"]
    old = open_case(agent, party=world.parties["north"], subject="Stara reklamacja", priority="urgent", owner=agent,
                    at=timezone.now() - timedelta(hours=6))
    c = client_for(agent)
    page = c.get("/cases/").content.decode()
    assert re.search(r'data-state="breached".*?Overdue by 2 h', page, re.S)
    assert 'class="breached"' in page
    only = c.get("/cases/?breached=1").content.decode()
    assert re.findall(r'data-testid="case-link">([^<]*)<', only) == [old.subject]


@pytest.mark.parametrize(("params", "expected"), [
    ("priority=low", ["Faktura"]),
    ("priority=urgent", ["Zepsuty czajnik w Łodzi"]),
    ("assignee=none", ["Faktura"]),
    ("assignee=me", ["Zepsuty czajnik w Łodzi"]),
    ("status=resolved", []),
    ("status=all", ["Zepsuty czajnik w Łodzi", "Faktura"]),
])
def test_queue_filters(world: World, params: str, expected: list[str]) -> None:
    from clientela.crm.service.actions import open_case

    agent = world.users["service_agent"]
    open_case(agent, party=world.parties["north"], subject="Faktura", priority="low", team=world.teams["north"])
    page = client_for(agent).get(f"/cases/?{params}").content.decode()
    assert sorted(re.findall(r'data-testid="case-link">([^<]*)<', page)) == sorted(expected)


def test_queue_filters_by_team_and_assignee_for_a_user_who_sees_all(world: World) -> None:
    c = client_for(world.users["admin"])
    both = re.findall(r'data-testid="case-link">([^<]*)<', c.get("/cases/").content.decode())
    assert sorted(both) == ["Brak dostawy do Żor", "Zepsuty czajnik w Łodzi"]
    south = c.get(f"/cases/?team={world.teams['south'].pk}").content.decode()
    assert re.findall(r'data-testid="case-link">([^<]*)<', south) == ["Brak dostawy do Żor"]
    by_agent = c.get(f"/cases/?assignee={world.users['service_agent'].pk}").content.decode()
    assert re.findall(r'data-testid="case-link">([^<]*)<', by_agent) == ["Zepsuty czajnik w Łodzi"]


def test_queue_pages_through_many_cases_and_htmx_gets_only_the_results(world: World) -> None:
    from clientela.crm.service.actions import open_case

    agent = world.users["service_agent"]
    for i in range(30):
        open_case(agent, party=world.parties["north"], subject=f"Sprawa {i:02d}", priority="normal", owner=agent)
    c = client_for(agent)
    first = c.get("/cases/").content.decode()
    assert len(re.findall('data-testid="case-row"', first)) == 25 and 'data-testid="next-page"' in first
    assert 'hx-get="/cases/" hx-trigger="every 60s"' in first  # the countdowns redraw each minute
    second = c.get("/cases/?page=2", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-results").content.decode()
    assert len(re.findall('data-testid="case-row"', second)) == 6 and "<html" not in second
    assert 'data-testid="next-page"' not in second


def test_bad_filter_values_are_ignored_not_errors(world: World) -> None:
    c = client_for(world.users["service_agent"])
    for query in ("status=bogus", "priority=<b>", "assignee=x1", "team=abc", "page=-3", "page=99999999999999"):
        assert c.get(f"/cases/?{query}").status_code == 200, query


def test_queue_query_count(world: World, django_assert_max_num_queries: Any) -> None:
    from clientela.crm.service.actions import open_case

    agent = world.users["manager"]
    for i in range(40):
        open_case(agent, party=world.parties["north"], subject=f"Sprawa {i:02d}", owner=world.users["service_agent"])
    c = client_for(agent)
    c.get("/cases/")
    # The page's ids first, then those cases with their party, owner and team (one
    # query more than a join, and none per row).
    with django_assert_max_num_queries(7):
        assert c.get("/cases/").status_code == 200
    with django_assert_max_num_queries(6):
        c.get("/cases/?page=2", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-results")


def test_create_a_case_from_the_360(world: World) -> None:
    agent = world.users["service_agent"]
    party = world.parties["north"]
    c = client_for(agent)
    profile = c.get(f"/customers/{party.pk}/").content.decode()
    assert 'data-testid="new-case"' in profile and f"/cases/new/?party={party.pk}" in profile
    form = c.get(f"/cases/new/?party={party.pk}").content.decode()
    assert party.name in form and 'name="subject"' in form and 'name="priority"' in form
    before = timezone.now()
    response = c.post("/cases/new/", {"party": party.pk, "subject": "Mleko kwaśne", "description": "Partia 7",
                                      "priority": "high", "owner": agent.pk})
    case = Case.objects.get(subject="Mleko kwaśne")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.party == party and case.owner == agent and case.team == world.teams["north"]
    assert timedelta(hours=8) <= case.sla_due_at - before <= timedelta(hours=8, minutes=1)
    entry = AuditEntry.objects.get(entity="case", object_id=str(case.pk), field="subject")
    assert entry.actor_id == agent.pk and entry.action == "create"
    assert "Mleko kwaśne" in c.get(f"/customers/{party.pk}/").content.decode()


def test_create_a_case_from_the_queue_picking_the_customer(world: World) -> None:
    agent = world.users["service_agent"]
    c = client_for(agent)
    assert 'data-testid="new-case"' in c.get("/cases/").content.decode()
    assert 'data-testid="case-party-search"' in c.get("/cases/new/").content.decode()
    picked = c.get("/cases/new/parties/?party_q=lodzka").content.decode()  # typed without accents
    assert f'value="{world.parties["north"].pk}"' in picked and "Śląska" not in picked
    assert "Śląska" not in c.get("/cases/new/parties/?party_q=slaska").content.decode()  # another team's
    response = c.post("/cases/new/", {"party": world.parties["north"].pk, "subject": "Z kolejki", "priority": "low",
                                      "owner": ""})
    case = Case.objects.get(subject="Z kolejki")
    assert response.status_code == 302 and case.owner is None and case.team == world.teams["north"]


def test_new_case_errors_name_the_field_in_the_users_language(world: World) -> None:
    c = client_for(world.users["service_agent"], "pl")
    response = c.post("/cases/new/", {"party": world.parties["north"].pk, "subject": "  ", "priority": "high"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="case-subject-error"' in page and "To pole jest wymagane." in page
    missing = c.post("/cases/new/", {"subject": "Bez klienta", "priority": "high"})
    assert missing.status_code == 422 and "Wybierz klienta" in missing.content.decode()
    assert not Case.objects.filter(subject="Bez klienta").exists()


def test_new_case_for_another_teams_customer_or_assignee_is_refused(world: World) -> None:
    c = client_for(world.users["service_agent"])
    count = Case.objects.count()
    assert c.post("/cases/new/", {"party": world.parties["south"].pk, "subject": "x", "priority": "low"}).status_code == 404
    other = world.users["service_agent_s"]
    response = c.post("/cases/new/", {"party": world.parties["north"].pk, "subject": "x", "priority": "low",
                                      "owner": other.pk})
    assert response.status_code == 422  # not one of the people the agent may assign to
    assert Case.objects.count() == count


def test_case_page_shows_countdown_steps_and_notes(world: World, django_assert_max_num_queries: Any) -> None:
    case = world.cases["north"]
    c = client_for(world.users["service_agent"])
    c.get(f"/cases/{case.pk}/")
    with django_assert_max_num_queries(9):
        page = c.get(f"/cases/{case.pk}/").content.decode()
    assert re.search(r'data-testid="sla-countdown" data-state="running">\s*2 h \d+ min left', page)
    for step in ("open", "pending", "resolved", "closed"):
        assert f'data-testid="step-{step}"' in page
    assert 'data-testid="step-new"' not in page


def test_work_a_case_through_its_steps_resolve_and_reopen(world: World) -> None:
    agent = world.users["service_agent"]
    case = world.cases["north"]
    c = client_for(agent)
    assert c.post(f"/cases/{case.pk}/status/", {"status": "open", "version": case.version}).status_code == 302
    case.refresh_from_db()
    assert case.status == "open"
    # resolving needs a resolution, said in the user's language
    refused = c.post(f"/cases/{case.pk}/status/", {"status": "resolved", "version": case.version,
                                                    "resolution": ""}, HTTP_ACCEPT_LANGUAGE="pl")
    assert refused.status_code == 422 and "Napisz, jak rozwiązano zgłoszenie." in refused.content.decode()
    case.refresh_from_db()
    assert case.status == "open"
    c.post(f"/cases/{case.pk}/notes/", {"body": "Klient przyśle zdjęcie"})
    assert CaseNote.objects.get(case=case).author == agent
    assert c.post(f"/cases/{case.pk}/status/", {"status": "resolved", "version": case.version,
                                                 "resolution": "Wymieniono czajnik"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "resolved" and case.resolved_at is not None and case.resolution == "Wymieniono czajnik"
    page = c.get(f"/cases/{case.pk}/").content.decode()
    assert "Resolved within the SLA" in page and "Klient przyśle zdjęcie" in page
    assert 'data-testid="step-open"' in page and "Reopen" in page and 'data-testid="step-resolved"' not in page
    assert c.post(f"/cases/{case.pk}/status/", {"status": "open", "version": case.version}).status_code == 302
    case.refresh_from_db()
    assert case.status == "open" and case.resolved_at is None
    changes = AuditEntry.objects.filter(entity="case", object_id=str(case.pk), field="status")
    assert [e.new for e in changes.order_by("id")] == ["new", "open", "resolved", "open"]
    assert all(e.actor_id == agent.pk for e in changes)
    assert AuditEntry.objects.filter(entity="case_note", actor_id=agent.pk, field="body").count() == 1


def test_a_step_the_status_does_not_allow_is_refused(world: World) -> None:
    case = world.cases["north"]
    c = client_for(world.users["service_agent"])
    assert c.post(f"/cases/{case.pk}/status/", {"status": "open", "version": case.version}).status_code == 302
    case.refresh_from_db()
    response = c.post(f"/cases/{case.pk}/status/", {"status": "new", "version": case.version})
    assert response.status_code == 422 and "cannot take that step" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "open"


def test_a_stale_form_changes_nothing(world: World) -> None:
    case = world.cases["north"]
    c = client_for(world.users["service_agent"])
    c.post(f"/cases/{case.pk}/status/", {"status": "open", "version": case.version})
    response = c.post(f"/cases/{case.pk}/status/", {"status": "pending", "version": case.version})
    assert response.status_code == 409 and "Someone changed this case" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "open"


def test_reassign_a_case_within_the_team(world: World) -> None:
    from clientela.crm.accounts.models import User

    case = world.cases["north"]
    manager = world.users["manager"]
    colleague = User.objects.create_user("agent2", password="x", role="service_agent", team=world.teams["north"])
    c = client_for(manager)
    page = c.get(f"/cases/{case.pk}/").content.decode()
    assert f'value="{colleague.pk}"' in page and f'value="{world.users["service_agent_s"].pk}"' not in page
    assert c.post(f"/cases/{case.pk}/assign/", {"owner": colleague.pk, "version": case.version}).status_code == 302
    case.refresh_from_db()
    assert case.owner == colleague
    entry = AuditEntry.objects.get(entity="case", object_id=str(case.pk), field="owner", action="update")
    assert entry.actor_id == manager.pk
    south = world.users["service_agent_s"]
    assert c.post(f"/cases/{case.pk}/assign/", {"owner": south.pk, "version": case.version}).status_code == 422
    case.refresh_from_db()
    assert case.owner == colleague


def test_user_time_zone_cookie_shows_due_time_in_that_zone(world: World) -> None:
    case = world.cases["north"]
    c = client_for(world.users["service_agent"])
    due = case.sla_due_at
    c.cookies["clientela_tz"] = "America/New_York"
    ny = c.get(f"/cases/{case.pk}/").content.decode()
    c.cookies["clientela_tz"] = "Asia/Tokyo"
    tokyo = c.get(f"/cases/{case.pk}/").content.decode()
    from zoneinfo import ZoneInfo

    for page, zone in ((ny, "America/New_York"), (tokyo, "Asia/Tokyo")):
        local = due.astimezone(ZoneInfo(zone))
        stamp = re.search(r'datetime="([^"]+)" data-testid="case-due"', page).group(1)
        assert stamp.startswith(local.strftime("%Y-%m-%dT%H:%M:%S")) and stamp.endswith(local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]), (zone, stamp)
    c.cookies["clientela_tz"] = "Not/AZone"
    assert c.get(f"/cases/{case.pk}/").status_code == 200


def test_admin_add_case_form_does_not_fail(world: World) -> None:
    """The admin's add page answered 500 (NOT NULL on sla_due_at). It is for configuration and
    may be read-only for cases; whatever it does, it never fails, and no path stores a case
    without its SLA due time."""
    admin = world.users["admin"]
    c = client_for(admin)
    assert c.get("/admin/service/case/add/").status_code in (200, 403)
    before = Case.objects.count()
    response = c.post("/admin/service/case/add/", {
        "party": world.parties["north"].pk, "subject": "Z panelu", "priority": "normal", "status": "new",
        "opened_at_0": "2026-12-01", "opened_at_1": "10:00:00", "version": 1, "_save": "Save",
    })
    assert response.status_code in (302, 403), response.content.decode()[:2000]
    for case in Case.objects.all():
        assert case.sla_due_at is not None
    if Case.objects.count() > before:
        made = Case.objects.get(subject="Z panelu")
        assert made.sla_due_at - made.opened_at == timedelta(hours=24)


def test_a_case_saved_without_an_sla_due_time_gets_one(world: World) -> None:
    case = Case(party=world.parties["north"], subject="Bez terminu", priority="high")
    case.save()
    assert case.sla_due_at - case.opened_at == timedelta(hours=8)


@pytest.mark.parametrize("lang", ["pl", "ru"])
def test_case_pages_are_translated(world: World, lang: str) -> None:
    from web.test_i18n import catalogue, untranslated

    translations = set(catalogue(lang).values())
    user = world.users["service_agent"]
    case = world.cases["north"]
    problems = {}
    for path in ("/cases/", f"/cases/{case.pk}/", f"/cases/new/?party={world.parties['north'].pk}", "/cases/new/",
                 "/cases/?status=resolved"):
        en = client_for(user, "en").get(path).content.decode()
        xx = client_for(user, lang).get(path).content.decode()
        left = untranslated(en, xx, translations)
        if left:
            problems[path] = left
    assert not problems, problems


def test_case_notes_are_in_the_gdpr_export_and_erased(world: World) -> None:
    from clientela.crm.service import personal_data
    from clientela.crm.service.actions import add_case_note

    case = world.cases["north"]
    add_case_note(world.users["service_agent"], case, body="Pan Kowalski, tel. 600 100 200")
    exported = personal_data.export(world.parties["north"])
    assert exported[0]["notes"][0]["body"] == "Pan Kowalski, tel. 600 100 200"
    personal_data.erase(world.parties["north"], None)
    assert list(CaseNote.objects.filter(case=case).values_list("body", flat=True)) == ["[erased]"]
