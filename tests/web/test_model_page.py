"""The model page (/model/): the current run, its parameters, the holdout check and the
model comparison, for the roles that may see CLV."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clientela.crm.scoring.models import ModelRun, RunStatus

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_model_page_shows_the_run_parameters_holdout_and_comparison(company: Any, make_user: Any) -> None:
    run: ModelRun = company["run"]
    page = client_for(make_user("root", "admin")).get("/model/").content.decode()
    names = {"bgnbd": "BG/NBD", "pareto": "Pareto/NBD", "mbgnbd": "MBG/NBD"}
    assert f'data-testid="model-name">{names[run.model_name]}<' in page
    params = re.search(r'data-testid="model-params".*?</table>', page, re.S).group(0)
    assert params.count('<th scope="row"') == len(run.params) >= 4
    assert "α" in params  # alpha is written as the papers write it
    # The holdout chart: an SVG with a text alternative and the same figures as a table.
    chart = re.search(r'data-testid="chart-holdout".*?</figure>', page, re.S).group(0)
    assert '<svg role="img"' in chart and '<title id="holdout-t">' in chart and '<desc id="holdout-d">' in chart
    curve = run.holdout["curve"]
    assert chart.count("<tr><th scope=\"row\">") == len(curve)
    assert f"actual {curve[-1]['actual']:,.0f}" in chart
    assert any(p["holdout"] for p in curve) and not all(p["holdout"] for p in curve)
    # Every compared model is a row; the chosen one is marked.
    rows = re.findall(r'<tr( class="chosen")? data-testid="compared-model">(.*?)</tr>', page, re.S)
    assert len(rows) == len(run.comparison) >= 2
    chosen = [body for mark, body in rows if mark]
    assert len(chosen) == 1 and names[run.model_name] in chosen[0] and "chosen" in chosen[0]
    assert 'data-testid="model-runs"' in page and "shown" in page


def test_model_page_shows_the_diagnostics_with_their_tables(company: Any, make_user: Any) -> None:
    """The lifetimes-style diagnostics (scoring.charts.diagnostic_charts), each an SVG with a
    text alternative and the same figures as a table, in the reader's language."""
    run: ModelRun = company["run"]
    diagnostics = run.summary["diagnostics"]
    c = client_for(make_user("root", "admin"))
    page = c.get("/model/").content.decode()
    for ident in ("period-transactions", "holdout-frequency", "tracking-incremental", "matrix-purchases",
                  "matrix-alive"):
        figure = re.search(rf'data-testid="chart-{ident}".*?</figure>', page, re.S).group(0)
        assert f'<title id="{ident}-t">' in figure and f'<desc id="{ident}-d">' in figure, ident
        assert "<table" in figure, ident
    period = re.search(r'data-testid="chart-period-transactions".*?</figure>', page, re.S).group(0)
    assert period.count('<tr><th scope="row">') == len(diagnostics["period_transactions"])
    matrix = re.search(r'data-testid="chart-matrix-alive".*?</figure>', page, re.S).group(0)
    assert matrix.count('<tr><th scope="row">') == len(diagnostics["matrix"]["frequency"])
    polish = c.get("/model/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Klienci według liczby powtórnych transakcji" in polish
    assert "Prawdopodobieństwo aktywności według częstotliwości i recency" in polish


@pytest.mark.parametrize(("role", "allowed"), [
    ("admin", True), ("analyst", True), ("manager", True), ("marketer", True), ("sales_rep", True),
    ("service_agent", False), ("read_only", False),
])
def test_model_page_and_menu_follow_the_clv_rights(company: Any, make_user: Any, role: str, allowed: bool) -> None:
    c = client_for(make_user("someone", role))
    assert c.get("/model/").status_code == (200 if allowed else 403)
    assert ('data-testid="menu-model"' in c.get("/").content.decode()) is allowed


def test_model_page_without_a_run_says_how_to_score(company: Any, make_user: Any) -> None:
    ModelRun.objects.all().delete()
    page = client_for(make_user("root", "admin")).get("/model/").content.decode()
    assert 'data-testid="model-empty"' in page and "clientela score" in page
    assert "chart-holdout" not in page


def test_model_page_lists_a_failed_later_run(company: Any, make_user: Any) -> None:
    run: ModelRun = company["run"]
    ModelRun.objects.create(started_at=run.started_at.replace(year=run.started_at.year + 1),
                            status=RunStatus.FAILED, error="there are no orders to score")
    page = client_for(make_user("root", "admin")).get("/model/").content.decode()
    table = re.search(r'data-testid="model-runs".*?</table>', page, re.S).group(0)
    assert table.index("Failed") < table.index("Succeeded")
    assert "there are no orders to score" in table


def test_model_page_query_count_does_not_depend_on_the_number_of_runs(company: Any, make_user: Any) -> None:
    run: ModelRun = company["run"]
    c = client_for(make_user("root", "admin"))
    c.get("/model/")
    with CaptureQueriesContext(connection) as one:
        c.get("/model/")
    for years in range(1, 15):
        old = ModelRun.objects.get(pk=run.pk)
        old.pk, old.is_current = None, False
        old.started_at = run.started_at.replace(year=run.started_at.year - years)
        old.save()
    with CaptureQueriesContext(connection) as many:
        page = c.get("/model/").content.decode()
    assert re.search(r'data-testid="model-runs".*?</table>', page, re.S).group(0).count('<tr><th scope="row">') == 10
    assert len(many.captured_queries) == len(one.captured_queries)
