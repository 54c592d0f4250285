"""The outcome reports on the demo company through every face: the pages (for a marketer,
and without the money a service agent may not see), the API and ``clientela report``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from clientela.cli.main import main
from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.experiments.models import Experiment
from clientela.demo.queries import fact

pytestmark = pytest.mark.django_db


def _client(user: Any, lang: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_the_demo_plants_its_experiments_in_the_truth(company: Any) -> None:
    planted = {e["key"]: e for e in fact("experiments")}
    assert set(planted) == {"win_back", "newsletter", "loyalty_bonus"}
    assert planted["win_back"]["repurchase_effect"] == 0.08 and planted["newsletter"]["repurchase_effect"] == 0
    stored = {e.name: e for e in Experiment.objects.all()}
    for truth in planted.values():
        experiment = stored[truth["name"]]
        assert experiment.assignments.count() == truth["members"]
        assert experiment.assignments.filter(group="control").count() == truth["control"]


def test_pages_show_the_report_and_hide_money_from_those_who_may_not_see_it(company: Any, make_user: Any) -> None:
    marketer = _client(make_user("mk", "marketer"))
    listing = marketer.get("/experiments/").content.decode()
    assert listing.count('data-testid="experiment-row"') == 4  # three campaigns and the demo playbook
    # Each row's headline: the repurchase lift in percentage points with its interval.
    assert listing.count('data-testid="experiment-lift"') == 4 and listing.count("\u00a0pp") >= 9
    win_back = Experiment.objects.get(name="Win-back: we miss you")
    page = marketer.get(f"/experiments/{win_back.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="outcome-repurchase"' in text and 'data-testid="power-note"' in text
    assert 'data-testid="cost"' in text
    # 300 customers: the groups are small, and the page says so honestly.
    assert 'data-testid="not-enough-data"' in text
    polish = _client(make_user("mk2", "marketer"), "pl").get(f"/experiments/{win_back.pk}/").content.decode()
    assert "Odsetek ponownych zakupów" in polish
    assert "95 % interval" in text and "Przedział 95 %" in polish and "%%" not in text + polish
    # Differences of rates in percentage points, the tiers by their names.
    assert "\u00a0pp</td>" in text and "\u00a0p.p.</td>" in polish
    from django.utils import translation

    from clientela.web.templatetags.web_format import code_label

    with translation.override("en"):  # the tier table's row names
        assert code_label("top", "value_tier") == "Top 20 % by CLV"
    campaign = marketer.get(f"/campaigns/{win_back.subject_id}/").content.decode()
    assert 'data-testid="campaign-outcome-link"' in campaign and 'data-group="control"' in campaign
    rep = _client(make_user("rep", "sales_rep"))  # sees campaigns, not costs nor margins
    body = rep.get(f"/experiments/{win_back.pk}/").content.decode()
    assert 'data-testid="outcome-repurchase"' in body and 'data-testid="outcome-clv"' in body
    assert 'data-testid="cost"' not in body and 'data-testid="outcome-margin"' not in body


def test_api_and_cli_give_the_differences_with_their_intervals(company: Any, make_user: Any) -> None:
    user = make_user("analyst", "admin")
    _, token = create_token(user, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    listed = client.get("/api/v1/experiments").json()
    assert {e["name"] for e in listed["items"]} >= {"Win-back: we miss you", "Autumn newsletter"}
    newsletter = Experiment.objects.get(name="Autumn newsletter")
    report = client.get(f"/api/v1/experiments/{newsletter.pk}/outcome").json()
    repurchase = next(m for m in report["metrics"] if m["metric"] == "repurchase")
    assert repurchase["ci_low"] <= repurchase["difference"] <= repurchase["ci_high"]
    assert report["treated"] + report["control"] == newsletter.assignments.count()
    controls = client.get(f"/api/v1/experiments/{newsletter.pk}/assignments?group=control&limit=200").json()
    assert len(controls["items"]) == report["control"]
    assert client.get("/api/v1/experiments/999999/outcome").status_code == 404
    assert client.put("/api/v1/holdout", {"enabled": True, "share": 0.9},
                      content_type="application/json").status_code == 422
    result = CliRunner().invoke(main, ["report", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["experiments"]
    for key in ("name", "kind", "metric", "treated", "control", "difference", "ci_low", "ci_high"):
        assert all(key in row for row in rows)
    assert {r["metric"] for r in rows if r["name"] == "Win-back: we miss you"} >= {
        "repurchase", "revenue", "margin", "retention", "clv", "equity", "incremental_equity"}


def test_the_planner_uses_a_measured_retention_lift_and_says_which(company: Any, make_user: Any) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from clientela.crm.commerce.models import Order
    from clientela.crm.engagement.models import Campaign
    from clientela.crm.experiments.models import Assignment
    from clientela.crm.parties.models import Party

    boss = _client(make_user("boss", "admin"))
    assumed = boss.get("/planner/").content.decode()
    assert 'data-testid="planner-retention-assumed"' in assumed  # the demo's groups are too small yet
    # A retention campaign whose 80 treated customers bought twice as often as its 80 controls.
    campaign = Campaign.objects.create(name="Spring care", kind="retention", channel="email",
                                       starts_on=timezone.localdate() - timedelta(days=100), spend=Decimal(800))
    experiment = Experiment.objects.create(name="Spring care", subject_kind="campaign", subject_id=campaign.pk,
                                           seed=1)
    at = timezone.now() - timedelta(days=100)
    parties = list(Party.objects.filter(is_customer=True).order_by("id").values_list("id", flat=True)[:160])
    Assignment.objects.bulk_create([Assignment(experiment=experiment, party_id=pid, assigned_at=at, stratum="",
                                               group="treated" if i % 2 else "control")
                                    for i, pid in enumerate(parties)])
    buyers = [pid for i, pid in enumerate(parties) if (i % 2 and i % 3) or (not i % 2 and i % 6 == 0)]
    Order.objects.bulk_create([Order(ref=f"EXP-{pid}", party_id=pid, ordered_at=at + timedelta(days=20),
                                     total_amount=Decimal(200), total_cost=Decimal(120)) for pid in buyers])
    page = boss.get("/planner/").content.decode()
    assert 'data-testid="planner-retention-measured"' in page and "Spring care" in page
    assert 'data-testid="planner-retention-assumed"' not in page
