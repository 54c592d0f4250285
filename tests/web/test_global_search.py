"""The global search in the header: customers, contact persons, deals, cases and tasks,
found without their accents, grouped, within the user's scope for each entity, with a
live (htmx) answer under the box and a full results page; query counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from front_office_world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def client_for(user: Any, lang: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def groups(page: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, body in re.findall(r'data-testid="search-group-(\w+)">(.*?)</section>', page, re.S):
        found[key] = re.findall(r'data-testid="search-hit">([^<]*)<', body)
    return found


def test_the_box_is_in_the_header_of_every_page(world: World) -> None:
    page = client_for(world.users["sales_rep"]).get("/customers/").content.decode()
    assert 'data-testid="global-search"' in page and 'aria-keyshortcuts="/"' in page
    assert "web/global_search.js" in page


@pytest.mark.parametrize(("typed", "group", "name"), [
    ("lodzka spoldzielnia", "customers", "Łódzka Spółdzielnia Mleczarska"),
    ("JURGEN MULLER", "contacts", "Jürgen Müller"),
    ("zuraw dzwig", "deals", "Żuraw dźwig"),
    ("zepsuty czajnik w lodzi", "cases", "Zepsuty czajnik w Łodzi"),
    ("zadzwonic do lodzi", "tasks", "Zadzwonić do Łodzi"),
    ("Łódzka", "customers", "Łódzka Spółdzielnia Mleczarska"),  # typed with the accents too
])
def test_each_kind_of_record_is_found_without_its_accents(world: World, typed: str, group: str, name: str) -> None:
    page = client_for(world.users["admin"]).get("/search/", {"q": typed}).content.decode()
    assert name in groups(page).get(group, []), groups(page)


def test_results_are_grouped_and_link_to_the_records(world: World) -> None:
    page = client_for(world.users["admin"]).get("/search/", {"q": "lodz"}).content.decode()
    found = groups(page)
    assert found["customers"] == ["Łódzka Spółdzielnia Mleczarska"]
    assert found["cases"] == ["Zepsuty czajnik w Łodzi"] and found["tasks"] == ["Zadzwonić do Łodzi"]
    assert f'href="/customers/{world.parties["north"].pk}/"' in page
    assert f'href="/cases/{world.cases["north"].pk}/"' in page


def test_another_teams_records_are_never_shown(world: World) -> None:
    """North's sales rep sees their own; south's records are found by south only."""
    for typed in ("slaska huta", "brzeczyszczykiewicz", "zelazna umowa", "wyslac oferte", "brak dostawy"):
        north = groups(client_for(world.users["sales_rep"]).get("/search/", {"q": typed}).content.decode())
        assert not any(north.values()), (typed, north)
        for role in ("manager", "service_agent", "read_only"):
            page = client_for(world.users[role]).get("/search/", {"q": typed}).content.decode()
            assert not any(groups(page).values()), (role, typed)
    south = groups(client_for(world.users["manager_s"]).get("/search/", {"q": "zelaz"}).content.decode())
    assert south["customers"] == ["Śląska Huta Żelaza"] and south["deals"] == ["Żelazna umowa"]


def test_groups_follow_the_roles_rights(world: World) -> None:
    # a marketer sees every party but no deals, cases or tasks
    page = client_for(world.users["marketer"]).get("/search/", {"q": "a"}).content.decode()
    assert "Type at least 2 characters." in page
    found = groups(client_for(world.users["marketer"]).get("/search/", {"q": "lodz"}).content.decode())
    assert set(found) == {"customers"}
    # a service agent of the north team: the team's case and party
    found = groups(client_for(world.users["service_agent"]).get("/search/", {"q": "lodz"}).content.decode())
    assert found["cases"] == ["Zepsuty czajnik w Łodzi"] and "deals" not in found


def test_live_results_under_the_box(world: World) -> None:
    c = client_for(world.users["sales_rep"])
    live = c.get("/search/", {"q": "lodz"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="global-search-results")
    html = live.content.decode()
    assert live.status_code == 200 and "<html" not in html and 'data-testid="global-search-live"' in html
    assert "Łódzka Spółdzielnia Mleczarska" in html and 'data-testid="global-search-all"' in html
    assert c.get("/search/", {"q": "x"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="global-search-results").content.strip() == b""
    nothing = c.get("/search/", {"q": "qqqzzz"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="global-search-results")
    assert "Nothing found." in nothing.content.decode()


def test_search_text_is_shown_as_text(world: World) -> None:
    page = client_for(world.users["admin"]).get("/search/", {"q": "<script>x</script>"}).content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_many_matches_are_cut_per_group(world: World) -> None:
    from clientela.crm.service.actions import open_case

    agent = world.users["service_agent"]
    for i in range(8):
        open_case(agent, party=world.parties["north"], subject=f"Łódź zwrot {i}", owner=agent)
    c = client_for(agent)
    live = c.get("/search/", {"q": "lodz zwrot"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="global-search-results")
    assert len(groups(live.content.decode())["cases"]) == 5 and "More…" in live.content.decode()
    assert len(groups(c.get("/search/", {"q": "lodz zwrot"}).content.decode())["cases"]) == 8


def test_query_counts(world: World, django_assert_max_num_queries: Any) -> None:
    c = client_for(world.users["admin"])
    c.get("/search/", {"q": "lodz"})
    # session, user, one per group (customers, other parties, contacts, deals, cases, tasks),
    # and the cases' second read (their ids are chosen on the case table alone, then read
    # with their party: service.queries.search_cases)
    with django_assert_max_num_queries(10):
        assert c.get("/search/", {"q": "lodz"}).status_code == 200
    with django_assert_max_num_queries(10):
        c.get("/search/", {"q": "lodz"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="global-search-results")


def test_anonymous_users_are_sent_to_log_in(world: World) -> None:
    response = Client().get("/search/", {"q": "lodz"})
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("lang", ["pl", "ru"])
def test_search_page_is_translated(world: World, lang: str) -> None:
    from web.test_i18n import catalogue, untranslated

    translations = set(catalogue(lang).values())
    user = world.users["admin"]
    problems = {}
    for path in ("/search/?q=lodz", "/search/?q=qqqzzz", "/search/"):
        en = client_for(user, "en").get(path).content.decode()
        xx = client_for(user, lang).get(path).content.decode()
        left = untranslated(en, xx, translations)
        if left:
            problems[path] = left
    assert not problems, problems


def test_suppliers_and_partners_are_found_apart_from_the_customers(world: World) -> None:
    from clientela.crm.parties.models import Party

    Party.objects.create(ref="SUP-LODZ", name="Łódzkie Hurtownie Papieru", kind="organisation",
                         is_supplier=True)
    Party.objects.create(ref="PRT-LODZ", name="Łódzki Partner Logistyczny", kind="organisation",
                         is_partner=True, is_customer=True)  # a partner who also buys is a customer
    page = client_for(world.users["admin"], "pl").get("/search/", {"q": "lodzk"}).content.decode()
    found = groups(page)
    assert "Łódzkie Hurtownie Papieru" not in found["customers"]
    assert "Łódzki Partner Logistyczny" in found["customers"]
    assert found["parties"] == ["Łódzkie Hurtownie Papieru"]
    assert "Dostawca" in page  # the supplier's role is named, in the user's language
