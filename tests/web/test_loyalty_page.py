"""The loyalty page (issue 16, item 4): programmes with their earn rule, expiry, tiers and
members, and members against the other scored customers, CLV only for roles that see it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clientela.crm.loyalty import actions as loyalty
from clientela.crm.parties.models import Party
from clientela.crm.scoring.models import CustomerScore, ModelRun

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)


def client_for(user: Any, lang: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


@pytest.fixture
def programme() -> Any:
    run = ModelRun.objects.create(started_at=T0, status="succeeded", is_current=True, model_name="bgnbd",
                                  observation_end=date(2026, 11, 1), summary={"currency": "PLN"})
    programme = loyalty.create_programme(None, name="Klub", points_per_unit="0.5")
    programme.points_valid_days = 365
    programme.save(update_fields=["points_valid_days"])
    loyalty.add_tier(None, programme, name="Srebrny", threshold=100)
    for i in range(6):
        party = Party.objects.create(ref=f"P{i}", name=f"Klient {i}", is_customer=True)
        member = i < 2
        CustomerScore.objects.create(run=run, party=party, clv=Decimal("300" if member else "100"),
                                     p_alive=0.9 if member else 0.5, expected_purchases_365=2.0 if member else 1.0)
        if member:
            account = loyalty.open_account(None, party, programme)
            loyalty.earn(None, account, 40, at=T0)
    supplier = Party.objects.create(ref="S", name="Dostawca", is_supplier=True)
    CustomerScore.objects.create(run=run, party=supplier, clv=Decimal("99999"), p_alive=1.0)
    return programme


def test_programmes_and_the_comparison(programme: Any, make_user: Any) -> None:
    page = client_for(make_user("mk", "marketer")).get("/loyalty/").content.decode()
    assert "0.50 points per 1 PLN spent, rounded down" in page
    assert "after 365 days, oldest first" in page and "Srebrny" in page
    assert re.search(r'data-testid="members">2<', page)
    table = page.split('data-testid="comparison"')[1].split("</table>")[0]
    cells = re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]*)</td><td class="num">([^<]*)</td>', table)
    rows = {label: (a, b) for label, a, b in cells}
    assert rows["Customers"] == ("2", "4")  # the supplier is not a customer
    assert rows["Mean CLV"] == ("300\u00a0PLN", "100\u00a0PLN")
    assert rows["Mean P(alive)"] == ("90.0\u00a0%", "50.0\u00a0%")
    assert "An association, not an effect" in page


def test_roles_and_language(programme: Any, make_user: Any) -> None:
    from clientela.crm.accounts.models import Team

    team = Team.objects.create(name="Obsługa")
    Party.objects.update(team=team)
    agent_page = client_for(make_user("sa", "service_agent", team), "pl").get("/loyalty/").content.decode()
    assert "Programy lojalnościowe" in agent_page and 'data-testid="comparison-clv"' not in agent_page
    assert 'data-testid="menu-loyalty"' in agent_page
    assert "po 365 dniach, najstarsze najpierw" in agent_page


def test_the_page_is_translated(programme: Any, make_user: Any) -> None:
    from web.test_i18n import catalogue, untranslated

    user = make_user("mk", "marketer")
    for lang in ("pl", "ru"):
        en = client_for(user, "en").get("/loyalty/").content.decode()
        xx = client_for(user, lang).get("/loyalty/").content.decode()
        assert not untranslated(en, xx, set(catalogue(lang).values())), lang


def test_a_marketer_sets_up_a_programme_and_its_tiers(make_user: Any) -> None:
    from clientela.crm.audit.models import AuditEntry
    from clientela.crm.loyalty.models import Programme

    marketer = make_user("mk", "marketer")
    c = client_for(marketer, "pl")
    assert 'data-testid="programme-new"' in c.get("/loyalty/").content.decode()
    bad = c.post("/loyalty/new/", {"name": "", "points_per_unit": "-1", "points_valid_days": "0",
                                   "referral_points": "0", "currency": "PLN"})
    assert bad.status_code == 422
    assert "Nadaj programowi nazwę." in bad.content.decode() and "Zasada naliczania nie może być ujemna." in bad.content.decode()
    assert not Programme.objects.exists()
    ok = c.post("/loyalty/new/", {"name": "Klub", "points_per_unit": "2", "points_valid_days": "730",
                                  "referral_points": "100", "currency": "PLN"})
    assert ok.status_code == 302
    programme = Programme.objects.get()
    assert (programme.points_per_unit, programme.points_valid_days, programme.referral_points) == (2, 730, 100)
    c.post(f"/loyalty/{programme.pk}/tiers/", {"name": "Złoty", "threshold": "5000"})
    again = c.post(f"/loyalty/{programme.pk}/tiers/", {"name": "Inny", "threshold": "5000"}, follow=True)
    assert "Program ma już poziom z tym progiem." in again.content.decode()
    assert list(programme.tiers.values_list("name", flat=True)) == ["Złoty"]
    c.post(f"/loyalty/{programme.pk}/edit/", {"name": "Klub", "points_per_unit": "1.5", "points_valid_days": "0",
                                              "referral_points": "100"})  # active unticked: paused
    programme.refresh_from_db()
    assert programme.points_per_unit == Decimal("1.5") and not programme.is_active
    fields = set(AuditEntry.objects.filter(entity="programme", actor_id=marketer.pk).values_list("field", flat=True))
    assert {"points_per_unit", "is_active"} <= fields
    # a sales rep reads the programmes but does not configure them
    rep = client_for(make_user("rep", "sales_rep"))
    assert rep.get("/loyalty/new/").status_code == 403
    assert rep.post(f"/loyalty/{programme.pk}/edit/", {"name": "X"}).status_code == 403
    assert rep.post(f"/loyalty/{programme.pk}/tiers/", {"name": "X", "threshold": "1"}).status_code == 403
