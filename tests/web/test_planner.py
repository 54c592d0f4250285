"""The equity planner through Django's test client: figures from the engine, roles, htmx."""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

import pytest
from django.test import Client

from clientela.crm.scoring.models import ModelRun
from clientela.insight.allocation import AllocationInputs, optimal_spend

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def amount(html: str, testid: str) -> int:
    """The whole amount shown in the element with ``data-testid`` (English grouping)."""
    match = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', html)
    assert match, testid
    return int(re.sub(r"[^\d-]", "", match.group(1).split("PLN")[0]))


def stored_inputs(company: Any) -> AllocationInputs:
    run = ModelRun.objects.get(pk=company["run"].pk)
    return AllocationInputs(**run.summary["allocation"])


def test_the_scoring_run_stores_usable_planner_inputs(company: Any) -> None:
    inputs = stored_inputs(company)
    assert inputs.prospects > 0 and inputs.customers > 0 and inputs.margin > 0
    assert 0 < inputs.acquisition_rate < inputs.acquisition_ceiling <= 1
    assert 0 < inputs.retention_rate < inputs.retention_ceiling < 1
    # The curves pass through today's rates at today's spend.
    a, r = inputs.spends(inputs.acquisition_budget, inputs.retention_budget)
    assert inputs.acquisition_curve().rate(a) == pytest.approx(inputs.acquisition_rate)
    assert inputs.retention_curve().rate(r) == pytest.approx(inputs.retention_rate)


def test_planner_shows_the_engines_equity_for_the_chosen_budgets(company: Any, make_user: Any) -> None:
    inputs = stored_inputs(company)
    c = client_for(make_user("root", "admin"))
    page = c.get("/planner/?acquisition=12000&retention=7000").content.decode()
    assert amount(page, "planner-equity") == round(inputs.equity(12000, 7000))
    best = optimal_spend(inputs.acquisition_curve(), inputs.retention_curve(),
                         margin=inputs.margin, discount=inputs.discount)
    assert amount(page, "planner-optimum") == round(best.equity_per_prospect * inputs.prospects)
    assert amount(page, "planner-today") == round(inputs.equity(inputs.acquisition_budget, inputs.retention_budget))
    assert 'type="range"' in page and '<label for="p-acquisition">' in page and '<label for="p-retention">' in page
    for ident in ("acquisition", "retention"):
        assert f'data-testid="chart-planner-{ident}"' in page
    assert page.count('role="img"') == 2 and "<desc id=" in page
    assert 'aria-current="page" data-testid="menu-planner"' in page
    # The optimum is never below any other allocation the page offers.
    assert amount(page, "planner-optimum") >= amount(page, "planner-equity")


def test_moving_a_slider_with_htmx_answers_only_the_result(company: Any, make_user: Any) -> None:
    inputs = stored_inputs(company)
    c = client_for(make_user("root", "admin"))
    first = c.get("/planner/?acquisition=4000&retention=3000", HTTP_HX_REQUEST="true").content.decode()
    second = c.get("/planner/?acquisition=30000&retention=3000", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in first and 'id="planner-result"' in first
    assert 'hx-swap-oob="true"' in first  # the budget read-outs beside the sliders
    assert amount(first, "planner-equity") == round(inputs.equity(4000, 3000))
    assert amount(second, "planner-equity") == round(inputs.equity(30000, 3000))
    assert amount(first, "planner-equity") != amount(second, "planner-equity")


def test_planner_budgets_snap_to_the_slider_and_bad_input_is_ignored(company: Any, make_user: Any) -> None:
    inputs = stored_inputs(company)
    c = client_for(make_user("root", "admin"))
    page = c.get("/planner/?acquisition=nope&retention=-50").content.decode()
    acq = float(re.search(r'id="p-acquisition"[^>]*value="([^"]+)"', page).group(1))
    ret = float(re.search(r'id="p-retention"[^>]*value="([^"]+)"', page).group(1))
    assert ret == 0.0  # below the range: its lower end
    assert abs(acq - inputs.acquisition_budget) <= float(re.search(r'id="p-acquisition"[^>]*step="([^"]+)"', page).group(1))
    assert amount(page, "planner-equity") == round(inputs.equity(acq, ret))
    assert c.get("/planner/?acquisition=inf&retention=nan").status_code == 200
    assert c.post("/planner/").status_code == 405


@pytest.mark.parametrize(("role", "allowed"), [
    ("admin", True), ("manager", True), ("analyst", True), ("marketer", True),
    ("sales_rep", False), ("service_agent", False), ("read_only", False),
])
def test_planner_needs_clv_and_margins(company: Any, make_user: Any, role: str, allowed: bool) -> None:
    c = client_for(make_user("u-" + role, role))
    assert (c.get("/planner/").status_code == 200) is allowed
    assert ('data-testid="menu-planner"' in c.get("/").content.decode()) is allowed


def test_planner_explains_missing_inputs(company: Any, make_user: Any) -> None:
    run = ModelRun.objects.get(pk=company["run"].pk)
    run.summary = {**run.summary, "allocation": {"unavailable": "the planner needs retention spend in the last year"}}
    run.save(update_fields=["summary"])
    page = client_for(make_user("root", "admin")).get("/planner/").content.decode()
    assert 'data-testid="planner-unavailable"' in page and 'type="range"' not in page
    assert "retention spend in the last year" in page


def test_anonymous_visitor_is_sent_to_login() -> None:
    response = Client().get("/planner/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/planner/"


def test_chart_ticks_are_round_and_cover_the_values() -> None:
    from clientela.crm.scoring.charts import nice_ticks

    for low, high in [(0, 102_252), (-5_000, 102_252), (0, 39_200), (0, 0.37), (3, 7), (0, 0)]:
        ticks = nice_ticks(low, high)
        step = ticks[1] - ticks[0]
        assert ticks[0] <= low and ticks[-1] >= high and len(ticks) <= 7, (low, high, ticks)
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5)), (low, high, step)
        assert all(math.isclose(b - a, step) for a, b in itertools.pairwise(ticks)), ticks
    assert nice_ticks(0, 102_252) == [0, 25_000, 50_000, 75_000, 100_000, 125_000]
