"""The web pages through Django's test client: login, menus, dashboard, customers, 360."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clientela.crm.engagement.models import Interaction
from clientela.crm.parties.actions import update_party
from clientela.crm.parties.models import OUTSIDE_CUSTOMER_BASE, Party
from clientela.crm.scoring.models import CustomerScore

pytestmark = pytest.mark.django_db

KPI_IDS = ("customer-equity", "active-customers", "mean-clv", "clv-cac", "retention", "churn", "nps", "top20-share")


def give(owner: Any, party_ids: Any, **changes: Any) -> None:
    """Make ``owner`` the owner of the parties through ``update_party`` (which also moves
    them between the customer lists: the scores' copy of owner and team)."""
    for party in Party.objects.filter(pk__in=list(party_ids)):
        update_party(owner, party, expected_version=party.version, changes={"owner_id": owner.pk, **changes})


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def text(response: Any) -> str:
    return response.content.decode()


@pytest.mark.parametrize("path", ["/", "/customers/", "/customers/1/"])
def test_anonymous_visitor_is_sent_to_login(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


def test_login_page_has_named_fields_and_csrf() -> None:
    page = text(Client().get("/login/"))
    assert 'name="username"' in page and 'name="password"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_login_without_csrf_token_is_refused(company: Any, make_user: Any) -> None:
    make_user("alice", "admin")
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "alice", "password": "pw-alice"})
    assert response.status_code == 403


def test_login_logs_in_and_logout_needs_post(company: Any, make_user: Any) -> None:
    make_user("alice", "admin")
    c = Client()
    response = c.post("/login/", {"username": "alice", "password": "pw-alice"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert c.get("/").status_code == 200
    assert c.get("/logout/").status_code == 405
    assert c.post("/logout/")["Location"] == "/login/"
    assert c.get("/").status_code == 302


def test_wrong_password_shows_an_error(company: Any, make_user: Any) -> None:
    make_user("alice", "admin")
    response = Client().post("/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "not right" in text(response)


def test_menu_follows_the_role(company: Any, make_user: Any) -> None:
    root = make_user("root", "admin")
    root.is_staff = True  # the admin site is for staff accounts
    root.save()
    admin = text(client_for(root).get("/"))
    assert 'data-testid="menu-customers"' in admin and 'data-testid="menu-admin"' in admin
    rep = text(client_for(make_user("rep", "sales_rep")).get("/"))
    assert 'data-testid="menu-customers"' in rep and 'data-testid="menu-admin"' not in rep


def test_dashboard_shows_every_kpi_tile_with_a_number(company: Any, make_user: Any) -> None:
    page = text(client_for(make_user("root", "admin")).get("/"))
    for kpi in KPI_IDS:
        match = re.search(rf'data-testid="kpi-{kpi}".*?<p class="kpi-value">(.*?)</p>', page, re.S)
        assert match, kpi
        assert re.search(r"\d", match.group(1)), (kpi, match.group(1))  # NPS too: the demo has answers
    for chart in ("lorenz", "clv", "ladder", "actions", "cohorts"):
        assert f'data-testid="chart-{chart}"' in page
    assert page.count('role="img"') >= 5 and "<title id=" in page
    # Customer equity with its 90 % interval (value.uncertainty, stored by the scoring run).
    interval = re.search(r'data-testid="kpi-equity-interval">(.*?)</p>', page, re.S).group(1)
    assert "90 % interval:" in interval and re.search(r"\d.* to .*\d", interval)


def test_dashboard_hides_clv_figures_from_roles_without_clv(company: Any, make_user: Any) -> None:
    page = text(client_for(make_user("agent", "service_agent")).get("/"))
    for hidden in ("kpi-customer-equity", "kpi-mean-clv", "kpi-clv-cac", "chart-clv", "kpi-equity-interval"):
        assert hidden not in page
    assert 'data-testid="kpi-active-customers"' in page


def test_dashboard_shows_trend_against_the_previous_run(company: Any, make_user: Any) -> None:
    from clientela.crm.scoring.models import ModelRun

    run = company["run"]
    older = ModelRun.objects.get(pk=run.pk)
    older.pk = None
    older.is_current = False
    older.started_at = run.started_at.replace(year=run.started_at.year - 1)
    summary = dict(run.summary)
    summary["kpis"] = dict(summary["kpis"], retention_rate=summary["kpis"]["retention_rate"] - 0.05)
    older.summary = summary
    older.save()
    assert ModelRun.objects.count() == 2
    page = text(client_for(make_user("root", "admin")).get("/"))
    tile = re.search(r'data-testid="kpi-retention".*?</article>', page, re.S).group(0)
    assert "up" in tile and "+5.0" in tile and "good" in tile
    assert 'data-testid="chart-equity"' in page  # two runs: equity over time


def test_trend_decimals_follow_the_kind_of_figure() -> None:
    """Counts change by whole customers; a share's change too small for one decimal gets
    two (never "-0.0 pp"); ratios two; large money none, small money cents."""
    from clientela.web.kpis import Kpi

    def places(kind: str, value: float, previous: float) -> int:
        return Kpi(key="k", label="k", kind=kind, value=value, previous=previous).delta_places

    assert places("count", 3162, 2757) == 0
    assert places("share", 0.767, 0.7672) == 2 and places("share", 0.465, 0.357) == 1
    assert places("ratio", 3.36, 2.86) == 2 and places("score", 29, 22.6) == 1
    assert places("money", 2_155_297, 1_830_838) == 0 and places("money", 317.4, 312.9) == 2


def test_dashboard_query_count_does_not_depend_on_the_number_of_runs(company: Any, make_user: Any) -> None:
    from clientela.crm.scoring.models import ModelRun

    c = client_for(make_user("root", "admin"))
    c.get("/")
    with CaptureQueriesContext(connection) as one:
        c.get("/")
    run = company["run"]
    for years in range(1, 6):
        old = ModelRun.objects.get(pk=run.pk)
        old.pk, old.is_current = None, False
        old.started_at = run.started_at.replace(year=run.started_at.year - years)
        old.save()
    with CaptureQueriesContext(connection) as six:
        page = text(c.get("/"))
    assert page.count("<circle") >= 6
    assert len(six.captured_queries) == len(one.captured_queries)


def test_customer_search_by_email_phone_and_ref(company: Any, make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    party = Party.objects.exclude(phone="").exclude(email="").order_by("id")[7]
    for q in (party.email, party.ref, party.phone, party.phone.replace(" ", "")[-7:]):
        page = text(c.get("/customers/", {"q": q}))
        assert f'href="/customers/{party.pk}/"' in page, q


def test_live_search_answers_only_the_results(company: Any, make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    response = c.get("/customers/", {"q": "a"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    body = text(response)
    assert body.lstrip().startswith('<section id="results"') and "<html" not in body


def test_customer_filters_and_sort(company: Any, make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    page = text(c.get("/customers/", {"action": "win_back", "sort": "churn"}))
    ids = [int(i) for i in re.findall(r'href="/customers/(\d+)/"', page)]
    assert ids
    scores = {s.party_id: s for s in CustomerScore.objects.filter(run=company["run"], party_id__in=ids)}
    assert all(scores[i].next_best_action == "win_back" for i in ids)
    risks = [scores[i].churn_risk for i in ids]
    assert risks == sorted(risks, reverse=True)


def test_sales_rep_sees_only_own_customers(company: Any, make_user: Any) -> None:
    rep = make_user("rep", "sales_rep")
    mine = list(Party.objects.order_by("id")[:3])
    give(rep, [p.pk for p in mine])
    c = client_for(rep)
    ids = {int(i) for i in re.findall(r'href="/customers/(\d+)/"', text(c.get("/customers/")))}
    assert ids == {p.pk for p in mine}
    other = Party.objects.exclude(owner=rep).first()
    assert c.get(f"/customers/{other.pk}/").status_code == 404
    assert c.get(f"/customers/{mine[0].pk}/").status_code == 200


def test_clv_and_margin_columns_follow_the_role(company: Any, make_user: Any) -> None:
    admin = text(client_for(make_user("root", "admin")).get("/customers/"))
    assert ">CLV</th>" in admin and "Net contribution" in admin
    rep = make_user("rep", "sales_rep")
    give(rep, Party.objects.order_by("id").values_list("pk", flat=True)[:3])
    rep_page = text(client_for(rep).get("/customers/"))
    assert ">CLV</th>" in rep_page and "Net contribution" not in rep_page
    agent = text(client_for(make_user("agent", "service_agent")).get("/customers/?sort=clv"))
    assert ">CLV</th>" not in agent and 'value="clv"' not in agent


def test_customer_list_query_count_is_constant(company: Any, make_user: Any) -> None:
    root = make_user("root", "admin")
    owner = make_user("owner", "sales_rep")
    last50 = Party.objects.exclude(OUTSIDE_CUSTOMER_BASE).order_by("-id").values("pk")[:50]
    give(owner, last50.values_list("pk", flat=True), name="Zyxwv customer")
    c = client_for(root)
    c.get("/customers/")  # warm caches (content types, session)
    counts = []
    # A search reads the matching parties, their scores and the parties after them (1 or
    # 50 rows alike); a page that ends the scored rows reads the scores, then the parties
    # after them; a full page reads only the scores. None grows with the rows.
    for params in ({"q": Party.objects.order_by("id").first().ref}, {"q": "zyxwv"},
                   {"owner": str(owner.pk)}, {}, {"page": "2"}, {"sort": "name"}):
        with CaptureQueriesContext(connection) as ctx:
            page = text(c.get("/customers/", params))
        counts.append((len(ctx.captured_queries), page.count('data-testid="customer-link"')))
    rows = [n for _q, n in counts]
    assert rows == [1, 50, 50, 50, 50, 50], rows
    q = [n for n, _rows in counts]
    assert q[0] == q[1] == q[2] + 1, counts
    assert q[3] == q[4] == q[2] - 1, counts  # by CLV: the page's score ids, then the scores
    assert q[5] == q[3], counts  # by name: the page's party ids, then those parties with their scores


def test_customer_list_sorted_by_clv_puts_new_parties_last(company: Any, make_user: Any) -> None:
    """Scores come first in CLV order; parties created after the run follow, by id, and
    pages continue across the boundary without gaps or repeats."""
    run = company["run"]
    scored = list(CustomerScore.objects.filter(run=run).order_by("-clv", "party_id").values_list("party_id", flat=True))
    new = [Party.objects.create(ref=f"NEW-{i}", name=f"Brand new {i}").pk for i in range(60)]
    c = client_for(make_user("root", "admin"))
    seen: list[int] = []
    for page in range(1, 9):
        html = text(c.get("/customers/", {"sort": "clv", "page": page}))
        seen += [int(i) for i in re.findall(r'href="/customers/(\d+)/"', html)]
        if 'rel="next"' not in html:
            break
    assert seen == scored + new
    search = text(c.get("/customers/", {"sort": "clv", "q": "brand new 1"}))
    found = [int(i) for i in re.findall(r'href="/customers/(\d+)/"', search)]
    assert found == [p for p in new if Party.objects.get(pk=p).name.lower().startswith("brand new 1")]


def test_customer_360_value_card(company: Any, make_user: Any) -> None:
    score = CustomerScore.objects.filter(run=company["run"]).order_by("-clv").first()
    page = text(client_for(make_user("root", "admin")).get(f"/customers/{score.party_id}/"))
    for testid in ("customer-clv", "customer-p-alive", "customer-ladder-stage", "customer-nba",
                   "customer-purchases-90", "customer-purchases-365", "customer-rfm", "customer-profit",
                   "customer-clv-interval"):
        assert f'data-testid="{testid}"' in page, testid
    assert 'data-testid="timeline-item"' in page
    # The CLV's 90 % interval, from the scores (value.uncertainty through the scoring run).
    assert score.clv_low is not None and score.clv_low <= score.clv <= score.clv_high
    interval = re.search(r'data-testid="customer-clv-interval">(.*?)</span>', page, re.S).group(1)
    assert "90 % interval:" in interval
    assert str(round(score.clv_high)) in re.sub(r"\D", "", interval.split(" to ")[-1])


def test_customer_360_hides_clv_and_profit_from_service_agents(company: Any, make_user: Any) -> None:
    score = CustomerScore.objects.filter(run=company["run"]).order_by("-clv").first()
    agent = make_user("agent", "service_agent")
    Party.objects.filter(pk=score.party_id).update(owner=agent)
    page = text(client_for(agent).get(f"/customers/{score.party_id}/"))
    assert 'data-testid="customer-clv"' not in page and 'data-testid="customer-profit"' not in page
    assert 'data-testid="customer-clv-interval"' not in page and "interval" not in page
    assert 'data-testid="customer-p-alive"' in page


def test_customer_360_query_count_does_not_grow_with_the_timeline(company: Any, make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    busy = Party.objects.order_by("id").first()
    c.get(f"/customers/{busy.pk}/")
    with CaptureQueriesContext(connection) as before:
        c.get(f"/customers/{busy.pk}/")
    from django.utils import timezone

    Interaction.objects.bulk_create([
        Interaction(party=busy, channel="phone", direction="outbound", occurred_at=timezone.now(), subject=f"call {i}")
        for i in range(40)
    ])
    with CaptureQueriesContext(connection) as after:
        page = text(c.get(f"/customers/{busy.pk}/"))
    assert "call 39" in page
    assert len(after.captured_queries) == len(before.captured_queries)


def test_timeline_pages_older_events(company: Any, make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    party = Party.objects.order_by("id").first()
    from django.utils import timezone

    Interaction.objects.bulk_create([
        Interaction(party=party, channel="email", direction="outbound",
                    occurred_at=timezone.now() - timezone.timedelta(minutes=i), subject=f"mail {i}")
        for i in range(30)
    ])
    page = text(c.get(f"/customers/{party.pk}/"))
    assert "mail 0" in page and "mail 29" not in page
    more = re.search(r'hx-get="(/customers/\d+/timeline/\?before=[^"]+)"', page).group(1).replace("&amp;", "&")
    older = text(c.get(more))
    assert "mail 29" in older and "mail 0" not in older


def test_log_interaction_with_htmx_returns_form_and_timeline(company: Any, make_user: Any) -> None:
    user = make_user("root", "admin")
    party = Party.objects.order_by("id")[3]
    c = client_for(user)
    response = c.post(f"/customers/{party.pk}/interactions/", {
        "channel": "phone", "direction": "outbound", "occurred_at": "2026-11-23T09:30",
        "subject": "Called about <the> renewal", "notes": "Wants a quote",
    }, HTTP_HX_REQUEST="true")
    body = text(response)
    assert response.status_code == 200
    assert 'id="timeline" class="timeline"' in body and 'hx-swap-oob="outerHTML"' in body
    assert "Called about &lt;the&gt; renewal" in body  # escaped
    interaction = Interaction.objects.get(party=party, subject="Called about <the> renewal")
    assert interaction.user == user and interaction.notes == "Wants a quote"


def test_log_interaction_rejects_bad_input_without_writing(company: Any, make_user: Any) -> None:
    party = Party.objects.order_by("id")[3]
    c = client_for(make_user("root", "admin"))
    before = Interaction.objects.count()
    response = c.post(f"/customers/{party.pk}/interactions/", {"channel": "pigeon", "direction": "outbound",
                      "occurred_at": "2026-11-23T09:30", "subject": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'class="error"' in text(response)
    plain = c.post(f"/customers/{party.pk}/interactions/", {"channel": "phone"})
    assert plain.status_code == 422
    assert Interaction.objects.count() == before


def test_log_interaction_refused_for_read_only_and_out_of_scope(company: Any, make_user: Any) -> None:
    party = Party.objects.order_by("id")[3]
    data = {"channel": "phone", "direction": "outbound", "occurred_at": "2026-11-23T09:30", "subject": "x"}
    reader = make_user("reader", "read_only")
    Party.objects.filter(pk=party.pk).update(owner=reader)
    assert client_for(reader).post(f"/customers/{party.pk}/interactions/", data).status_code == 403
    rep = make_user("rep", "sales_rep")
    assert client_for(rep).post(f"/customers/{party.pk}/interactions/", data).status_code == 404
    assert not Interaction.objects.filter(party=party, subject="x").exists()
    page = text(client_for(reader).get(f"/customers/{party.pk}/"))
    assert 'data-testid="log-form"' not in page


def test_log_interaction_needs_csrf(company: Any, make_user: Any) -> None:
    user = make_user("root", "admin")
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    party = Party.objects.order_by("id")[3]
    response = c.post(f"/customers/{party.pk}/interactions/", {"channel": "phone", "direction": "outbound",
                      "occurred_at": "2026-11-23T09:30", "subject": "x"})
    assert response.status_code == 403


def test_not_found_and_not_allowed_pages_are_styled_and_translated(company: Any, make_user: Any) -> None:
    rep = client_for(make_user("rep", "sales_rep"))
    other = Party.objects.order_by("id").first()
    missing = rep.get(f"/customers/{other.pk}/", HTTP_ACCEPT_LANGUAGE="pl")
    assert missing.status_code == 404 and "Nie znaleziono" in text(missing)
    marketer = client_for(make_user("mark", "marketer"))
    refused = marketer.get("/pipeline/", HTTP_ACCEPT_LANGUAGE="ru")
    assert refused.status_code == 403 and "Нет доступа" in text(refused)


def test_customer_360_lists_the_segments_the_party_is_in(company: Any, make_user: Any) -> None:
    from clientela.crm.engagement.actions import create_segment

    admin = make_user("root", "admin")
    score = CustomerScore.objects.filter(run=company["run"], party__is_customer=True).order_by("-clv").first()
    stage = score.ladder_stage
    mine = create_segment(admin, {"name": "Same stage", "definition": {"ladder_stages": [stage]}})
    other_stage = next(s for s in ("prospect", "customer", "client", "supporter", "advocate") if s != stage)
    create_segment(admin, {"name": "Other stage", "definition": {"ladder_stages": [other_stage]}})
    top = create_segment(admin, {"name": "Top tier", "definition": {"value_tiers": ["top"]}})
    c = client_for(admin)
    with CaptureQueriesContext(connection) as queries_seen:
        page = text(c.get(f"/customers/{score.party_id}/"))
    listed = re.search(r'data-testid="customer-segments">(.*?)</ul>', page, re.S).group(1)
    assert f'href="/segments/{mine.pk}/"' in listed and "Other stage" not in listed
    assert f'href="/segments/{top.pk}/"' in listed  # the highest CLV is in the top tier
    # The same members as the segment's own page would list:
    from clientela.crm.engagement.segments import parse_definition, segment_scores

    for segment in (mine, top):
        members = segment_scores(admin, parse_definition(segment.definition), company["run"])
        assert members.filter(party_id=score.party_id).exists()
    assert sum("engagement_segment" in q["sql"] for q in queries_seen.captured_queries) == 1
    # A role that sees segments but not CLV is not told about a value-tier segment.
    from clientela.crm.accounts.models import Team

    team = Team.objects.create(name="Viewers")
    viewer = make_user("viewer", "read_only", team=team)
    Party.objects.filter(pk=score.party_id).update(team=team)
    seen = text(client_for(viewer).get(f"/customers/{score.party_id}/"))
    assert "Same stage" in seen and "Top tier" not in seen


def test_dashboard_names_the_themes_that_lower_the_nps_most(company: Any, make_user: Any) -> None:
    from clientela.crm.voice.actions import refresh_themes
    from clientela.web.feedback import top_nps_drivers

    admin = make_user("root", "admin")
    assert 'data-testid="kpi-nps-drivers"' not in text(client_for(admin).get("/"))  # nothing stored yet
    refresh_themes(None)
    drivers = top_nps_drivers(admin)
    assert drivers and all(effect < 0 for _name, effect in drivers)
    tile = re.search(r'data-testid="kpi-nps".*?</article>', text(client_for(admin).get("/")), re.S).group(0)
    named = re.findall(r'data-testid="kpi-nps-driver"[^>]*>(.*?)</a>', tile)
    assert named == [html.escape(name) for name, _effect in drivers]
    # A read-only user may not see survey answers: no drivers for them.
    reader = make_user("reader-nps", "read_only")
    assert top_nps_drivers(reader) == []
    assert 'data-testid="kpi-nps-drivers"' not in text(client_for(reader).get("/"))
