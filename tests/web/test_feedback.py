"""The feedback page: NPS and CSAT by month, verbatim comments with filters, roles, queries."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientela.crm.feedback.actions import create_survey, record_response
from clientela.crm.feedback.models import SurveyResponse
from clientela.crm.parties.models import Party

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def comment_texts(html: str) -> list[str]:
    return re.findall(r'<blockquote translate="no">(.*?)</blockquote>', html, re.S)


@pytest.fixture
def answers(company: Any) -> dict[str, Any]:
    """Two surveys and answers this month and last month, a few with comments."""
    SurveyResponse.objects.all().delete()
    nps = create_survey(None, name="NPS after purchase", kind="nps", question="Would you recommend us?")
    csat = create_survey(None, name="Delivery CSAT", kind="csat", question="How satisfied are you?")
    parties = list(Party.objects.order_by("id")[:6])
    now = timezone.now()
    earlier = now - timedelta(days=40)
    for score, text, party in ((10, "Świetna obsługa, polecam!", parties[0]), (9, "", parties[1]),
                               (8, "Fine, a bit slow", parties[2]), (3, "Never again <b>bad</b>", parties[3])):
        record_response(None, survey=nps, score=score, party=party, comment=text, answered_at=now - timedelta(hours=2))
    record_response(None, survey=nps, score=6, party=parties[4], comment="Too expensive", answered_at=earlier)
    record_response(None, survey=csat, score=5, party=parties[5], comment="Kurier był na czas", answered_at=now - timedelta(hours=1))
    record_response(None, survey=csat, score=2, party=parties[0], comment="Paczka uszkodzona", answered_at=earlier)
    return {"nps": nps, "csat": csat}


def test_page_shows_charts_tables_and_comments(answers: Any, make_user: Any) -> None:
    page = client_for(make_user("root", "admin")).get("/feedback/").content.decode()
    for chart in ("nps", "csat"):
        assert f'data-testid="chart-{chart}"' in page
    assert page.count('role="img"') == 2
    texts = comment_texts(page)
    assert len(texts) == 6  # the answer without a comment is not listed
    assert texts[0] == "Kurier był na czas"  # newest first
    assert "Never again &lt;b&gt;bad&lt;/b&gt;" in texts  # escaped, shown as text
    # This month: 2 promoters − 1 detractor of 4 answers = 25; 40 days ago: one detractor = −100.
    month_rows = re.findall(r"<tr><th scope=\"row\">[^<]*</th><td class=\"num\">([^<]*)</td><td class=\"num\">([^<]*)</td></tr>", page)
    assert ("25", "4") in month_rows and ("-100", "1") in month_rows
    assert ("5.00", "1") in month_rows and ("2.00", "1") in month_rows
    assert 'data-testid="menu-feedback"' in page


@pytest.mark.parametrize(("params", "expected"), [
    ({"band": "promoter"}, {"Świetna obsługa, polecam!", "Kurier był na czas"}),
    ({"band": "passive"}, {"Fine, a bit slow"}),
    ({"band": "detractor"}, {"Never again &lt;b&gt;bad&lt;/b&gt;", "Too expensive", "Paczka uszkodzona"}),
    ({"q": "PACZKA"}, {"Paczka uszkodzona"}),
    ({"band": "nonsense", "q": "slow"}, {"Fine, a bit slow"}),
])
def test_comment_filters(answers: Any, make_user: Any, params: dict[str, str], expected: set[str]) -> None:
    page = client_for(make_user("root", "admin")).get("/feedback/", params).content.decode()
    assert set(comment_texts(page)) == expected


def test_survey_and_date_filters(answers: Any, make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    only_csat = c.get("/feedback/", {"survey": answers["csat"].pk}).content.decode()
    assert set(comment_texts(only_csat)) == {"Kurier był na czas", "Paczka uszkodzona"}
    today = timezone.localdate().isoformat()
    recent = c.get("/feedback/", {"since": today, "until": today}).content.decode()
    assert "Too expensive" not in comment_texts(recent) and "Fine, a bit slow" in comment_texts(recent)
    old = c.get("/feedback/", {"until": (timezone.localdate() - timedelta(days=10)).isoformat()}).content.decode()
    assert set(comment_texts(old)) == {"Too expensive", "Paczka uszkodzona"}
    assert c.get("/feedback/", {"since": "not-a-date", "survey": "x", "page": "-3"}).status_code == 200


def test_htmx_answers_only_the_comments(answers: Any, make_user: Any) -> None:
    page = client_for(make_user("root", "admin")).get(
        "/feedback/", {"band": "passive"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="comments").content.decode()
    assert "<html" not in page and 'id="comments"' in page and comment_texts(page) == ["Fine, a bit slow"]


@pytest.mark.parametrize(("role", "allowed"), [
    ("admin", True), ("manager", True), ("sales_rep", True), ("service_agent", True), ("marketer", True),
    ("analyst", True), ("read_only", False),
])
def test_page_and_menu_follow_the_right_to_view_answers(company: Any, make_user: Any, role: str, allowed: bool) -> None:
    c = client_for(make_user("u-" + role, role))
    assert (c.get("/feedback/").status_code == 200) is allowed
    assert ('data-testid="menu-feedback"' in c.get("/").content.decode()) is allowed


def test_sales_rep_sees_only_answers_of_own_customers(answers: Any, make_user: Any) -> None:
    rep = make_user("rep", "sales_rep")
    mine = Party.objects.order_by("id")[2]
    mine.owner = rep
    mine.save(update_fields=["owner"])
    Party.objects.exclude(pk=mine.pk).filter(owner=rep).update(owner=None)
    page = client_for(rep).get("/feedback/").content.decode()
    assert comment_texts(page) == ["Fine, a bit slow"]


def test_comment_list_query_count_does_not_grow_with_rows(answers: Any, make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    survey = answers["nps"]
    parties = list(Party.objects.order_by("id")[:40])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/feedback/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i, party in enumerate(parties):
        record_response(None, survey=survey, score=i % 11, party=party, comment=f"comment {i}")
    many = count()
    page = c.get("/feedback/").content.decode()
    assert len(comment_texts(page)) == 25 and 'data-testid="comments-next"' in page
    assert many == few


def test_anonymous_visitor_is_sent_to_login() -> None:
    response = Client().get("/feedback/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/feedback/"


def test_the_themes_of_the_comments_and_their_effect_on_nps(company: Any, make_user: Any) -> None:
    """Planted comments in three languages: the page's drivers table starts with the two
    detractor themes, names themes in the comments' words and is in the user's language."""
    from insight.test_insight_themes import planted_answers

    SurveyResponse.objects.all().delete()
    survey = create_survey(None, name="NPS themes", kind="nps", question="Would you recommend us?")
    texts, languages, labels, scores = planted_answers(per_theme=20, noise=20)
    parties = list(Party.objects.order_by("id")[: len(texts)])
    for party, language in zip(parties, languages, strict=False):
        Party.objects.filter(pk=party.pk).update(language=language)
    now = timezone.now()
    for party, text, score in zip(parties, texts, scores, strict=False):
        record_response(None, survey=survey, score=int(score), party=party, comment=text,
                        answered_at=now - timedelta(days=3))
    c = Client(HTTP_ACCEPT_LANGUAGE="pl")
    c.force_login(make_user("root", "admin"))
    page = c.get("/feedback/").content.decode()
    assert "O czym piszą klienci" in page and "Wpływ na NPS" in page
    rows = re.findall(r'<tr data-testid="driver"><th scope="row" lang="(\w+)" translate="no">([^<]*)</th>', page)
    assert len(rows) >= 9, rows
    detractor_words = {"uszkodzony", "dostawa", "opóźnienie", "spóźniony", "повреждённый", "доставка",
                       "задержка", "damage", "delivery", "delay", "late", "break"}
    for language in ("pl", "ru", "en"):
        mine = [name for lang, name in rows if lang == language]
        assert all(set(name.split(", ")) & detractor_words for name in mine[:2]), (language, mine)

    # an empty scope shows the note, not a table
    rep = make_user("rep", "sales_rep")
    Party.objects.filter(owner=rep).update(owner=None)
    page = client_for(rep).get("/feedback/").content.decode()
    assert 'data-testid="driver"' not in page and "Not enough NPS comments" in page


def test_a_detractors_comment_opens_a_prefilled_case(answers: Any, make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    page = c.get("/feedback/").content.decode()
    detractor = SurveyResponse.objects.get(comment="Never again <b>bad</b>")
    promoter = SurveyResponse.objects.get(comment="Świetna obsługa, polecam!")
    assert f'href="/cases/new/?response={detractor.pk}"' in page
    assert f"?response={promoter.pk}" not in page  # promoters' comments offer no case
    form = c.get(f"/cases/new/?response={detractor.pk}").content.decode()
    assert "NPS after purchase: score 3" in form
    assert "Never again &lt;b&gt;bad&lt;/b&gt;" in form  # the comment, escaped, as the description
    assert f'name="party" value="{detractor.party_id}"' in form
    # a marketer reads answers but opens no cases: no link
    marketer_page = client_for(make_user("mk", "marketer")).get("/feedback/").content.decode()
    assert 'data-testid="open-case"' not in marketer_page
    # an answer the user may not read is not a way to learn about it
    rep = make_user("rep", "sales_rep")
    Party.objects.filter(owner=rep).update(owner=None)
    assert client_for(rep).get(f"/cases/new/?response={detractor.pk}").status_code in (403, 404)
