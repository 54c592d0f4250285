"""The customer search ignores accents and case: "Szczepanska" finds "Szczepańska",
"Lodz" finds "Łódź" and "Łódź" finds "Lodz", "Семен" finds "Семён", on the web customer
list (by CLV, by name, the htmx results), the REST API's party filter and the admin.
``clientela_fold`` is PostgreSQL's ``lower(unaccent())`` (parties migration 0006) or
the Python ``fold`` on SQLite; both are checked against the same letters."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from clientela.crm.parties.fold import fold
from clientela.crm.parties.models import Party
from clientela.crm.parties.queries import text_match
from clientela_test_support import database_vendor

pytestmark = pytest.mark.django_db

# (text, folded): the letters of Polish, Russian, German, Czech, Lithuanian, Nordic names.
FOLDED = [
    ("Łódź", "lodz"), ("ŁÓDŹ", "lodz"), ("Szczepańska", "szczepanska"), ("Żółw", "zolw"),
    ("Źrebię Ćma Ńą Śę", "zrebie cma na se"), ("Семён", "семен"), ("ЁЛКИН", "елкин"),
    ("Straße", "strasse"), ("Søren Kierkegaard", "soren kierkegaard"), ("ØRSTED", "orsted"),
    ("Ærøskøbing", "aeroskobing"), ("Œuvre", "oeuvre"), ("Dvořák Čapek Šťastný Žižka", "dvorak capek stastny zizka"),
    ("Kazlauskienė Šiaulių Įgaudas Ūla", "kazlauskiene siauliu igaudas ula"), ("Müller Jäger Öztürk", "muller jager ozturk"),
    ("Þór Guðmundsdóttir", "thor gudmundsdottir"), ("Đorđević", "dordevic"), ("İstanbul Işık", "istanbul isik"),
    ("Ångström", "angstrom"), ("O’Brien – Smith", "o'brien - smith"), ("Zoe\u0301", "zoe"),  # decomposed é
    # Й is a letter of its own in Russian (Мой is not Мои): it keeps its breve, as in unaccent.
    ("Йошкар-Ола", "йошкар-ола"), ("Андрей", "андрей"), ("Київ", "київ"),
    ("plain ascii 123 @example.com", "plain ascii 123 @example.com"),
]

PLANTED = {
    "szczepanska": "Anna Szczepańska",
    "lodz_accented": "Łódź Trading",
    "lodz_plain": "Lodz Logistics",
    "zolw_accented": "Żółw Ogrody",
    "zolw_plain": "ZOLW Garden",
    "semyon_yo": "Семён Петров",
    "semyon_ye": "Семен Кузнецов",
    "moika": "Мойка Сервис",
}
# (search term, planted parties it must find, planted parties it must not find)
SEARCHES = [
    ("Szczepanska", {"szczepanska"}, set()),
    ("szczepańska", {"szczepanska"}, set()),
    ("Lodz", {"lodz_accented", "lodz_plain"}, set()),
    ("Łódź", {"lodz_accented", "lodz_plain"}, set()),
    ("zolw", {"zolw_accented", "zolw_plain"}, set()),
    ("ŻÓŁW", {"zolw_accented", "zolw_plain"}, set()),
    ("Семен", {"semyon_yo", "semyon_ye"}, set()),
    ("семён", {"semyon_yo", "semyon_ye"}, set()),
    ("Моика", set(), {"moika"}),
]


def test_fold() -> None:
    for text, folded in FOLDED:
        assert fold(text) == folded, text


def test_database_fold_agrees_with_python() -> None:
    """PostgreSQL's clientela_fold (unaccent) and SQLite's (the Python fold, registered on
    the connection) give what ``fold`` gives."""
    with connection.cursor() as cursor:
        for text, _folded in FOLDED:
            cursor.execute("SELECT clientela_fold(%s)", [text])
            assert cursor.fetchone()[0] == fold(text), (database_vendor(), text)
        cursor.execute("SELECT clientela_fold(NULL)")
        assert cursor.fetchone()[0] is None


@pytest.fixture
def planted(company: Any) -> dict[str, int]:
    """Eight scored demo parties renamed (the scores stay theirs)."""
    parties = list(Party.objects.order_by("id")[:len(PLANTED)])
    for party, name in zip(parties, PLANTED.values(), strict=True):
        Party.objects.filter(pk=party.pk).update(name=name)
    return {key: party.pk for key, party in zip(PLANTED, parties, strict=True)}


@pytest.fixture
def root(make_user: Any) -> Client:
    user = make_user("root", "admin")
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def _reference(term: str) -> set[int]:
    """Every party whose folded name, e-mail or reference contains the folded term."""
    needle = fold(term)
    return {p.pk for p in Party.objects.all() if any(needle in fold(v) for v in (p.name, p.email, p.ref))}


def _ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'href="/customers/(\d+)/"', html)}


def _check(found: set[int], term: str, hits: set[str], misses: set[str], planted: dict[str, int]) -> None:
    assert {planted[k] for k in hits} <= found, term
    assert not {planted[k] for k in misses} & found, term
    assert found == _reference(term), term


@pytest.mark.parametrize(("term", "hits", "misses"), SEARCHES)
def test_customer_list_search_ignores_accents(
    planted: dict[str, int], root: Client, term: str, hits: set[str], misses: set[str]
) -> None:
    for sort in ("clv", "name"):
        page = root.get("/customers/", {"q": term, "sort": sort}).content.decode()
        _check(_ids(page), term, hits, misses, planted)
    results = root.get("/customers/", {"q": term}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    _check(_ids(results.content.decode()), term, hits, misses, planted)


@pytest.mark.parametrize(("term", "hits", "misses"), SEARCHES)
def test_api_party_filter_ignores_accents(
    planted: dict[str, int], root: Client, term: str, hits: set[str], misses: set[str]
) -> None:
    response = root.get("/api/v1/parties", {"q": term, "limit": 100})
    assert response.status_code == 200
    found = {item["id"] for item in response.json()["items"]}
    _check(found, term, hits, misses, planted)


def test_admin_search_ignores_accents(planted: dict[str, int], root: Client) -> None:
    page = root.get("/admin/parties/party/", {"q": "Lodz"}).content.decode()
    found = {int(i) for i in re.findall(r'href="/admin/parties/party/(\d+)/change/', page)}
    assert found == _reference("Lodz") >= {planted["lodz_accented"], planted["lodz_plain"]}


def test_search_term_is_not_a_pattern(planted: dict[str, int]) -> None:
    """LIKE wildcards in the term match themselves, also after folding, and a term never
    matches across two columns (they are searched as one folded text)."""
    Party.objects.filter(pk=planted["lodz_plain"]).update(name="Lodz 100% _Logistics", email="lodz@example.com")
    assert list(Party.objects.filter(text_match("0% _l")).values_list("pk", flat=True)) == [planted["lodz_plain"]]
    assert not Party.objects.filter(text_match("1_0")).exists()
    assert not Party.objects.filter(text_match("Lodz%Trading")).exists()
    assert Party.objects.filter(text_match("LOGISTICS")).exists()
    assert not Party.objects.filter(text_match("logisticslodz@")).exists()
    assert not Party.objects.filter(text_match("logistics lodz@")).exists()


@pytest.mark.postgres
def test_search_sql_matches_the_fold_indexes(planted: dict[str, int]) -> None:
    """The search's SQL compares the expression parties 0007 indexes (a small table is
    read whole, so the other plans are turned off to see that the index applies)."""
    query = Party.objects.filter(text_match("Łódź")).order_by().values("pk")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on parties_party_search_fold_trgm" in plan, plan
    assert "'%lodz%'" in plan, plan  # the term folded once, when planning
