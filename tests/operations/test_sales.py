"""Pipelines, deals, the funnel and velocity on hand-made data with hand-worked answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from clientela.crm.audit.models import AuditEntry
from clientela.crm.errors import InvalidInput, StaleRecord
from clientela.crm.parties.models import Party
from clientela.crm.sales import actions, queries
from clientela.crm.sales.models import Deal, DealStageChange, Stage

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


@pytest.fixture
def pipeline():  # type: ignore[no-untyped-def]
    return actions.create_pipeline(None,
        "B2B",
        [
            actions.StageSpec("Lead", Decimal("0.1")),
            actions.StageSpec("Qualified", Decimal("0.3")),
            actions.StageSpec("Proposal", Decimal("0.6")),
            actions.StageSpec("Won", Decimal("1"), is_won=True),
            actions.StageSpec("Lost", Decimal("0"), is_lost=True),
        ],
    )


@pytest.fixture
def party() -> Party:
    return Party.objects.create(ref="P1", name="Acme")


def stage(pipeline, name: str) -> Stage:  # type: ignore[no-untyped-def]
    return pipeline.stages.get(name=name)


def test_pipeline_stages_are_ordered_and_validated(pipeline) -> None:  # type: ignore[no-untyped-def]
    assert [s.name for s in pipeline.stages.order_by("order")] == [
        "Lead", "Qualified", "Proposal", "Won", "Lost",
    ]
    with pytest.raises(InvalidInput, match="win_probability"):
        actions.add_stage(None, pipeline, name="Bad", win_probability=Decimal("1.5"))
    with pytest.raises(InvalidInput, match="order"):
        actions.add_stage(None, pipeline, name="Dup", win_probability=Decimal("0.5"), order=2)
    extra = actions.add_stage(None, pipeline, name="Negotiation", win_probability=Decimal("0.8"))
    assert extra.order == 6


def _hand_made(pipeline, party):  # type: ignore[no-untyped-def]
    """Four deals with known histories (days after T0):

    A: Lead 0 → Qualified 2 → Proposal 6 → Won 10, 1000 PLN
    B: Lead 0 → Qualified 4 → Lost 5, 500 PLN
    C: Lead 1 → Proposal 3 (skips Qualified), open, 2000 PLN
    D: Lead 2, open, 300 EUR
    """
    lead, qual, prop = stage(pipeline, "Lead"), stage(pipeline, "Qualified"), stage(pipeline, "Proposal")
    a = actions.create_deal(None, party=party, name="A", pipeline=pipeline, amount="1000", at=day(0))
    actions.move_deal(None, a, qual, at=day(2))
    actions.move_deal(None, a, prop, at=day(6))
    actions.win_deal(None, a, reason="signed")
    Deal.objects.filter(pk=a.pk).update(closed_at=day(10))
    DealStageChange.objects.filter(deal=a, to_stage__is_won=True).update(changed_at=day(10))
    b = actions.create_deal(None, party=party, name="B", pipeline=pipeline, amount="500", at=day(0))
    actions.move_deal(None, b, qual, at=day(4))
    actions.lose_deal(None, b, reason="Chose a competitor")
    DealStageChange.objects.filter(deal=b, to_stage__is_lost=True).update(changed_at=day(5))
    c = actions.create_deal(None, party=party, name="C", pipeline=pipeline, amount="2000", at=day(1))
    actions.move_deal(None, c, prop, at=day(3))
    d = actions.create_deal(None,
        party=party, name="D", pipeline=pipeline, amount="300", currency="eur", stage=lead, at=day(2)
    )
    return a, b, c, d


def test_funnel_shares_by_hand(pipeline, party) -> None:  # type: ignore[no-untyped-def]
    _hand_made(pipeline, party)
    steps = {s.stage.name: s for s in queries.funnel(pipeline)}
    # Lost is not a step. Furthest non-lost stage: A Won(4), B Qualified(2), C Proposal(3), D Lead(1).
    assert list(steps) == ["Lead", "Qualified", "Proposal", "Won"]
    assert [steps[n].reached for n in steps] == [4, 3, 2, 1]
    assert steps["Lead"].share == Decimal("1.0000")
    assert steps["Qualified"].share == Decimal("0.7500")
    assert steps["Proposal"].share == Decimal("0.5000")
    assert steps["Won"].share == Decimal("0.2500")
    assert steps["Lead"].conversion is None
    assert steps["Proposal"].conversion == Decimal("0.6667")  # 2 of 3
    assert steps["Won"].conversion == Decimal("0.5000")


def test_velocity_by_hand(pipeline, party) -> None:  # type: ignore[no-untyped-def]
    a, b, c, d = _hand_made(pipeline, party)
    v = queries.velocity(pipeline)
    by_name = {Stage.objects.get(pk=k).name: days for k, days in v.mean_days_in_stage.items()}
    # Finished stays: Lead A 2, B 4, C 2 → 8/3; Qualified A 4, B 1 → 2.5; Proposal A 4.
    assert by_name == {"Lead": Decimal("2.67"), "Qualified": Decimal("2.50"), "Proposal": Decimal("4.00")}
    assert (v.won, v.lost, v.win_rate) == (1, 1, Decimal("0.5000"))
    # Open: C 2000 × 0.6 = 1200 PLN; D 300 × 0.1 = 30 EUR.
    assert v.weighted_value == {"PLN": Decimal("1200.00"), "EUR": Decimal("30.00")}
    assert v.open_value == {"PLN": Decimal("2000.00"), "EUR": Decimal("300.00")}
    assert v.mean_days_to_close == Decimal("10.00")


def test_moves_version_history_and_reopen(pipeline, party) -> None:  # type: ignore[no-untyped-def]
    deal = actions.create_deal(None, party=party, name="X", pipeline=pipeline, amount="10.50")
    assert deal.version == 1 and deal.status == "open"
    with pytest.raises(StaleRecord):
        actions.move_deal(None, deal, stage(pipeline, "Qualified"), expected_version=7)
    assert Deal.objects.get(pk=deal.pk).version == 1
    deal = actions.lose_deal(None, deal, reason="No budget", expected_version=1)
    assert (deal.status, deal.close_reason, deal.version) == ("lost", "No budget", 2)
    assert deal.closed_at is not None
    with pytest.raises(InvalidInput, match="reason"):
        actions.move_deal(None, deal, stage(pipeline, "Lost"))
    deal = actions.move_deal(None, deal, stage(pipeline, "Qualified"))
    assert deal.status == "open" and deal.closed_at is None and deal.close_reason == ""
    assert deal.stage_changes.count() == 3
    assert AuditEntry.objects.filter(entity="deal", object_id=str(deal.pk), field="status").exists()


def test_deal_input_errors_name_the_field(pipeline, party) -> None:  # type: ignore[no-untyped-def]
    for kwargs, field in [
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"currency": "EURO"}, "currency"),
        ({"name": "  "}, "name"),
        ({"stage": None, "pipeline": None}, "pipeline"),
    ]:
        args = {"party": party, "name": "N", "pipeline": pipeline, **kwargs}
        if args["pipeline"] is None:
            other = actions.create_pipeline(None, "Only closed", [actions.StageSpec("Won", 1, is_won=True)])
            args["pipeline"] = other
        with pytest.raises(InvalidInput) as info:
            actions.create_deal(None, **args)
        assert field in info.value.errors
    assert Deal.objects.count() == 0


def test_deal_constraints(pipeline, party) -> None:  # type: ignore[no-untyped-def]
    deal = actions.create_deal(None, party=party, name="X", pipeline=pipeline)
    for change in ({"amount": Decimal("-1")}, {"version": 0}, {"status": "won"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Deal.objects.filter(pk=deal.pk).update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stage.objects.create(pipeline=pipeline, name="Both", order=9, is_won=True, is_lost=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stage.objects.create(pipeline=pipeline, name="P", order=10, win_probability=Decimal("1.01"))
