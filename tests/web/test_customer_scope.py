"""The customer list of a sales representative and of a manager (team scope) read from the
scores' copy of owner and team (``CustomerScore.owner/team``, issue 6), checked against
the order computed directly from the parties; the copy follows owner changes made
through ``update_party`` at once, a stale copy never shows a party, the scoring run
writes and corrects it; broad searches walk the CLV index."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clientela.crm.accounts.models import Team
from clientela.crm.parties.access import visible_parties
from clientela.crm.parties.actions import update_party
from clientela.crm.parties.models import Party
from clientela.crm.parties.queries import customer_base
from clientela.crm.scoring import actions as scoring_actions
from clientela.crm.scoring.models import CustomerScore, ModelRun
from clientela.crm.scoring.scope import copy_party_scope
from clientela.web import queries
from clientela.web.queries import CustomerFilters, country_choices

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def listed(c: Client, params: dict[str, Any] | None = None) -> list[int]:
    """Every party id of the list, page after page."""
    seen: list[int] = []
    for page in range(1, 20):
        html = c.get("/customers/", {"sort": "clv", **(params or {}), "page": page}).content.decode()
        seen += [int(i) for i in re.findall(r'href="/customers/(\d+)/"', html)]
        if 'rel="next"' not in html:
            return seen
    raise AssertionError("more pages than expected")


def reference(user: Any, run: ModelRun, q: str = "") -> list[int]:
    """The list computed directly: the user's parties in the customer base (the parties'
    own owner and team; no suppliers, partners or internal stakeholders),
    highest CLV first, then by id; for ``q``, those whose name, e-mail or reference
    contains it."""
    parties = {p.pk: p for p in customer_base(visible_parties(user))}
    if q:
        needle = q.upper()
        parties = {k: p for k, p in parties.items()
                   if needle in p.name.upper() or needle in p.email.upper() or needle in p.ref.upper()}
    clv = dict(CustomerScore.objects.filter(run=run, party_id__in=list(parties)).values_list("party_id", "clv"))
    return sorted(parties, key=lambda pk: (-clv.get(pk, Decimal("-1e18")), pk))


def give(actor: Any, party_ids: list[int], owner: Any, team: Team | None) -> None:
    for party in Party.objects.filter(pk__in=party_ids):
        update_party(actor, party, expected_version=party.version,
                     changes={"owner_id": owner.pk if owner else None, "team_id": team.pk if team else None})


@pytest.fixture
def people(company: Any, make_user: Any) -> dict[str, Any]:
    """Two teams; a manager of the first, a representative in each. Parties 0-39 belong to
    rep1 (team 1), 40-69 to rep2 (team 2), 70-74 to the manager in team 2, 75-79 to the
    manager without a team, 80-89 to team 1 without an owner; all through update_party."""
    t1, t2 = Team.objects.create(name="North"), Team.objects.create(name="South")
    root = make_user("root", "admin")
    users = {
        "root": root, "t1": t1, "t2": t2,
        "manager": make_user("boss", "manager", t1),
        "rep1": make_user("rep1", "sales_rep", t1),
        "rep2": make_user("rep2", "sales_rep", t2),
    }
    ids = list(Party.objects.order_by("id").values_list("pk", flat=True)[:90])
    give(root, ids[:40], users["rep1"], t1)
    give(root, ids[40:70], users["rep2"], t2)
    give(root, ids[70:75], users["manager"], t2)
    give(root, ids[75:80], users["manager"], None)
    give(root, ids[80:90], None, t1)
    Party.objects.filter(pk__in=ids[:90]).update(country="DE")
    Party.objects.filter(pk__in=ids[40:75]).update(country="UA")
    Party.objects.filter(pk__in=ids[80:90]).update(country="FR")
    users["ids"] = ids
    return users


def test_rep_and_manager_lists_follow_the_reference_order(company: Any, people: dict[str, Any]) -> None:
    run = company["run"]
    for who in ("rep1", "rep2", "manager", "root"):
        user = people[who]
        expected = reference(user, run)
        assert listed(client_for(user)) == expected, who
    assert len(reference(people["manager"], run)) == 60  # team 1 (50) + own outside it (10)
    # The owner filter of a manager reads the same way.
    rep1 = people["rep1"]
    assert listed(client_for(people["manager"]), {"owner": rep1.pk}) == reference(rep1, run)


def test_owner_change_through_the_action_moves_the_party_at_once(company: Any, people: dict[str, Any]) -> None:
    run = company["run"]
    rep1, rep2, manager = people["rep1"], people["rep2"], people["manager"]
    moved = listed(client_for(rep1))[0]
    give(people["root"], [moved], rep2, people["t2"])
    assert CustomerScore.objects.get(run=run, party_id=moved).owner_id == rep2.pk
    assert moved not in listed(client_for(rep1))
    assert moved in listed(client_for(rep2))
    assert moved not in listed(client_for(manager))
    assert listed(client_for(rep2)) == reference(rep2, run)
    assert listed(client_for(manager)) == reference(manager, run)


def test_a_stale_copy_hides_a_party_but_never_shows_it(company: Any, people: dict[str, Any]) -> None:
    run = company["run"]
    rep1, rep2 = people["rep1"], people["rep2"]
    moved = listed(client_for(rep1))[0]
    Party.objects.filter(pk=moved).update(owner=rep2, team=people["t2"])  # outside the actions
    assert moved not in listed(client_for(rep1))  # the party's own scope still applies
    assert moved not in listed(client_for(rep2))  # the copy is stale until corrected
    assert copy_party_scope(run.pk) == 1
    assert copy_party_scope(run.pk) == 0
    assert listed(client_for(rep2)) == reference(rep2, run)


def test_scoring_writes_the_copy_and_corrects_changes_made_while_it_ran(
    company: Any, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, rep1, rep2 = people["ids"], people["rep1"], people["rep2"]
    late = ids[0]
    original = scoring_actions.score_customers

    def change_owner_during_the_run(*args: Any, **kwargs: Any) -> Any:
        Party.objects.filter(pk=late).update(owner=rep2, team=people["t2"])  # after reading
        return original(*args, **kwargs)

    monkeypatch.setattr(scoring_actions, "score_customers", change_owner_during_the_run)
    run = scoring_actions.run_scoring(None)
    copy = {pk: (o, t) for pk, o, t in CustomerScore.objects.filter(run=run).values_list("party_id", "owner_id", "team_id")}
    # Every party of the customer base has its score (the others are not scored).
    truth = {pk: (o, t) for pk, o, t in customer_base(Party.objects.all()).values_list("pk", "owner_id", "team_id")}
    assert copy == truth
    assert copy[late] == (rep2.pk, people["t2"].pk)
    assert sum(1 for o, _t in copy.values() if o == rep1.pk) == 39
    assert listed(client_for(rep2)) == reference(rep2, run)


def test_manager_country_list(company: Any, people: dict[str, Any], make_user: Any) -> None:
    for who in ("manager", "rep1", "rep2"):
        user = people[who]
        expected = sorted(set(visible_parties(user).exclude(country="").values_list("country", flat=True)))
        with CaptureQueriesContext(connection) as ctx:
            assert country_choices(user) == expected, who
        assert len(ctx.captured_queries) == 1
    assert country_choices(people["manager"]) == ["DE", "FR", "UA"]
    assert country_choices(people["rep1"]) == ["DE"]


def test_broad_search_walks_the_index_and_matches_the_reference(
    company: Any, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = company["run"]
    monkeypatch.setattr(queries, "SEARCH_NARROW", 4)  # "a" matches far more than 4 parties
    monkeypatch.setattr(queries, "SEARCH_WALK_MIN_MINE", 1)  # of the first 5, one is theirs
    for who in ("root", "manager", "rep1"):
        user = people[who]
        filters = CustomerFilters(q="a", sort="clv")
        party_ids, walk = queries._search_plan(user, filters, run, 0, queries.PAGE_SIZE + 1)
        assert (party_ids, walk) == (None, True), who
        expected = reference(user, run, "a")
        assert len(expected) > 4
        assert listed(client_for(user), {"q": "a"}) == expected, who
    # A term many parties match but none of the representative's: no walk through
    # their whole index, the (no) matches are collected.
    Party.objects.filter(pk__in=people["ids"][40:70]).update(name="Qqzz other team")
    assert queries._search_plan(people["rep1"], CustomerFilters(q="qqzz"), run, 0, 51) == ([], False)
    assert listed(client_for(people["rep1"]), {"q": "qqzz"}) == []
    assert listed(client_for(people["rep2"]), {"q": "qqzz"}) == reference(people["rep2"], run, "qqzz")
    rare = Party.objects.get(pk=people["ids"][3])
    party_ids, walk = queries._search_plan(people["rep1"], CustomerFilters(q=rare.ref), run, 0, 51)
    assert (party_ids, walk) == ([rare.pk], False)
    assert listed(client_for(people["rep1"]), {"q": rare.ref}) == reference(people["rep1"], run, rare.ref)


def test_narrow_search_picks_the_users_matches_from_one_read(
    company: Any, people: dict[str, Any]
) -> None:
    """A search matching at most SEARCH_NARROW parties reads the matches of any owner once
    and keeps the user's own (their owner and team): the same rows as the reference, with
    the owner and country filters too, and nothing of another team's."""
    run = company["run"]
    rep1, manager = people["rep1"], people["manager"]
    for who in ("root", "manager", "rep1", "rep2"):
        user = people[who]
        party_ids, walk = queries._search_plan(user, CustomerFilters(q="a", sort="clv"), run, 0, 51)
        assert walk is False and party_ids is not None, who
        assert sorted(party_ids) == sorted(reference(user, run, "a")), who
        assert listed(client_for(user), {"q": "a"}) == reference(user, run, "a"), who
    outsiders = set(people["ids"][40:75])  # team 2: none of them is rep1's or the manager's
    assert not outsiders & set(queries._search_plan(rep1, CustomerFilters(q="a"), run, 0, 51)[0] or [])
    mine = [pk for pk in reference(manager, run, "a") if pk in set(reference(rep1, run))]
    assert listed(client_for(manager), {"q": "a", "owner": rep1.pk}) == mine
    assert listed(client_for(manager), {"q": "a", "country": "UA"}) == [
        pk for pk in reference(manager, run, "a") if pk in set(people["ids"][70:75])
    ]


def test_lists_by_name_follow_the_scope_and_the_filters(company: Any, people: dict[str, Any]) -> None:
    """By name (then id), read from the scope's own index (a manager's team and own
    parties merged): the same rows as sorting the visible parties directly, page after
    page, with the country, owner and ladder-stage filters."""
    run = company["run"]
    Party.objects.filter(pk__in=people["ids"][:6]).update(name="Same Name")  # ties break by id
    stage = CustomerScore.objects.filter(run=run).values_list("ladder_stage", flat=True).first()
    staged = set(CustomerScore.objects.filter(run=run, ladder_stage=stage).values_list("party_id", flat=True))
    for who in ("rep1", "rep2", "manager", "root"):
        user = people[who]
        visible = list(customer_base(visible_parties(user)).order_by("name", "id").values_list("pk", "country", "owner_id"))
        c = client_for(user)
        assert listed(c, {"sort": "name"}) == [pk for pk, _c, _o in visible], who
        assert listed(c, {"sort": "name", "country": "DE"}) == [pk for pk, c_, _o in visible if c_ == "DE"], who
        assert listed(c, {"sort": "name", "stage": stage}) == [pk for pk, _c, _o in visible if pk in staged], who
    rep1 = people["rep1"]
    assert listed(client_for(people["manager"]), {"sort": "name", "owner": rep1.pk}) == list(
        customer_base(visible_parties(rep1)).order_by("name", "id").values_list("pk", flat=True))


def test_query_counts_do_not_grow_with_rows_or_pages(company: Any, people: dict[str, Any]) -> None:
    """Pages that end the scored rows (one query more for the parties after them) with
    40, 10 or no rows, and a full page one query less; pages read the score ids (a
    manager's from both indexes at once), then the scores."""
    per_role = {}
    for who in ("rep1", "manager"):
        c = client_for(people[who])
        c.get("/customers/")
        counts, rows = [], []
        for params in ({"owner": people["rep1"].pk}, {"page": 2}, {"country": "FR"}, {"owner": people[who].pk}):
            with CaptureQueriesContext(connection) as ctx:
                html = c.get("/customers/", {"sort": "clv", **params}).content.decode()
            counts.append(len(ctx.captured_queries))
            rows.append(html.count('data-testid="customer-link"'))
        per_role[who] = (counts, rows)
    counts, rows = per_role["manager"]
    assert rows == [40, 10, 10, 10], rows
    assert counts[0] == counts[1] == counts[2] == counts[3], counts
    full = client_for(people["manager"])
    full.get("/customers/")
    with CaptureQueriesContext(connection) as ctx:
        html = full.get("/customers/", {"sort": "clv"}).content.decode()
    assert html.count('data-testid="customer-link"') == 50 and len(ctx.captured_queries) == counts[0] - 1
    counts, rows = per_role["rep1"]
    assert rows[0] == 40 and rows[2] == 0 and rows[3] == 40, rows
    assert counts[0] == counts[3] == per_role["manager"][0][0], per_role
    assert counts[2] == counts[0] - 1, per_role  # no score ids: no second read
