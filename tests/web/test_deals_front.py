"""Deals in the front office: creating a deal from the board and from a 360, the deal
page, moving it (won and lost with their reason), reopening, editing with the version
check, products and notes; the board's load-more columns, filters and weighted
forecast (checked against a hand computation); query counts with many deals."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clientela.crm.audit.models import AuditEntry
from clientela.crm.parties.models import Party
from clientela.crm.sales.models import Deal, DealLine, DealNote, DealStageChange

pytestmark = pytest.mark.django_db


def client_for(user: Any, lang: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def stage(pipeline: Any, name: str) -> Any:
    return pipeline.stages.get(name=name)


def _form(pipeline: Any, party: Party, user: Any, **changes: Any) -> dict[str, Any]:
    data = {"title": "Kitchen fit-out", "party": party.ref, "pipeline": pipeline.pk,
            "stage": stage(pipeline, "Lead").pk, "amount": "12500.50", "currency": "pln",
            "expected_close": "2027-01-15", "owner": user.pk}
    data.update(changes)
    return data


def test_create_a_deal_from_the_board(company: Any, make_user: Any, build_pipeline: Any) -> None:
    pipeline = build_pipeline(deals=4)
    rep = make_user("rep", "sales_rep")
    party = Party.objects.order_by("id")[50]
    Party.objects.filter(pk=party.pk).update(owner=rep)
    c = client_for(rep)
    board = c.get(f"/pipeline/{pipeline.pk}/").content.decode()
    assert f'href="/deals/new/?pipeline={pipeline.pk}" data-testid="new-deal"' in board
    form = c.get(f"/deals/new/?pipeline={pipeline.pk}").content.decode()
    assert 'name="title"' in form and 'name="amount"' in form and 'name="party"' in form
    options = c.get("/deals/parties/", {"party": party.name[:6]}).content.decode()
    assert f'value="{party.ref}"' in options
    response = c.post("/deals/new/", _form(pipeline, party, rep))
    deal = Deal.objects.get(name="Kitchen fit-out")
    assert response.status_code == 302 and response["Location"] == f"/deals/{deal.pk}/"
    assert (deal.party, deal.owner, deal.amount, deal.currency) == (party, rep, Decimal("12500.50"), "PLN")
    assert deal.expected_close == date(2027, 1, 15) and deal.stage.name == "Lead"
    assert DealStageChange.objects.get(deal=deal).changed_by == rep
    assert AuditEntry.objects.filter(entity="deal", object_id=str(deal.pk), action="create", actor=rep).exists()


def test_create_a_deal_from_a_customer_360(company: Any, make_user: Any, build_pipeline: Any) -> None:
    pipeline = build_pipeline(deals=0)
    user = make_user("root", "admin")
    party = Party.objects.order_by("id")[7]
    c = client_for(user)
    page = c.get(f"/customers/{party.pk}/").content.decode()
    assert f'href="/deals/new/?party={party.pk}" data-testid="new-deal"' in page
    form = c.get(f"/deals/new/?party={party.pk}&pipeline={pipeline.pk}").content.decode()
    assert 'data-testid="deal-party"' in form and f'value="{party.ref}"' in form
    # the 360's hidden field names the party by its reference; the legacy name "name" works for the title
    data = _form(pipeline, party, user, title="", name="Service contract")
    assert c.post("/deals/new/", data).status_code == 302
    deal = Deal.objects.get(name="Service contract")
    assert deal.party == party
    page = c.get(f"/customers/{party.pk}/").content.decode()
    assert f'href="/deals/{deal.pk}/"' in page


def test_bad_input_names_the_field_in_the_users_language_and_writes_nothing(
    company: Any, make_user: Any, build_pipeline: Any
) -> None:
    pipeline = build_pipeline(deals=0)
    user = make_user("root", "admin")
    party = Party.objects.order_by("id")[3]
    before = Deal.objects.count()
    for changes, field in (({"title": ""}, "deal-title"), ({"amount": "-5"}, "deal-amount"),
                           ({"amount": "1.234"}, "deal-amount"), ({"currency": "zł"}, "deal-currency"),
                           ({"expected_close": "31.02.2027"}, "deal-expected_close"),
                           ({"stage": stage(pipeline, "Won").pk}, "deal-stage")):
        response = client_for(user).post("/deals/new/", _form(pipeline, party, user, **changes))
        assert response.status_code == 422, changes
        assert f'id="{field}-error"' in response.content.decode(), changes
    unknown = client_for(user, "pl").post("/deals/new/", _form(pipeline, party, user) | {"party": "NO-SUCH-REF"})
    assert unknown.status_code == 422
    assert "Żaden klient" in unknown.content.decode()  # "No customer you may see has this reference." in Polish
    assert Deal.objects.count() == before


def test_deal_page_shows_everything_about_the_deal(company: Any, make_user: Any, build_pipeline: Any) -> None:
    from clientela.crm.commerce.models import Product
    from clientela.crm.sales import actions
    from clientela.crm.tasks.actions import create_task

    build_pipeline(deals=2)
    user = make_user("root", "admin")
    deal = Deal.objects.get(name="Deal 02")  # 2,000 PLN in Qualified (25 %)
    actions.update_deal(user, deal, expected_close=date(2027, 3, 1))
    product = Product.objects.filter(currency="PLN", is_active=True).order_by("sku").first()
    c = client_for(user)
    assert c.post(f"/deals/{deal.pk}/lines/", {"product": product.sku, "quantity": 3}).status_code == 302
    assert c.post(f"/deals/{deal.pk}/notes/", {"body": "Wants <b>delivery</b> in March"}).status_code == 302
    create_task(user, title="Send the offer", deal=deal, assignee=user, due_on=date(2027, 1, 4))
    page = c.get(f"/deals/{deal.pk}/").content.decode()
    assert 'data-testid="deal-amount">2,000.00 PLN<' in page
    assert 'data-testid="deal-probability">25' in page
    assert 'data-testid="deal-weighted">500.00 PLN<' in page
    assert 'datetime="2027-03-01"' in page
    lines = page[page.index('data-testid="deal-lines"'):page.index('data-testid="deal-line-form"')]
    assert product.name in lines and product.sku in lines and 'data-testid="deal-lines-total"' in lines
    assert "Wants &lt;b&gt;delivery&lt;/b&gt; in March" in page  # a note is data, escaped
    assert "Send the offer" in page and f'href="/tasks/new/?deal={deal.pk}" data-testid="new-task"' in page
    assert 'data-testid="deal-history"' in page and "Qualified" in page
    line = DealLine.objects.get(deal=deal)
    assert (line.quantity, line.unit_price) == (3, product.list_price)
    assert AuditEntry.objects.filter(entity="deal_line", object_id=str(line.pk), actor=user).exists()
    assert AuditEntry.objects.filter(entity="deal_note", actor=user).exists()
    assert c.post(f"/deals/lines/{line.pk}/delete/").status_code == 302
    assert not DealLine.objects.filter(pk=line.pk).exists()
    assert AuditEntry.objects.filter(entity="deal_line", object_id=str(line.pk), action="delete").exists()


def test_a_product_priced_in_another_currency_needs_a_price(company: Any, make_user: Any, build_pipeline: Any) -> None:
    from clientela.crm.commerce.models import Product

    build_pipeline(deals=1)
    deal = Deal.objects.get(name="Deal 01")
    product = Product.objects.create(sku="EUR-ONLY-1", name="Imported oven", list_price=Decimal("100"), currency="EUR")
    c = client_for(make_user("root", "admin"))
    refused = c.post(f"/deals/{deal.pk}/lines/", {"product": product.sku, "quantity": 1})
    assert refused.status_code == 422 and 'id="line-unit_price-error"' in refused.content.decode()
    assert not DealLine.objects.filter(deal=deal).exists()
    assert c.post(f"/deals/{deal.pk}/lines/", {"product": product.sku, "quantity": 2, "unit_price": "430.00"}).status_code == 302
    assert DealLine.objects.get(deal=deal).unit_price == Decimal("430.00")
    assert c.post(f"/deals/{deal.pk}/lines/", {"product": "NO-SUCH-SKU", "quantity": 1}).status_code == 422


def test_move_to_won_needs_a_reason_then_reopen(company: Any, make_user: Any, build_pipeline: Any) -> None:
    pipeline = build_pipeline(deals=3)
    user = make_user("root", "admin")
    deal = Deal.objects.get(name="Deal 03")  # Proposal
    won = stage(pipeline, "Won")
    c = client_for(user)
    refused = c.post(f"/deals/{deal.pk}/stage/", {"stage": won.pk, "version": deal.version, "reason": " "})
    assert refused.status_code == 422 and 'id="move-reason-error"' in refused.content.decode()
    deal.refresh_from_db()
    assert deal.status == "open" and deal.version == 1
    ok = c.post(f"/deals/{deal.pk}/stage/", {"stage": won.pk, "version": 1, "reason": "Best delivery time"})
    assert ok.status_code == 302
    deal.refresh_from_db()
    assert (deal.status, deal.close_reason, deal.stage) == ("won", "Best delivery time", won)
    page = c.get(f"/deals/{deal.pk}/").content.decode()
    assert "Best delivery time" in page and 'data-testid="deal-reopen"' in page
    assert c.post(f"/deals/{deal.pk}/reopen/", {"version": deal.version}).status_code == 302
    deal.refresh_from_db()
    assert (deal.status, deal.stage.name, deal.close_reason, deal.closed_at) == ("open", "Proposal", "", None)
    assert [h.to_stage.name for h in deal.stage_changes.order_by("changed_at", "id")] == ["Proposal", "Won", "Proposal"]
    stale = c.post(f"/deals/{deal.pk}/stage/", {"stage": won.pk, "version": 1, "reason": "late"})
    assert stale.status_code == 409 and 'data-testid="deal-stale"' in stale.content.decode()
    deal.refresh_from_db()
    assert deal.status == "open"


def test_lost_from_the_board_asks_for_the_reason(company: Any, make_user: Any, build_pipeline: Any) -> None:
    pipeline = build_pipeline(deals=4)
    user = make_user("root", "admin")
    deal = Deal.objects.get(name="Deal 01")
    lost, won = stage(pipeline, "Lost"), stage(pipeline, "Won")
    c = client_for(user)
    for closing in (lost, won):
        page = c.post(f"/deals/{deal.pk}/move/", {"stage": closing.pk, "version": deal.version},
                      HTTP_HX_REQUEST="true").content.decode()
        assert 'data-testid="board-error"' in page
        card = page[page.index(f'data-testid="deal-{deal.pk}"'):]
        card = card[: card.index("</li>")]
        assert '<details class="move" open>' in card  # the card's form opens, that stage chosen
        assert f'<option value="{closing.pk}" translate="no" selected>' in card
    deal.refresh_from_db()
    assert deal.status == "open" and deal.version == 1
    page = c.post(f"/deals/{deal.pk}/move/", {"stage": lost.pk, "version": 1, "reason": "No budget this year"},
                  HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="board-moved"' in page
    deal.refresh_from_db()
    assert (deal.status, deal.close_reason) == ("lost", "No budget this year")
    assert AuditEntry.objects.filter(entity="deal", object_id=str(deal.pk), field="close_reason",
                                     new="No budget this year", actor=user).exists()


def test_edit_with_the_version_check(company: Any, make_user: Any, build_pipeline: Any) -> None:
    build_pipeline(deals=1)
    user = make_user("root", "admin")
    other = make_user("other", "sales_rep")
    deal = Deal.objects.get(name="Deal 01")
    c = client_for(user)
    form = c.get(f"/deals/{deal.pk}/edit/").content.decode()
    assert 'name="version" value="1"' in form and 'value="Deal 01"' in form
    data = {"title": "Deal 01 (renewal)", "amount": "1500", "currency": "EUR", "expected_close": "2027-02-10",
            "owner": other.pk, "version": 1}
    assert c.post(f"/deals/{deal.pk}/edit/", data).status_code == 302
    deal.refresh_from_db()
    assert (deal.name, deal.amount, deal.currency, deal.owner, deal.version) == (
        "Deal 01 (renewal)", Decimal("1500.00"), "EUR", other, 2)
    stale = c.post(f"/deals/{deal.pk}/edit/", data | {"title": "Overwrite", "version": 1})
    assert stale.status_code == 409 and 'data-testid="deal-stale"' in stale.content.decode()
    assert 'value="Deal 01 (renewal)"' in stale.content.decode()  # the form shows the deal as it is now
    bad = c.post(f"/deals/{deal.pk}/edit/", data | {"amount": "abc", "version": 2})
    assert bad.status_code == 422 and 'id="deal-amount-error"' in bad.content.decode()
    deal.refresh_from_db()
    assert deal.name == "Deal 01 (renewal)" and deal.version == 2


def _cards(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-deal-id="(\d+)"', html)]


def test_every_deal_of_a_column_loads_a_page_at_a_time(company: Any, make_user: Any, build_pipeline: Any) -> None:
    from clientela.crm.sales.actions import create_deal

    pipeline = build_pipeline(deals=0)
    lead = stage(pipeline, "Lead")
    parties = list(Party.objects.order_by("id")[:70])
    for i, party in enumerate(parties):
        create_deal(None, party=party, name=f"Many {i}", pipeline=pipeline, stage=lead, amount=10)
    c = client_for(make_user("root", "admin"))
    page = c.get(f"/pipeline/{pipeline.pk}/").content.decode()
    seen = _cards(page)
    assert len(seen) == 30 and "and 40 more" not in page
    for expected_left in (40, 10):
        url = re.search(rf'data-testid="more-{lead.pk}" hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
        assert f"left={expected_left}" in url
        page = c.get(url, HTTP_HX_REQUEST="true").content.decode()
        seen += _cards(page)
    assert f'data-testid="more-{lead.pk}"' not in page  # the last page has no button
    assert len(seen) == 70 and set(seen) == set(Deal.objects.filter(pipeline=pipeline).values_list("id", flat=True))
    assert c.get(f"/pipeline/{pipeline.pk}/stages/{lead.pk}/cards/?after=garbage").status_code == 404


def test_filters_by_owner_team_and_close_month(company: Any, make_user: Any, build_pipeline: Any) -> None:
    from clientela.crm.accounts.models import Team

    north = Team.objects.create(name="North")
    ann = make_user("ann", "sales_rep", team=north)
    bob = make_user("bob", "sales_rep")
    pipeline = build_pipeline(deals=6)
    deals = list(Deal.objects.filter(pipeline=pipeline).order_by("name"))
    Deal.objects.filter(pk__in=[deals[0].pk, deals[1].pk]).update(owner=ann, team=north)
    Deal.objects.filter(pk=deals[2].pk).update(owner=bob, expected_close=date(2027, 5, 20))
    Deal.objects.filter(pk=deals[1].pk).update(expected_close=date(2027, 5, 1))
    c = client_for(make_user("root", "admin"))
    page = c.get(f"/pipeline/{pipeline.pk}/")
    assert 'id="f-owner"' in page.content.decode() and "North" in page.content.decode()
    assert sorted(_cards(c.get(f"/pipeline/{pipeline.pk}/?owner={ann.pk}").content.decode())) == [deals[0].pk, deals[1].pk]
    assert sorted(_cards(c.get(f"/pipeline/{pipeline.pk}/?team={north.pk}").content.decode())) == [deals[0].pk, deals[1].pk]
    assert sorted(_cards(c.get(f"/pipeline/{pipeline.pk}/?month=2027-05").content.decode())) == [deals[1].pk, deals[2].pk]
    assert _cards(c.get(f"/pipeline/{pipeline.pk}/?month=2027-05&owner={bob.pk}").content.decode()) == [deals[2].pk]
    htmx = c.get(f"/pipeline/{pipeline.pk}/?owner={bob.pk}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="board")
    assert htmx.content.decode().lstrip().startswith('<div id="board"')
    assert len(_cards(c.get(f"/pipeline/{pipeline.pk}/?month=2027-13&owner=x").content.decode())) == 6  # ignored
    # a move from a filtered board redraws the filtered board
    moved = c.post(f"/deals/{deals[2].pk}/move/", {"stage": stage(pipeline, "Proposal").pk},
                   HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver/pipeline/{pipeline.pk}/?owner={bob.pk}")
    assert _cards(moved.content.decode()) == [deals[2].pk]


def test_weighted_forecast_by_close_month_matches_a_hand_computation(
    company: Any, make_user: Any, build_pipeline: Any
) -> None:
    from clientela.crm.commerce.models import ExchangeRate
    from clientela.crm.sales.actions import create_deal, win_deal

    pipeline = build_pipeline(deals=0)
    today = timezone.localdate()
    ExchangeRate.objects.filter(currency="EUR").delete()
    ExchangeRate.objects.create(date=today - timedelta(days=3), currency="EUR", rate=Decimal("4.25"))
    ExchangeRate.objects.filter(currency="CHF").delete()
    party = Party.objects.order_by("id").first()

    def deal(amount: str, currency: str, stage_name: str, close: date | None) -> Deal:
        return create_deal(None, party=party, name="f", pipeline=pipeline, stage=stage(pipeline, stage_name),
                           amount=Decimal(amount), currency=currency, expected_close=close)

    deal("1000.00", "PLN", "Lead", date(2027, 1, 5))          # 1000 × 0.10 = 100.00
    deal("2000.00", "PLN", "Proposal", date(2027, 1, 31))     # 2000 × 0.50 = 1000.00
    deal("120.00", "EUR", "Negotiation", date(2027, 1, 10))   # 120 × 4.25 = 510 × 0.75 = 382.50
    deal("333.33", "PLN", "Qualified", date(2027, 2, 1))      # 333.33 × 0.25 = 83.3325 → 83.33
    deal("500.00", "PLN", "Proposal", None)                   # 250.00, no close date
    deal("80.00", "CHF", "Proposal", date(2027, 2, 14))       # no CHF rate: 40.00 CHF apart
    win_deal(None, deal("9999.00", "PLN", "Lead", date(2027, 1, 9)), reason="signed")  # won: not forecast
    c = client_for(make_user("root", "admin"))
    page = c.get(f"/pipeline/{pipeline.pk}/").content.decode().replace("\xa0", " ")

    def weighted(row: str) -> str:
        html = page[page.index(f'data-testid="forecast-{row}"'):]
        return re.search(r'data-testid="forecast-weighted">([^<]+)<', html).group(1)

    from clientela.web.board import BoardFilters, forecast

    rows = {m.month: m for m in forecast(make_user("root2", "admin"), pipeline, BoardFilters())}
    assert list(rows) == [date(2027, 1, 1), date(2027, 2, 1), None]
    january, february, undated = rows.values()
    assert (january.deals, january.amount, january.weighted) == (3, Decimal("3510.00"), Decimal("1482.50"))
    assert (february.deals, february.weighted, february.unconverted) == (2, Decimal("83.33"), {"CHF": Decimal("40.00")})
    assert (undated.deals, undated.weighted) == (1, Decimal("250.00"))
    # the page shows them in whole units, like the stage totals
    assert weighted("2027-01") == "1,482 PLN"  # 100 + 1000 + 382.50
    assert weighted("2027-02") == "83 PLN + "  # then the CHF part, apart
    assert "40 CHF" in page[page.index('data-testid="forecast-2027-02"'):page.index('data-testid="forecast-none"')]
    assert weighted("none") == "250 PLN"
    total = re.search(r'data-testid="forecast-total">([^<]+)<', page).group(1)
    assert total == "1,816 PLN"  # 1482.50 + 83.33 + 250.00 = 1815.83
    assert list(rows)[-1] is None
    # The table's export (web/report_tables): the same figures, the CHF part in its cell.
    exported = c.get(f"/tables/pipeline/forecast.csv?pipeline={pipeline.pk}").content.decode().replace("\xa0", " ")
    assert "83 PLN + 40 CHF" in exported and exported.rstrip().endswith(",\"1,816 PLN\"")


def test_board_and_deal_page_queries_do_not_grow(
    company: Any, make_user: Any, build_pipeline: Any, django_assert_max_num_queries: Any
) -> None:
    from clientela.crm.commerce.models import Product
    from clientela.crm.sales import actions
    from clientela.crm.tasks.actions import create_task

    pipeline = build_pipeline(deals=120)
    user = make_user("root", "admin")
    c = client_for(user)
    with django_assert_max_num_queries(20):
        page = c.get(f"/pipeline/{pipeline.pk}/").content.decode()
    assert len(_cards(page)) == 120  # 30 per open stage
    lead = stage(pipeline, "Lead")
    cursor = re.search(rf'data-testid="more-{lead.pk}"', page)
    assert cursor is None  # 30 deals in Lead: all on the page
    deal = Deal.objects.get(name="Deal 01")
    with django_assert_max_num_queries(20) as few:
        c.get(f"/deals/{deal.pk}/")
    products = list(Product.objects.filter(currency="PLN", is_active=True)[:8])
    for i, product in enumerate(products):
        actions.add_deal_line(user, deal, product=product, quantity=i + 1)
        actions.add_deal_note(user, deal, body=f"note {i}")
        create_task(None, title=f"task {i}", deal=deal, assignee=make_user(f"u{i}", "sales_rep"))
        deal = actions.move_deal(user, deal, stage(pipeline, ["Qualified", "Lead"][i % 2]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = c.get(f"/deals/{deal.pk}/").content.decode()
    assert page.count("note ") >= 8 and page.count("task ") >= 8
    assert DealNote.objects.filter(deal=deal).count() == 8


@pytest.mark.parametrize("lang", ["pl", "ru"])
def test_deal_pages_have_no_untranslated_string(
    lang: str, company: Any, make_user: Any, build_pipeline: Any
) -> None:
    """The deal page (open and won, with a product, a note, a task and an error), the new
    and edit forms (with errors) and the board (filters, forecast, load more) in Polish
    and Russian, by the checker of ``test_i18n``."""
    from clientela.crm.commerce.models import Product
    from clientela.crm.sales import actions
    from clientela.crm.tasks.actions import create_task
    from web.test_i18n import catalogue, untranslated

    pipeline = build_pipeline(deals=40)
    user = make_user("root", "admin")
    deal = Deal.objects.get(name="Deal 01")
    actions.add_deal_line(user, deal, product=Product.objects.filter(currency="PLN").first(), quantity=2)
    actions.add_deal_note(user, deal, body="Call back after the fair")
    create_task(user, title="Send the offer", deal=deal, assignee=user)
    won = Deal.objects.get(name="Deal 02")
    actions.move_deal(user, won, stage(pipeline, "Won"), reason="Price")
    party = Party.objects.order_by("id").first()
    translations = set(catalogue(lang).values())
    problems = {}
    requests: list[tuple[str, str, dict[str, Any] | None]] = [
        ("get", f"/deals/{deal.pk}/", None), ("get", f"/deals/{won.pk}/", None),
        ("get", f"/deals/new/?pipeline={pipeline.pk}", None), ("get", f"/deals/new/?party={party.pk}", None),
        ("get", f"/deals/{deal.pk}/edit/", None), ("get", f"/pipeline/{pipeline.pk}/", None),
        ("post", "/deals/new/", {"title": "", "party": "nobody", "amount": "-1", "currency": "x",
                                 "pipeline": pipeline.pk, "stage": stage(pipeline, "Lead").pk}),
        ("post", f"/deals/{deal.pk}/stage/", {"stage": stage(pipeline, "Lost").pk, "version": deal.version}),
        ("post", f"/deals/{deal.pk}/edit/", {"title": "x", "amount": "1", "currency": "PLN", "version": 99}),
    ]
    for method, path, data in requests:
        english, other = client_for(user, "en"), client_for(user, lang)
        en = getattr(english, method)(path, data).content.decode() if data else english.get(path).content.decode()
        xx = getattr(other, method)(path, data).content.decode() if data else other.get(path).content.decode()
        assert f'<html lang="{lang}">' in xx
        left = untranslated(en, xx, translations)
        if left:
            problems[f"{method} {path}"] = left
    assert not problems, f"untranslated in {lang}: {problems}"


def test_garbage_in_addresses_and_forms_is_never_a_500(company: Any, make_user: Any, build_pipeline: Any) -> None:
    pipeline = build_pipeline(deals=2)
    deal = Deal.objects.get(name="Deal 01")
    lead = stage(pipeline, "Lead")
    c = client_for(make_user("root", "admin"))
    huge = "9" * 30
    for path in (f"/deals/{huge}/", f"/deals/{huge}/edit/", f"/deals/new/?party={huge}", f"/deals/new/?pipeline={huge}",
                 f"/pipeline/{pipeline.pk}/?owner={huge}&team={huge}&month=0000-00",
                 f"/pipeline/{pipeline.pk}/stages/{lead.pk}/cards/?after=2026-13-45T99:00:00_{huge}&left={huge}",
                 f"/pipeline/{pipeline.pk}/stages/{lead.pk}/cards/?after=2026-01-01T00:00:00_1&owner=-1",
                 "/deals/parties/?party=%00%00"):
        assert c.get(path).status_code in (200, 404), path
    for path, data in ((f"/deals/{deal.pk}/stage/", {"stage": huge, "version": huge}),
                       (f"/deals/{deal.pk}/move/", {"stage": huge}),
                       (f"/deals/{deal.pk}/lines/", {"product": "x" * 500, "quantity": huge, "unit_price": "NaN"}),
                       (f"/deals/{deal.pk}/edit/", {"title": "t", "amount": "Infinity", "currency": "PLN", "version": huge}),
                       ("/deals/new/", {"title": "t", "party": huge, "pipeline": huge, "stage": huge, "amount": "1e400",
                                        "currency": "PLN", "owner": huge})):
        assert c.post(path, data).status_code in (302, 403, 404, 409, 422), path
    deal.refresh_from_db()
    assert deal.version == 1 and deal.name == "Deal 01"
