"""Role × page × action for the case pages and the global search: every role (north team
users), on a case of their own, of their team and of another team; a refused request
answers 403 or 404 (never 500) and changes nothing — no case, note or audit entry."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clientela.crm.audit.models import AuditEntry
from clientela.crm.service.actions import open_case
from clientela.crm.service.models import Case, CaseNote
from front_office_world import ROLES, World, build_world

pytestmark = pytest.mark.django_db

# Which cases each role sees: "team" (north's, owned by north's agent), "other" (south's),
# "own" (a south case owned by north's sales rep: only an own-scope or all-scope role sees it).
SEES = {
    "admin": {"own", "team", "other"},
    "analyst": {"own", "team", "other"},
    "manager": {"team"},
    "service_agent": {"team"},
    "read_only": {"team"},
    "sales_rep": {"own"},
    "marketer": set(),
}
LISTS = {"admin", "analyst", "manager", "service_agent", "read_only", "sales_rep"}
WORKS = {"admin", "manager", "service_agent"}  # create cases, change them, add notes
PARTIES = {"admin": {"north", "south"}, "manager": {"north"}, "service_agent": {"north"}}


def snapshot() -> tuple[Any, ...]:
    return (Case.objects.count(), CaseNote.objects.count(), AuditEntry.objects.count(),
            sorted(Case.objects.values_list("id", "status", "owner_id", "team_id", "version", "resolution")))


@pytest.fixture
def world(db: None) -> World:
    w = build_world()
    rep = w.users["sales_rep"]
    w.cases["own"] = open_case(None, party=w.parties["south"], subject="Rep's own", owner=rep, team=w.teams["south"])
    w.cases["team"], w.cases["other"] = w.cases["north"], w.cases["south"]
    return w


def expected(role: str, record: str) -> int:
    if record not in SEES[role]:
        return 404
    return 302 if role in WORKS else 403


@pytest.mark.parametrize("role", ROLES)
def test_role_page_action_matrix(world: World, role: str) -> None:
    c = Client()
    c.force_login(world.users[role])
    answers: dict[str, int] = {}

    answers["GET /cases/"] = c.get("/cases/").status_code
    answers["GET /cases/new/"] = c.get("/cases/new/").status_code
    answers["GET /search/"] = c.get("/search/", {"q": "zz"}).status_code
    answers["GET picker"] = c.get("/cases/new/parties/", {"party_q": "lodz"}).status_code
    profile = c.get(f"/customers/{world.parties['north'].pk}/")  # every role sees north's customer
    answers["360 has new-case"] = profile.status_code == 200 and 'data-testid="new-case"' in profile.content.decode()
    for record in ("own", "team", "other"):
        answers[f"GET case {record}"] = c.get(f"/cases/{world.cases[record].pk}/").status_code
    assert answers == {
        "GET /cases/": 200 if role in LISTS else 403,
        "GET /cases/new/": 200 if role in WORKS else 403,
        "GET /search/": 200,
        "GET picker": 200 if role in WORKS else 403,
        "360 has new-case": role in WORKS,
        **{f"GET case {r}": 200 if r in SEES[role] else 404 for r in ("own", "team", "other")},
    }

    for side in ("north", "south"):
        before = snapshot()
        status = c.post("/cases/new/", {"party": world.parties[side].pk, "subject": "Matrix", "priority": "low"}).status_code
        want = 403 if role not in WORKS else (302 if side in PARTIES[role] else 404)
        assert status == want, ("create", side, status)
        if want != 302:
            assert snapshot() == before, ("create", side)

    posts = {
        "status": lambda case: {"status": "pending", "version": case.version},
        "assign": lambda case: {"owner": "", "version": case.version},
        "notes": lambda case: {"body": "Matrix note"},
    }
    for record in ("own", "team", "other"):
        for action, data in posts.items():
            case = Case.objects.get(pk=world.cases[record].pk)
            before = snapshot()
            status = c.post(f"/cases/{case.pk}/{action}/", data(case)).status_code
            assert status == expected(role, record), (action, record, status)
            if status != 302:
                assert snapshot() == before, (action, record)


@pytest.mark.parametrize("role", ROLES)
def test_search_shows_only_the_cases_a_role_sees(world: World, role: str) -> None:
    c = Client()
    c.force_login(world.users[role])
    page = c.get("/search/", {"q": "rep's own"}).content.decode() + c.get("/search/", {"q": "brak dostawy"}).content.decode() \
        + c.get("/search/", {"q": "zepsuty"}).content.decode()
    shown = {r for r, subject in (("own", "Rep&#x27;s own"), ("other", "Brak dostawy do Żor"),
                                  ("team", "Zepsuty czajnik w Łodzi")) if subject in page}
    assert shown == SEES[role]


def test_anonymous_gets_the_login_page_and_changes_nothing(world: World) -> None:
    c = Client()
    before = snapshot()
    for path in ("/cases/", "/cases/new/", f"/cases/{world.cases['team'].pk}/"):
        assert c.get(path).status_code == 302
    case = world.cases["team"]
    for action in ("status", "assign", "notes"):
        assert c.post(f"/cases/{case.pk}/{action}/", {"status": "closed", "resolution": "x", "version": 1}).status_code == 302
    assert snapshot() == before
