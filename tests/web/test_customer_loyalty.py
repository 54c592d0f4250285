"""The 360's loyalty and referrals card (issue 16, items 4 and 5): balance, tier and the
latest ledger entries; who referred the customer and whom it referred; its referral value
(the current run's CLV of the customers it referred) for roles that see CLV only."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clientela.crm.accounts.models import Team
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
def world() -> dict[str, Any]:
    anna = Party.objects.create(ref="A", name="Anna Referrer", is_customer=True)
    friends = [Party.objects.create(ref=f"F{i}", name=f"Friend {i}", is_customer=True, referred_by=anna,
                                    acquired_at=T0) for i in range(3)]
    stranger = Party.objects.create(ref="S", name="Stranger", is_customer=True)
    run = ModelRun.objects.create(started_at=T0, status="succeeded", is_current=True, model_name="bgnbd",
                                  observation_end=date(2026, 11, 1), summary={"currency": "PLN"})
    for party, clv in ((anna, "500"), (friends[0], "120.50"), (friends[1], "79.50"), (friends[2], "300"),
                       (stranger, "999")):
        CustomerScore.objects.create(run=run, party=party, clv=Decimal(clv), p_alive=0.5)
    programme = loyalty.create_programme(None, name="Klub Stałego Klienta", points_per_unit=1)
    loyalty.add_tier(None, programme, name="Srebrny", threshold=100)
    loyalty.add_tier(None, programme, name="Złoty", threshold=1000)
    account = loyalty.open_account(None, anna, programme)
    loyalty.earn(None, account, 250, reason="zamówienie Z-1", at=T0)
    loyalty.redeem(None, account, 40, reward="Kupon 20 zł", at=T0)
    return {"anna": anna, "friends": friends, "stranger": stranger, "programme": programme}


def test_balance_tier_and_ledger_on_the_360(world: dict[str, Any], make_user: Any) -> None:
    page = client_for(make_user("root", "admin"), "pl").get(f"/customers/{world['anna'].pk}/").content.decode()
    card = re.search(r'data-testid="loyalty-card">.*?</section>', page, re.S).group(0)
    assert "Klub Stałego Klienta" in card and 'data-testid="loyalty-tier">Srebrny<' in card
    assert "210 pkt (zdobyte łącznie: 250)" in re.sub(r"\s+", " ", card)
    assert "Zdobyte" in card and "Wykorzystane" in card  # the ledger's kinds, translated
    assert "Polecił(a) 3 klientów:" in card


def test_referrals_and_referral_value(world: dict[str, Any], make_user: Any) -> None:
    anna, friends = world["anna"], world["friends"]
    analyst = make_user("an", "analyst")
    page = client_for(analyst).get(f"/customers/{anna.pk}/").content.decode()
    referred = re.findall(r'<li><a href="/customers/(\d+)/" translate="no">', page.split('data-testid="referred"')[1].split("</ul>")[0])
    assert [int(i) for i in referred] == [f.pk for f in friends]
    value = re.search(r'data-testid="referral-value">.*?<strong>([^<]*)</strong>', page, re.S).group(1)
    assert value.replace("\u00a0", " ").replace(",", "") == "500 PLN"  # 120.50 + 79.50 + 300
    friend_page = client_for(analyst).get(f"/customers/{friends[0].pk}/").content.decode()
    assert re.search(rf'data-testid="referred-by">Referred by <a href="/customers/{anna.pk}/"', friend_page)
    # no CLV for a service agent of the customers' team: the referrals, not their value
    team = Team.objects.create(name="Obsługa")
    Party.objects.filter(pk__in=[anna.pk, *(f.pk for f in friends)]).update(team=team)
    agent = make_user("sa", "service_agent", team)
    agent_page = client_for(agent).get(f"/customers/{anna.pk}/").content.decode()
    assert 'data-testid="referred"' in agent_page and 'data-testid="referral-value"' not in agent_page
    # a customer who referred nobody and has no account shows no card
    assert 'data-testid="loyalty-card"' not in client_for(analyst).get(
        f"/customers/{world['stranger'].pk}/").content.decode()


def test_the_card_reads_in_a_fixed_number_of_queries(world: dict[str, Any], make_user: Any) -> None:
    c = client_for(make_user("root", "admin"))
    anna = world["anna"]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(f"/customers/{anna.pk}/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    account = anna.loyalty_accounts.get()
    for i in range(5):
        loyalty.earn(None, account, 10, reason=f"o{i}", at=T0)
    for i in range(5):
        Party.objects.create(ref=f"G{i}", name=f"More {i}", is_customer=True, referred_by=anna, acquired_at=T0)
    assert count() == few


def test_points_are_redeemed_from_the_360(world: dict[str, Any], make_user: Any) -> None:
    from clientela.crm.audit.models import AuditEntry

    anna = world["anna"]
    account = anna.loyalty_accounts.get()
    manager = make_user("mg", "admin")
    c = client_for(manager, "pl")
    assert 'data-testid="redeem-form"' in c.get(f"/customers/{anna.pk}/").content.decode()
    short = c.post(f"/loyalty/accounts/{account.pk}/redeem/", {"reward": "Rower", "points": "5000"}, follow=True)
    assert "Konto ma 210 pkt; to za mało." in short.content.decode()
    done = c.post(f"/loyalty/accounts/{account.pk}/redeem/", {"reward": "Kubek", "points": "60"}, follow=True)
    assert "Wykorzystano 60 pkt na: Kubek." in done.content.decode()
    account.refresh_from_db()
    assert account.balance == 150
    assert AuditEntry.objects.filter(actor_id=manager.pk, entity__in=("points_entry", "loyalty_entry")).exists()
    # a read-only user may not redeem
    ro = make_user("ro", "read_only")
    assert client_for(ro).post(f"/loyalty/accounts/{account.pk}/redeem/", {"reward": "X", "points": "1"}).status_code in (403, 404)
    account.refresh_from_db()
    assert account.balance == 150
