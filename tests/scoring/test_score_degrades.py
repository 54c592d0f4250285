"""Issue 17: scoring degrades, never dies.

A company whose customers buy steadily with no visible churn (1,000 customers, 12,000
order lines over a year, imported from CSV) is scored through ``clientela score``: the
dropout models are not identified, the run falls back to the NBD without dropout and
says so; RFM, ladder and next best actions are scored as usual. A candidate that cannot
be fitted is skipped with its reason stored in the run.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from django.test import Client

from clientela.cli.main import main
from clientela.crm.accounts.models import User
from clientela.crm.scoring import pipeline
from clientela.crm.scoring.models import CustomerScore, ModelRun, RunStatus
from clientela.value.models import BetaGeo, ModelFitError
from clientela.value.models.base import SummaryArrays
from clientela.value.simulation import simulate_beta_geo, transactions_from_summary

pytestmark = pytest.mark.django_db

AS_OF = "2025-12-31"
CUSTOMERS_HEADER = "customer_ref,name,kind,email,phone,country,acquired_at,acquisition_channel"
ORDERS_HEADER = "order_ref,customer_ref,ordered_at,sku,quantity,unit_price,currency,unit_cost,discount"


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _import(tmp_path: Path, customers: int, orders: list[tuple[int, str, float]]) -> None:
    people = [CUSTOMERS_HEADER] + [
        f"C{c},Customer {c},person,c{c}@example.com,,PL,2025-01-01,search" for c in range(customers)
    ]
    (tmp_path / "customers.csv").write_text("\n".join(people) + "\n", encoding="utf-8")
    lines = [ORDERS_HEADER] + [
        f"O{i},C{c},{when},SKU-{i % 7},1,{amount:.2f},PLN,{amount * 0.6:.2f},0"
        for i, (c, when, amount) in enumerate(orders)
    ]
    (tmp_path / "orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _cli("import", "customers", str(tmp_path / "customers.csv"))
    _cli("import", "orders", str(tmp_path / "orders.csv"))


def _steady_orders(rng: np.random.Generator) -> list[tuple[int, str, float]]:
    """1,000 customers, 12 orders each at uniform times over 2025: nobody leaves."""
    start = np.datetime64("2025-01-01T00:00")
    orders = []
    for c in range(1000):
        minutes = np.sort(rng.integers(0, 364 * 24 * 60, size=12))
        for m, amount in zip(minutes, rng.uniform(20, 80, size=12), strict=True):
            orders.append((c, f"{start + np.timedelta64(int(m), 'm')}:00+00:00", float(amount)))
    return orders


def test_steady_buyers_without_churn_are_scored_with_the_fallback(tmp_path: Path) -> None:
    _import(tmp_path, 1000, _steady_orders(np.random.default_rng(17)))
    output = _cli("score", "--as-of", AS_OF)
    run = ModelRun.objects.get(is_current=True)
    assert run.status == RunStatus.SUCCEEDED
    assert run.model_name == "nbd"
    notes = run.diagnostics["fit_notes"]
    assert notes["fallback"] and "P(alive) = 1" in notes["fallback"]
    skipped = {s["model"] for s in notes["skipped"]}
    assert {"bgnbd", "pareto", "mbgnbd"} <= skipped, notes
    assert all("identify" in s["reason"] or "fitted" in s["reason"] for s in notes["skipped"])
    assert "NBD" in run.model_reason or "no dropout" in run.model_reason
    assert "nbd" in output
    scores = CustomerScore.objects.filter(run=run)
    assert scores.count() == 1000
    assert set(scores.values_list("p_alive", flat=True)) == {1.0}
    # everything else is scored as usual
    assert not scores.filter(rfm_segment="").exists()
    assert not scores.filter(ladder_stage="").exists()
    assert not scores.filter(next_best_action="").exists()
    assert all(float(v) > 0 for v in scores.values_list("clv", flat=True))
    report = json.loads(_cli("report", "--format", "json"))
    assert report["model"]["fit_notes"]["fallback"] == notes["fallback"]
    html = _cli("report", "--format", "html")
    assert "P(alive) = 1" in html and "Skipped pareto" in html
    # The run page shows what happened, in the reader's language.
    user = User.objects.create_user(username="root", password="pw-root", role="admin")
    client = Client()
    client.force_login(user)
    page = client.get("/model/").content.decode()
    assert 'data-testid="model-name">NBD<' in page
    assert 'data-testid="model-fallback"' in page and "P(alive) = 1" in page
    assert page.count("<li><span translate=\"no\">") >= 3  # the skipped candidates
    client.cookies["django_language"] = "pl"
    assert "Pominięte modele" in client.get("/model/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()


class _Unidentified(BetaGeo):
    """A candidate that cannot be fitted (stands in for any model the data do not identify)."""

    def _prepare(self, data: SummaryArrays) -> SummaryArrays:
        raise ModelFitError("the data do not identify the model: planted by the test")


def test_one_candidate_failing_is_skipped_with_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 400 customers from the BG/NBD with CDNOW-like parameters (buyers who leave), over 2025.
    rng = np.random.default_rng(5)
    summary = simulate_beta_geo({"r": 0.8, "alpha": 6.0, "a": 0.8, "b": 2.4}, 400, max_days=364, rng=rng)
    log = transactions_from_summary(summary, start="2025-01-01", rng=rng)
    orders = [(int(c), str(d)[:10], float(a)) for c, d, a in log.itertuples(index=False)]
    _import(tmp_path, 400, orders)
    monkeypatch.setitem(pipeline.MODELS, "mbgnbd", _Unidentified)
    _cli("score", "--as-of", AS_OF)
    run = ModelRun.objects.get(is_current=True)
    assert run.status == RunStatus.SUCCEEDED
    assert run.model_name in {"bgnbd", "pareto"}
    skipped = run.diagnostics["fit_notes"]["skipped"]
    assert [s["model"] for s in skipped] == ["mbgnbd"], skipped
    assert "planted by the test" in skipped[0]["reason"]
    assert "skipped: mbgnbd" in run.model_reason
    failed = next(r for r in run.comparison if r["model"] == "mbgnbd")
    assert failed["rank"] is None and "planted" in failed["error"]


def test_unknown_local_day_zone_is_refused_clearly() -> None:
    result = CliRunner().invoke(main, ["score", "--local-day", "Mars/Olympus"])
    assert result.exit_code == 1
    assert "'Mars/Olympus' is not a time zone" in result.output and "Traceback" not in result.output


def test_without_a_holdout_auto_ranks_by_aic_and_says_so(tmp_path: Path) -> None:
    # Ten weeks of orders: too short for a holdout, so auto compares the models' AIC.
    rng = np.random.default_rng(9)
    summary = simulate_beta_geo({"r": 1.5, "alpha": 3.0, "a": 0.8, "b": 2.4}, 400, max_days=70, rng=rng)
    log = transactions_from_summary(summary, start="2025-10-01", rng=rng)
    orders = [(int(c), str(d)[:10], float(a)) for c, d, a in log.itertuples(index=False)]
    _import(tmp_path, 400, orders)
    _cli("score", "--as-of", str(log["date"].max())[:10])
    run = ModelRun.objects.get(is_current=True)
    assert run.status == RunStatus.SUCCEEDED
    notes = run.diagnostics["fit_notes"]
    assert notes["criterion"].startswith("lowest AIC on all data")
    assert run.model_reason.startswith("lowest AIC on all data")
    ranked = sorted((r for r in run.comparison if r.get("rank") is not None), key=lambda r: r["rank"])
    assert ranked[0]["model"] == run.model_name
    assert len(ranked) >= 2, run.comparison
    assert notes["runner_up"] == ranked[1]["model"]
    assert notes["margin"] == pytest.approx(ranked[1]["aic"] - ranked[0]["aic"])
    assert f"runner-up {ranked[1]['model']} by" in run.model_reason
