"""Issue 4's done-when on the demo company, through the CLI: score, report, export.

Runs on SQLite and on PostgreSQL (CI runs both passes).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from clientela.crm.commerce.models import ExchangeRate, Order
from clientela.crm.parties.models import OUTSIDE_CUSTOMER_BASE, Party
from clientela.crm.scoring.models import CustomerScore, ModelRun, RunStatus
from clientela.demo.models import PlantedTrait
from shared_worlds import SharedWorlds, invoke_cli, module_reading

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def scored(shared_worlds: SharedWorlds, django_db_blocker: Any) -> Iterator[dict]:
    """The ``demo1500`` world (tests/shared_worlds.py: the 1,500-customer demo company,
    seed 11, scored once through the CLI as of 30 Jun 2026 over 365 days at a 10 % discount),
    with its report and scores export read once for the module."""
    with module_reading(shared_worlds, django_db_blocker, "demo1500") as world:
        with django_db_blocker.unblock():
            assert "  90 % interval: " in world["printed"]
            report = json.loads(invoke_cli("report", "--format", "json"))
            scores = list(csv.DictReader(io.StringIO(invoke_cli("export", "scores"))))
        yield {"report": report, "scores": scores}


def _rate_table() -> dict[str, list[tuple[date, Decimal]]]:
    rates: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
    for currency, day, rate in ExchangeRate.objects.order_by("date").values_list("currency", "date", "rate"):
        rates[currency].append((day, rate))
    return rates


def _rate(rates: dict, currency: str, day: date) -> Decimal:
    if currency == "PLN":
        return Decimal(1)
    best = None
    for when, rate in rates[currency]:
        if when > day:
            break
        best = rate
    assert best is not None, f"no {currency} rate on {day}"
    return best


def test_report_keys_equity_and_ladder_add_up(scored: dict) -> None:
    report = scored["report"]
    for key in ("customer_equity", "kpis", "rfm_segments", "loyalty_ladder", "concentration",
                "cohorts", "model", "next_best_actions"):
        assert key in report, key
    assert set(report["customer_equity"]) >= {"current", "future"}
    assert set(report["model"]) >= {"name", "params", "log_likelihood", "holdout_mae"}
    assert report["model"]["holdout_mae"] is not None and report["model"]["holdout_mae"] > 0

    exported = sum((Decimal(row["clv"]) for row in scored["scores"]), Decimal(0))
    current = Decimal(str(report["customer_equity"]["current"]))
    print(f"\ncustomer equity current {current} = sum of {len(scored['scores'])} exported CLVs {exported}")
    assert current == exported
    assert exported > 0

    # Suppliers, partners and internal stakeholders who do not buy are not scored.
    parties = Party.objects.exclude(OUTSIDE_CUSTOMER_BASE).count()
    assert parties < Party.objects.count()
    ladder = report["loyalty_ladder"]["counts"]
    assert sum(ladder.values()) == parties == len(scored["scores"])
    assert sum(report["next_best_actions"].values()) == parties


def test_top_20_share_recomputed_from_the_orders_export(scored: dict) -> None:
    # Lines and amounts come from the export; status and exchange rates are not export
    # columns, so they are read from the database to apply the report's definition
    # (kept orders only, in the base currency).
    status = dict(Order.objects.values_list("ref", "status"))
    rates = _rate_table()
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    for row in csv.DictReader(io.StringIO(invoke_cli("export", "orders"))):
        if status[row["order_ref"]] in {"cancelled", "returned"}:
            continue
        line = Decimal(row["quantity"]) * Decimal(row["unit_price"]) - Decimal(row["discount"] or 0)
        day = date.fromisoformat(row["ordered_at"][:10])
        revenue[row["customer_ref"]] += line * _rate(rates, row["currency"], day)
    values = sorted((float(v) for v in revenue.values() if v > 0), reverse=True)
    top = math.ceil(0.2 * len(values))
    share = sum(values[:top]) / sum(values)
    reported = scored["report"]["concentration"]["revenue"]["top_shares"]["top_20pct"]
    print(f"\ntop-20 % revenue share: recomputed {share:.6f}, reported {reported:.6f}")
    assert reported == pytest.approx(share, abs=2e-4)
    assert scored["report"]["kpis"]["top20_revenue_share"] == pytest.approx(share, abs=2e-4)


def test_planted_truths_are_found(scored: dict) -> None:
    by_ref = {row["customer_ref"]: row for row in scored["scores"]}
    traits: dict[str, set[str]] = defaultdict(set)
    for ref, trait in PlantedTrait.objects.values_list("party__ref", "trait"):
        traits[trait].add(ref)

    flagged = {ref for ref, row in by_ref.items() if row["unprofitable"] == "true"}
    losers = traits["loss_maker"]
    precision = len(flagged & losers) / len(flagged)
    recall = len(flagged & losers) / len(losers)
    print(f"\nloss-makers: {len(losers)} planted, {len(flagged)} flagged unprofitable; "
          f"precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.85
    assert recall >= 0.85

    promoters = traits["promoter"]
    advocates = sum(by_ref[ref]["ladder_stage"] == "advocate" for ref in promoters)
    print(f"promoters who refer friends: {len(promoters)} planted, {advocates} reach advocate")
    assert promoters and advocates / len(promoters) >= 0.9

    top = traits["top_customer"]
    revenue = {ref: float(row["revenue"]) for ref, row in by_ref.items()}
    total = sum(v for v in revenue.values() if v > 0)
    top_share = sum(revenue[ref] for ref in top if revenue[ref] > 0) / total
    customers = sum(v > 0 for v in revenue.values())
    print(f"planted top group: {len(top)} of {customers} customers "
          f"({len(top) / customers:.1%}) bring {top_share:.1%} of revenue")
    assert len(top) / customers < 0.1
    assert top_share > 0.3
    exits = {ref for ref, row in by_ref.items() if row["next_best_action"] == "managed_exit"}
    print(f"managed exit proposed for {len(exits)} parties, {len(exits & losers)} of them planted loss-makers")
    assert exits and len(exits & losers) / len(exits) >= 0.85
    assert not exits & top - losers


def test_scores_are_bulk_written_for_one_current_run(scored: dict) -> None:
    run = ModelRun.objects.get(is_current=True)
    assert run.status == RunStatus.SUCCEEDED
    assert run.scores.count() == Party.objects.exclude(OUTSIDE_CUSTOMER_BASE).count()  # the customer base
    assert run.params and run.diagnostics["log_likelihood"] < 0
    assert run.holdout["weeks"] >= 8
    assert len(run.comparison) == 3
    alive = CustomerScore.objects.filter(run=run, p_alive__isnull=False)
    assert alive.count() == run.customers


def test_html_report_is_self_contained(scored: dict, tmp_path) -> None:
    path = tmp_path / "report.html"
    invoke_cli("report", "--format", "html", "--output", str(path))
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    # The pages' charts (scoring.charts), each with its table, and the model's diagnostics.
    for chart in ("Pareto (Lorenz) curve", "Cohort retention", "CLV distribution", "Loyalty ladder",
                  "Customers by repeat transactions", "Holdout purchases by calibration frequency",
                  "Cumulative tracking", "Incremental tracking", "Expected purchases by frequency and recency",
                  "Probability alive by frequency and recency"):
        assert chart in html, chart
    assert html.count('<svg role="img"') == html.count("<details>") >= 10
    assert "90 % interval:" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html and "<script" not in html
    polish = invoke_cli("report", "--format", "html", "--language", "pl")
    assert '<html lang="pl">' in polish and "Kapitał klientów" in polish and "przedział 90 %" in polish
    assert "Klienci według liczby powtórnych transakcji" in polish and "Customers by repeat" not in polish


def test_equity_and_every_clv_come_with_a_90_percent_interval(scored: dict) -> None:
    equity = scored["report"]["customer_equity"]
    assert equity["interval_level"] == 0.9 and equity["interval_method"] == "delta"
    assert equity["total_low"] < equity["total"] < equity["total_high"]
    assert equity["current_low"] < equity["current"] < equity["current_high"]
    buyers = [row for row in scored["scores"] if Decimal(row["clv"]) > 0]
    assert buyers
    for row in buyers:
        assert Decimal(row["clv_low"]) <= Decimal(row["clv"]) <= Decimal(row["clv_high"]), row
    assert sum(Decimal(row["clv_high"]) > Decimal(row["clv_low"]) for row in buyers) > 0.9 * len(buyers)


def test_the_run_keeps_the_model_diagnostics(scored: dict) -> None:
    diagnostics = scored["report"]["diagnostics"]
    period = diagnostics["period_transactions"]
    calibration_customers = sum(row["actual"] for row in period)
    assert sum(row["expected"] for row in period) == pytest.approx(calibration_customers, rel=1e-6)
    by_frequency = diagnostics["holdout_by_frequency"]
    assert sum(row["customers"] for row in by_frequency) == calibration_customers
    assert len(diagnostics["tracking"]) > 10
    matrix = diagnostics["matrix"]
    alive = [v for row in matrix["p_alive"] for v in row if v is not None]
    assert alive and all(0 <= v <= 1 for v in alive)
    assert len(matrix["expected_purchases"]) == len(matrix["frequency"])


def test_report_names_the_feedback_themes_and_their_drivers(scored: dict) -> None:
    themes = scored["report"]["feedback_themes"]
    assert themes, "the demo's NPS comments have themes"
    for theme in themes:
        assert set(theme) >= {"name", "terms", "language", "answers", "share_detractors", "share_promoters",
                              "nps_effect"}
        assert theme["language"] in {"pl", "en", "ru"} and theme["answers"] >= 3
    worst = themes[0]  # most negative effect on the score first
    assert worst["nps_effect"] < 0 and worst["share_detractors"] > worst["share_promoters"]
    assert {"pl", "en"} <= {t["language"] for t in themes}
