"""The next best action's reason (issue 12 item 7; issue 20 F2, F3).

A sentence in the reader's language naming the product, built from the score's figures
when it is shown, with only the figures the reader's role may see: a role that may not
see CLV never reads one in a reason, a sales representative (margin hidden) never reads
a net contribution or past revenue, on the 360 page or through the API.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import Team, User
from clientela.crm.commerce.models import Product
from clientela.crm.parties.models import Party
from clientela.crm.scoring.models import CustomerScore, ModelRun
from clientela.crm.scoring.reasons import reason_for

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
# The stored English reason of an older run: it quotes every figure and is never shown.
STORED = "unprofitable in consecutive periods; net contribution -155 PLN; past value 1,352 PLN; CLV 52 PLN"


@pytest.fixture
def world() -> dict[str, Any]:
    team = Team.objects.create(name="North")
    users = {role: User.objects.create_user(username=role, password="pw-long-enough", role=role, team=team)
             for role in ("admin", "sales_rep", "service_agent", "read_only", "analyst")}
    Product.objects.create(sku="ELE-0007", name="Action camera Tatra 4K", list_price=Decimal("899"))
    Product.objects.create(sku="ELE-0001", name="Bike helmet Rysy", list_price=Decimal("199"))
    run = ModelRun.objects.create(started_at=T0, status="succeeded", is_current=True, summary={"currency": "PLN"})
    parties = {}
    for action, extra in {
        "develop": {"nba_product_sku": "ELE-0007", "nba_because_sku": "ELE-0001", "nba_lift": 19.6},
        "managed_exit": {},
        "win_back": {},
        "retain": {"p_alive_previous": 0.81},
    }.items():
        party = Party.objects.create(ref=f"C-{action}", name=f"Customer {action}", owner=users["sales_rep"],
                                     team=team, is_customer=True)
        CustomerScore.objects.create(
            run=run, party=party, owner=users["sales_rep"], team=team, p_alive=0.42, clv=Decimal("5234.70"),
            revenue=Decimal("1352.00"), net_contribution=Decimal("-155.00"), next_best_action=action,
            nba_reason=STORED, **extra,
        )
        parties[action] = party
    return {"users": users, "parties": parties, "run": run}


def _score(world: dict[str, Any], action: str) -> CustomerScore:
    return CustomerScore.objects.select_related("party", "run").get(party=world["parties"][action])


def test_the_add_on_reason_names_the_product_in_the_readers_language(world: dict[str, Any]) -> None:
    score, admin = _score(world, "develop"), world["users"]["admin"]
    names = {"ELE-0007": "Action camera Tatra 4K", "ELE-0001": "Bike helmet Rysy"}
    english = reason_for(admin, score, currency="PLN", names=names)
    assert english.startswith("Suggest: Action camera Tatra 4K — customers who bought Bike helmet Rysy buy it 19.6× more often")
    assert "ELE-0007" not in english and "lift" not in english
    with translation.override("pl"):
        polish = reason_for(admin, score, currency="PLN", names=names)
    assert "Action camera Tatra 4K" in polish and "19,6" in polish and "Suggest" not in polish
    with translation.override("ru"):
        russian = reason_for(admin, score, currency="PLN", names=names)
    assert "Action camera Tatra 4K" in russian and "19,6" in russian and "Suggest" not in russian


@pytest.mark.parametrize("role", ["read_only", "service_agent"])
@pytest.mark.parametrize("action", ["develop", "managed_exit", "win_back", "retain"])
def test_roles_without_clv_never_read_it_on_the_360(world: dict[str, Any], role: str, action: str) -> None:
    client = Client()
    client.force_login(world["users"][role])
    page = client.get(f"/customers/{world['parties'][action].pk}/").content.decode()
    reason = page.split('data-testid="customer-nba-reason"', 1)[1].split("</p>", 1)[0]
    for figure in ("CLV", "5,234", "5 234", "5\u00a0234", "-155", "1,352", "1\u00a0352", "contribution", "revenue"):
        assert figure not in reason, (role, action, reason)


@pytest.mark.parametrize("action", ["managed_exit", "win_back"])
def test_a_sales_rep_never_reads_margin_or_revenue_in_a_reason(world: dict[str, Any], action: str) -> None:
    rep = world["users"]["sales_rep"]
    party = world["parties"][action]
    _, token = create_token(rep, name="t")
    api = Client()
    for path in (f"/api/v1/parties/{party.pk}/score", f"/api/v1/scores?party_id={party.pk}"):
        body = json.loads(api.get(path, HTTP_AUTHORIZATION=f"Bearer {token}").content)
        item = body["items"][0] if "items" in body else body
        assert item["net_contribution"] is None and item["revenue"] is None
        assert "155" not in item["nba_reason"] and "1,352" not in item["nba_reason"], item["nba_reason"]
        assert "CLV 5,235\u00a0PLN" in item["nba_reason"]  # CLV the representative may see
    client = Client()
    client.force_login(rep)
    page = client.get(f"/customers/{party.pk}/").content.decode()
    reason = page.split('data-testid="customer-nba-reason"', 1)[1].split("</p>", 1)[0]
    assert "155" not in reason and "1,352" not in reason and "contribution" not in reason


def test_an_administrator_reads_every_figure(world: dict[str, Any]) -> None:
    admin = world["users"]["admin"]
    text = reason_for(admin, _score(world, "managed_exit"), currency="PLN")
    assert "net contribution -155\u00a0PLN" in text and "CLV 5,235\u00a0PLN" in text
    assert "past revenue 1,352\u00a0PLN" in reason_for(admin, _score(world, "win_back"), currency="PLN")
    assert "fell from 81\u00a0% to 42\u00a0%" in reason_for(admin, _score(world, "retain"), currency="PLN")
