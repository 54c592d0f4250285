"""Points follow the orders (issue 16, item 4): stored orders earn once, returned and
cancelled ones give their points back once, old points expire oldest first, and under any
sequence of orders, returns, redemptions and expiries every balance equals its ledger and
never goes below zero; an imported order earns exactly once however often it is imported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.cli.main import main
from clientela.crm.commerce.actions import create_order, update_order
from clientela.crm.commerce.models import Order, Product
from clientela.crm.loyalty import actions as loyalty
from clientela.crm.loyalty.earning import credit_all, expire_points
from clientela.crm.loyalty.models import LoyaltyAccount, PointsEntry
from clientela.crm.parties.models import Party

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)


def _member(ref: str = "M1", valid_days: int = 0) -> tuple[Party, LoyaltyAccount, Product]:
    party = Party.objects.create(ref=ref, name=f"Member {ref}", is_customer=True)
    product = Product.objects.get_or_create(sku="SKU-1", defaults={"name": "Kubek", "list_price": Decimal("10"),
                                                                     "unit_cost": Decimal("4")})[0]
    programme = loyalty.create_programme(None, name=f"Klub {ref}", points_per_unit=1)
    if valid_days:
        programme.points_valid_days = valid_days
        programme.save(update_fields=["points_valid_days"])
    account = loyalty.open_account(None, party, programme)
    LoyaltyAccount.objects.filter(pk=account.pk).update(opened_at=T0 - timedelta(days=1))
    account.refresh_from_db()
    return party, account, product


def _order(party: Party, product: Product, ref: str, qty: int, *, at: datetime, status: str = "completed") -> Order:
    return create_order(None, party, {"ref": ref, "ordered_at": at, "currency": "PLN", "status": status},
                        [{"product_id": product.pk, "quantity": qty}])


def _check(account: LoyaltyAccount) -> None:
    account.refresh_from_db()
    ledger = PointsEntry.objects.filter(account=account).aggregate(s=Sum("points"))["s"] or 0
    assert account.balance == ledger >= 0
    per_order = (PointsEntry.objects.filter(account=account, order__isnull=False).values("order", "kind")
                 .annotate(n=Count("id")))
    assert all(row["n"] == 1 for row in per_order), list(per_order)


def test_a_stored_order_earns_at_once_and_a_return_gives_the_points_back() -> None:
    party, account, product = _member()
    order = _order(party, product, "Z-1", 3, at=T0)  # 30 PLN -> 30 points
    account.refresh_from_db()
    assert account.balance == 30 and account.lifetime_points == 30
    update_order(None, order, {"status": "returned"})
    account.refresh_from_db()
    assert account.balance == 0
    credit_all(None)  # the schedule finds nothing more to do
    update_order(None, order, {"status": "returned", "channel": "store"})
    _check(account)
    assert PointsEntry.objects.filter(account=account).count() == 2


def test_points_spent_before_the_return_are_not_taken_twice() -> None:
    party, account, product = _member()
    order = _order(party, product, "Z-1", 5, at=T0)  # 50 points
    loyalty.redeem(None, account, 45, reward="Kupon")
    update_order(None, order, {"status": "returned"})
    account.refresh_from_db()
    assert account.balance == 0  # 5 taken back, not 50
    _check(account)


def test_points_expire_oldest_first_once() -> None:
    party, account, product = _member(valid_days=365)
    _order(party, product, "Z-1", 10, at=T0)  # 100 points, old
    _order(party, product, "Z-2", 4, at=T0 + timedelta(days=300))  # 40 points, newer
    loyalty.redeem(None, account, 30, reward="Kupon", at=T0 + timedelta(days=310))
    now = T0 + timedelta(days=400)
    assert expire_points(None, now) == {"accounts": 1, "points": 70}  # 100 old − 30 spent
    assert expire_points(None, now) == {"accounts": 0, "points": 0}
    account.refresh_from_db()
    assert account.balance == 40
    _check(account)


OPERATIONS = st.lists(st.one_of(
    st.tuples(st.just("order"), st.integers(1, 20), st.sampled_from(["completed", "paid", "placed"])),
    st.tuples(st.just("status"), st.integers(0, 30), st.sampled_from(["returned", "cancelled", "completed"])),
    st.tuples(st.just("redeem"), st.integers(1, 150), st.just("")),
    st.tuples(st.just("expire"), st.integers(1, 200), st.just("")),
    st.tuples(st.just("sweep"), st.just(0), st.just("")),
), max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_every_balance_equals_its_ledger_and_never_goes_negative(operations: list[tuple[str, int, str]]) -> None:
    with transaction.atomic():
        party, account, product = _member("H", valid_days=90)
        orders: list[Order] = []
        day = T0
        for kind, n, status in operations:
            if kind == "order":
                day += timedelta(days=1)
                orders.append(_order(party, product, f"H-{len(orders)}", n, at=day, status=status))
            elif kind == "status" and orders:
                update_order(None, orders[n % len(orders)], {"status": status})
            elif kind == "redeem":
                try:
                    loyalty.redeem(None, account, n, reward="Nagroda", at=day)
                except loyalty.LoyaltyError:
                    pass  # the balance was short: refused, nothing written
            elif kind == "expire":
                day += timedelta(days=n)
                expire_points(None, day)
            elif kind == "sweep":
                credit_all(None)
            _check(account)
        transaction.set_rollback(True)


def test_an_imported_order_earns_once_however_often_it_is_imported(tmp_path: Path) -> None:
    party, account, product = _member("IMP")
    orders = tmp_path / "orders.csv"
    orders.write_text("order_ref,customer_ref,ordered_at,sku,quantity,unit_price,currency\n"
                      "I-1,IMP,2026-02-01,SKU-1,2,10.00,PLN\n"
                      "I-2,IMP,2026-02-03,SKU-1,1,25.00,PLN\n", encoding="utf-8")
    for _ in range(2):
        result = CliRunner().invoke(main, ["import", "orders", str(orders)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        credit_all(None)
    account.refresh_from_db()
    assert account.balance == 45 and PointsEntry.objects.filter(account=account, kind="earn").count() == 2
    _check(account)
