"""Loyalty: the ledger stays equal to the balance and never goes negative, whatever happens."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from clientela.crm.audit.models import AuditEntry
from clientela.crm.commerce.models import Order
from clientela.crm.loyalty import actions, queries
from clientela.crm.loyalty.actions import LoyaltyError
from clientela.crm.loyalty.models import LoyaltyAccount, PointsEntry, Redemption, Referral
from clientela.crm.parties.models import Party

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _account(ref: str = "L1") -> LoyaltyAccount:
    party = Party.objects.create(ref=ref, name=f"Member {ref}")
    programme = actions.create_programme(None, name=f"Club {ref}", points_per_unit=Decimal("1.5"))
    return actions.open_account(None, party, programme)


class LedgerMachine(RuleBasedStateMachine):
    """Random earn / redeem / expire / adjust sequences against a model balance."""

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.account = _account()
        self.balance = 0
        self.entries = 0

    def _refused(self, call) -> None:  # type: ignore[no-untyped-def]
        before = PointsEntry.objects.count(), Redemption.objects.count()
        with pytest.raises(LoyaltyError):
            call()
        assert (PointsEntry.objects.count(), Redemption.objects.count()) == before

    @rule(points=st.integers(1, 500))
    def earn(self, points: int) -> None:
        actions.earn(None, self.account, points, reason="bonus")
        self.balance += points
        self.entries += 1

    @rule(points=st.integers(1, 700))
    def redeem(self, points: int) -> None:
        if points > self.balance:
            self._refused(lambda: actions.redeem(None, self.account, points, reward="Mug"))
            return
        actions.redeem(None, self.account, points, reward="Mug")
        self.balance -= points
        self.entries += 1

    @rule(points=st.integers(1, 700))
    def expire(self, points: int) -> None:
        if points > self.balance:
            self._refused(lambda: actions.expire(None, self.account, points))
            return
        actions.expire(None, self.account, points)
        self.balance -= points
        self.entries += 1

    @rule(points=st.integers(-700, 700).filter(bool))
    def adjust(self, points: int) -> None:
        if self.balance + points < 0:
            self._refused(lambda: actions.adjust(None, self.account, points, reason="correction"))
            return
        actions.adjust(None, self.account, points, reason="correction")
        self.balance += points
        self.entries += 1

    @rule(points=st.one_of(st.integers(-50, 0), st.just(True), st.just(2.5)))
    def invalid_amount(self, points) -> None:  # type: ignore[no-untyped-def]
        self._refused(lambda: actions.earn(None, self.account, points))
        self._refused(lambda: actions.redeem(None, self.account, points, reward="Mug"))

    @invariant()
    def balance_is_ledger_sum_and_not_negative(self) -> None:
        stored = LoyaltyAccount.objects.get(pk=self.account.pk).balance
        assert stored == queries.ledger_sum(self.account) == self.balance >= 0
        assert PointsEntry.objects.filter(account=self.account).count() == self.entries
        last = queries.ledger(self.account).last()
        assert last is None or last.balance_after == stored

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)


@pytest.mark.django_db
def test_ledger_state_machine() -> None:
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


@pytest.mark.django_db
def test_entries_are_append_only() -> None:
    account = _account()
    entry = actions.earn(None, account, 10)
    with pytest.raises(TypeError):
        entry.points = 1000
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        PointsEntry.objects.filter(pk=entry.pk).update(points=1000)
    with pytest.raises(TypeError):
        PointsEntry.objects.filter(pk=entry.pk).delete()
    assert PointsEntry.objects.get(pk=entry.pk).points == 10
    assert AuditEntry.objects.filter(entity="loyalty_entry", object_id=str(entry.pk)).exists()


@pytest.mark.django_db
def test_database_refuses_negative_balances_and_wrong_signs() -> None:
    account = _account()
    with pytest.raises(IntegrityError), transaction.atomic():
        LoyaltyAccount.objects.filter(pk=account.pk).update(balance=-1)
    for kind, points, after in [("earn", -5, 0), ("redeem", 5, 5), ("adjust", 0, 0), ("adjust", -5, -5)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            PointsEntry.objects.create(
                account=account, kind=kind, points=points, balance_after=after, occurred_at=NOW
            )


@pytest.mark.django_db
def test_earn_rule_tiers_and_referrals() -> None:
    account = _account()
    programme = account.programme
    actions.add_tier(None, programme, name="Silver", threshold=100)
    actions.add_tier(None, programme, name="Gold", threshold=1000)
    order = Order.objects.create(
        ref="O1", party=account.party, ordered_at=NOW, total_amount=Decimal("99.99")
    )
    entry = actions.earn_for_order(None, account, order)
    assert entry is not None and entry.points == 149  # floor(99.99 × 1.5)
    with pytest.raises(LoyaltyError, match="already"):
        actions.earn_for_order(None, account, order)
    account.refresh_from_db()
    assert account.lifetime_spend == Decimal("99.99")
    assert queries.current_tier(account).name == "Silver"

    programme.referral_points = 50
    programme.save()
    friend = Party.objects.create(ref="F1", name="Friend")
    referral = actions.record_referral(None, programme, referrer=account.party, referred=friend)
    assert referral.rewarded_points == 50 and referral.entry.points == 50
    account.refresh_from_db()
    assert account.balance == 199 == queries.ledger_sum(account)
    with pytest.raises(LoyaltyError, match="referred"):
        actions.record_referral(None, programme, referrer=account.party, referred=friend)
    with pytest.raises(LoyaltyError, match="referred"):
        actions.record_referral(None, programme, referrer=friend, referred=friend)
    assert Referral.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_cannot_overdraw() -> None:
    """Eight threads each try to redeem 30 of 100 points: the row lock lets exactly three through."""
    account = _account("C1")
    actions.earn(None, account, 100)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            actions.redeem(None, LoyaltyAccount.objects.get(pk=account.pk), 30, reward="Voucher")
            outcomes.append("ok")
        except LoyaltyError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    account.refresh_from_db()
    assert outcomes.count("ok") == 3 and outcomes.count("refused") == 5
    assert account.balance == 10 == queries.ledger_sum(account)
