"""The demo company's loyalty programme (issue 16, item 6): members with a ledger that adds
up, tiers reached, vouchers redeemed, and nothing left for the points sweep to do."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum

from clientela.crm.loyalty.earning import credit_all
from clientela.crm.loyalty.models import LoyaltyAccount, PointsEntry, Programme, Redemption
from clientela.crm.loyalty.queries import current_tier
from clientela.crm.parties.models import Party

pytestmark = pytest.mark.django_db


def test_members_ledgers_and_tiers(small_company: dict[str, Any]) -> None:
    programme = Programme.objects.get(name="Klub Stałego Klienta")
    accounts = list(LoyaltyAccount.objects.filter(programme=programme).select_related("programme"))
    customers = Party.objects.filter(is_customer=True).count()
    assert 0.2 * customers < len(accounts) < 0.6 * customers
    sums = dict(PointsEntry.objects.values("account_id").annotate(s=Sum("points")).values_list("account_id", "s"))
    assert all(a.balance == sums.get(a.pk, 0) >= 0 for a in accounts)
    assert small_company["loyalty_members"] == len(accounts)
    assert Redemption.objects.filter(account__programme=programme).exists()
    assert any(current_tier(a) is not None for a in accounts)
    assert credit_all(None) == {"earned": 0, "taken_back": 0}  # every paid order already earned
