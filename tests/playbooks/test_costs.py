"""Playbook costs: each executed action is priced from the administrator's prices when it
is done (a suppressed mail and a held-out customer cost nothing), kept on the firing, and
the outcome report, the API and ``clientela report --format json`` show the cost,
incremental profit and ROI from it."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from clientela.cli.main import main
from clientela.crm.experiments.models import Experiment
from clientela.crm.experiments.outcomes import outcome, summary
from clientela.crm.playbooks import actions, engine
from clientela.crm.playbooks.models import ActionCosts, Firing, PlaybookRun


def _fall(company: dict[str, Any], count: int) -> dict[int, float]:
    from clientela.crm.engagement.segments import tier_cutoffs
    from clientela.crm.scoring.models import CustomerScore

    top, _middle = tier_cutoffs(company["run"])
    rows = CustomerScore.objects.filter(
        run=company["run"], clv__gte=top, p_alive__gte=0.4
    ).order_by("-party_id")
    return dict.fromkeys(list(rows.values_list("party_id", flat=True)[:40]), 0.2)


def test_each_action_is_priced_as_done_and_the_report_shows_cost_profit_and_roi(
    company: dict[str, Any],
    next_run: Any,
    make_marketer: Any,
    inbox: Any,
) -> None:
    from clientela.crm.accounts.api_tokens import create_token
    from clientela.crm.engagement.models import Campaign
    from clientela.crm.loyalty.models import Programme
    from clientela.crm.parties.models import Consent

    # The administrator's prices: a task is 30 minutes at 80 an hour (40), a point 0.02.
    ActionCosts.objects.update_or_create(
        pk=1,
        defaults={
            "email": Decimal("0.10"),
            "task_minutes": 30,
            "hourly_cost": Decimal("80"),
            "point_value": Decimal("0.02"),
        },
    )
    marketer = make_marketer()
    template = Campaign.objects.create(
        name="Win-back mail (costed)",
        kind="win_back",
        channel="email",
        starts_on=timezone.localdate(),
        message_channel="email",
        message_subject="We miss you",
        message_body="Hello, 15% off.",
    )
    programme = Programme.objects.order_by("id").first()
    assert programme is not None
    fell = _fall(company, 40)
    Consent.objects.filter(
        party_id__in=list(fell)[::2], purpose="marketing", channel="email"
    ).delete()
    playbook = actions.create_playbook(
        marketer,
        name="Costed win-back",
        enabled=True,
        definition={
            "trigger": {"kind": "p_alive_below", "threshold": 0.4},
            "conditions": {"value_tiers": ["top"]},
            "actions": [
                {"kind": "task", "title": "Call them", "due_days": 2},
                {"kind": "message", "campaign": template.pk},
                {"kind": "points", "programme": programme.pk, "points": 500},
            ],
            "limits": {},
            "control_share": 0.2,
        },
    )
    engine.after_scoring(None, run_id=next_run(company["run"], fell).pk)
    record = PlaybookRun.objects.get(playbook=playbook)
    firings = list(Firing.objects.filter(run=record))
    treated = [f for f in firings if f.group == "treated"]
    assert treated and len(treated) < len(firings)
    for firing in firings:
        mail = next((r for r in firing.results if r["kind"] == "message"), None)
        expected = (
            Decimal("0")
            if firing.group != "treated"
            else (
                Decimal("40")
                + Decimal("10")
                + (Decimal("0.10") if mail["status"] == "done" else Decimal("0"))
            )
        )
        assert firing.cost == expected, (firing.group, firing.results)
    # A suppressed mail (no consent) costs nothing; a sent one its price.
    statuses = {
        r["status"]: r["cost"] for f in treated for r in f.results if r["kind"] == "message"
    }
    assert statuses == {"done": "0.1000", "suppressed": "0.0000"}
    spent = sum((f.cost for f in firings), Decimal("0"))
    assert spent > 0

    # A later change of prices does not rewrite what was spent.
    ActionCosts.objects.filter(pk=1).update(hourly_cost=Decimal("1000"))
    experiment = Experiment.objects.get(subject_kind="playbook", subject_id=playbook.pk)
    data = summary(
        outcome(experiment, at=timezone.now() + timedelta(days=experiment.measure_days + 1))
    )
    assert data["cost"] == pytest.approx(float(spent))
    assert data["incremental_profit"] == pytest.approx(data["incremental_margin"] - float(spent))
    assert data["roi"] == pytest.approx(data["incremental_profit"] / float(spent))

    _, secret = create_token(marketer, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    answer = api.get(f"/api/v1/experiments/{experiment.pk}/outcome").json()
    assert answer["cost"] == pytest.approx(float(spent))
    result = CliRunner().invoke(main, ["report", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = [r for r in json.loads(result.stdout)["experiments"] if r["name"] == "Costed win-back"]
    assert rows and all(r["cost"] == pytest.approx(float(spent)) for r in rows)
    assert all("incremental_profit" in r and "roi" in r for r in rows)


@pytest.mark.django_db
def test_without_prices_set_the_defaults_apply() -> None:
    from clientela.crm.playbooks.costs import Pricing, action_costs

    assert not ActionCosts.objects.exists()
    pricing = Pricing(action_costs())
    assert pricing.price({"kind": "task"}, {"status": "done"}) == Decimal(
        "15.0000"
    )  # 15 min at 60/h
    assert pricing.price({"kind": "case"}, {"status": "done"}) == Decimal("25.0000")
    assert pricing.price({"kind": "task"}, {"status": "failed"}) == Decimal("0.0000")
