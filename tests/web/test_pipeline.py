"""The pipeline board: columns per stage, moving deals, scope and refusals."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clientela.crm.sales.models import Deal, DealStageChange, Pipeline

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def column_of(page: str, deal: Deal) -> str:
    """The id of the stage column holding the deal's card."""
    position = page.index(f'data-testid="deal-{deal.pk}"')
    return re.findall(r'data-testid="stage-(\d+)"', page[:position])[-1]


def test_board_shows_columns_cards_and_funnel(company: Any, make_user: Any, build_pipeline: Any) -> None:
    pipeline = build_pipeline(deals=12)
    c = client_for(make_user("root", "admin"))
    assert c.get("/pipeline/")["Location"] == f"/pipeline/{pipeline.pk}/"
    page = c.get(f"/pipeline/{pipeline.pk}/").content.decode()
    for stage in pipeline.stages.all():
        assert f'data-testid="stage-{stage.pk}"' in page
    deal = Deal.objects.get(name="Deal 01")
    assert column_of(page, deal) == str(deal.stage_id)
    assert "Funnel conversion" in page and "board.js" in page and 'data-testid="menu-pipeline"' in page


def test_board_query_count_is_constant(company: Any, make_user: Any, build_pipeline: Any) -> None:
    pipeline = build_pipeline(deals=4)
    c = client_for(make_user("root", "admin"))
    c.get(f"/pipeline/{pipeline.pk}/")
    with CaptureQueriesContext(connection) as few:
        c.get(f"/pipeline/{pipeline.pk}/")
    from clientela.crm.parties.models import Party
    from clientela.crm.sales.actions import create_deal

    for party in Party.objects.order_by("-id")[:30]:
        create_deal(None, party=party, name="more", pipeline=pipeline, amount=5)
    with CaptureQueriesContext(connection) as many:
        page = c.get(f"/pipeline/{pipeline.pk}/").content.decode()
    assert page.count('class="deal') >= 34
    assert len(many.captured_queries) == len(few.captured_queries)


def test_stage_totals_convert_currencies_at_the_latest_rate(company: Any, make_user: Any, build_pipeline: Any) -> None:
    """A stage's total is in the base currency: EUR at its latest rate on or before today
    (not an older or a future one), a currency without a rate shown apart, never added
    as if it were PLN; the query count does not grow with the deals or currencies."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from clientela.crm.commerce.models import ExchangeRate
    from clientela.crm.parties.models import Party
    from clientela.crm.sales.actions import create_deal

    pipeline = build_pipeline(deals=0)
    first = pipeline.stages.order_by("order").first()
    today = timezone.localdate()
    ExchangeRate.objects.filter(currency__in=["EUR", "USD"]).delete()
    ExchangeRate.objects.create(date=today - timedelta(days=30), currency="EUR", rate=Decimal("4.00"))
    ExchangeRate.objects.create(date=today - timedelta(days=2), currency="EUR", rate=Decimal("4.25"))
    ExchangeRate.objects.create(date=today + timedelta(days=5), currency="EUR", rate=Decimal("9.99"))
    party = Party.objects.order_by("id").first()
    c = client_for(make_user("root", "admin"))
    create_deal(None, party=party, name="pln", pipeline=pipeline, stage=first, amount=Decimal("1000.00"), currency="PLN")
    create_deal(None, party=party, name="eur", pipeline=pipeline, stage=first, amount=Decimal("120.00"), currency="EUR")
    with CaptureQueriesContext(connection) as two_currencies:
        c.get(f"/pipeline/{pipeline.pk}/")
    create_deal(None, party=party, name="eur", pipeline=pipeline, stage=first, amount=Decimal("80.00"), currency="EUR")
    create_deal(None, party=party, name="usd", pipeline=pipeline, stage=first, amount=Decimal("50.00"), currency="USD")
    with CaptureQueriesContext(connection) as three:
        page = c.get(f"/pipeline/{pipeline.pk}/").content.decode()
    assert len(three.captured_queries) == len(two_currencies.captured_queries)
    amount = re.search(rf'data-testid="stage-amount-{first.pk}">([^<]+)<', page).group(1)
    assert amount.replace("\xa0", " ") == "1,850 PLN", amount
    assert "No exchange rate for this currency" in page and "USD" in page
    from clientela.web.board import board

    column = board(make_user("root2", "admin"), pipeline)[0]
    assert column.count == 4 and column.amount == Decimal("1850.00") and column.unconverted == {"USD": Decimal("50.00")}


def test_move_a_deal_with_htmx(company: Any, make_user: Any, build_pipeline: Any) -> None:
    pipeline = build_pipeline(deals=4)
    user = make_user("root", "admin")
    deal = Deal.objects.get(name="Deal 01")
    target = pipeline.stages.get(name="Qualified")
    response = client_for(user).post(f"/deals/{deal.pk}/move/", {"stage": target.pk, "version": deal.version},
                                     HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert 'data-testid="board-moved"' in page and page.lstrip().startswith('<div id="board"')
    deal.refresh_from_db()
    assert deal.stage == target and deal.version == 2
    assert column_of(page, deal) == str(target.pk)
    assert DealStageChange.objects.filter(deal=deal, to_stage=target, changed_by=user).exists()


def test_lost_needs_a_reason_and_stale_versions_are_refused(company: Any, make_user: Any, build_pipeline: Any) -> None:
    pipeline = build_pipeline(deals=4)
    c = client_for(make_user("root", "admin"))
    deal = Deal.objects.get(name="Deal 01")
    lost = pipeline.stages.get(is_lost=True)
    page = c.post(f"/deals/{deal.pk}/move/", {"stage": lost.pk, "version": deal.version},
                  HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="board-error"' in page and "reason" in page
    stale = c.post(f"/deals/{deal.pk}/move/", {"stage": pipeline.stages.get(name="Proposal").pk, "version": 99},
                   HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="board-error"' in stale
    deal.refresh_from_db()
    assert deal.stage.name == "Lead" and deal.version == 1
    ok = c.post(f"/deals/{deal.pk}/move/", {"stage": lost.pk, "version": 1, "reason": "Chose a competitor"})
    assert ok.status_code == 302
    deal.refresh_from_db()
    assert deal.status == "lost" and deal.close_reason == "Chose a competitor"


def test_scope_and_roles(company: Any, make_user: Any, build_pipeline: Any) -> None:
    rep = make_user("rep", "sales_rep")
    pipeline = build_pipeline(deals=4)
    mine = Deal.objects.get(name="Deal 01")
    Deal.objects.filter(pk=mine.pk).update(owner=rep)
    qualified = pipeline.stages.get(name="Qualified")
    rep_client = client_for(rep)
    page = rep_client.get(f"/pipeline/{pipeline.pk}/").content.decode()
    assert f'data-testid="deal-{mine.pk}"' in page and page.count('data-deal-id="') == 1
    other = Deal.objects.get(name="Deal 02")
    assert rep_client.post(f"/deals/{other.pk}/move/", {"stage": qualified.pk}).status_code == 404
    assert rep_client.post(f"/deals/{mine.pk}/move/", {"stage": qualified.pk}).status_code == 302
    analyst = client_for(make_user("ana", "analyst"))
    page = analyst.get(f"/pipeline/{pipeline.pk}/").content.decode()
    assert "<details class=\"move\">" not in page
    assert analyst.post(f"/deals/{other.pk}/move/", {"stage": qualified.pk}).status_code == 403
    marketer = client_for(make_user("mark", "marketer"))
    assert marketer.get(f"/pipeline/{pipeline.pk}/").status_code == 403
    assert 'data-testid="menu-pipeline"' not in marketer.get("/").content.decode()
    other.refresh_from_db()
    assert other.version == 1  # refused moves wrote nothing


def test_no_pipeline_yet(company: Any, make_user: Any) -> None:
    Pipeline.objects.update(is_active=False)  # the demo company's own B2B pipeline
    page = client_for(make_user("root", "admin")).get("/pipeline/").content.decode()
    assert "no active sales pipeline" in page
