"""Value figures name their horizon, and the equity planner says what it excludes
(issue 12 item 7): the dashboard's tiles read "Customer equity, next 12 months" and
"Mean CLV, next 12 months"; the planner's predicted equity is a year's prospects only,
and the page says it leaves out today's customers, quoting the dashboard's figures."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from clientela.crm.scoring.models import ModelRun

pytestmark = pytest.mark.django_db


def _tile_label(page: str, key: str) -> str:
    match = re.search(rf'data-testid="kpi-{key}".*?class="kpi-label">([^<]*)<', page, re.S)
    assert match, key
    return match.group(1).strip()


def _amount(text: str) -> int:
    return int(re.sub(r"[^\d-]", "", text.split("PLN")[0]))


@pytest.mark.parametrize(("lang", "equity", "mean"), [
    ("en", "Customer equity, next 12 months", "Mean CLV, next 12 months"),
    ("pl", "najbliższe 12 miesięcy", "najbliższe 12 miesięcy"),
    ("ru", "ближайшие 12 месяцев", "ближайшие 12 месяцев"),
])
def test_value_tiles_name_their_horizon(company: Any, make_user: Any, lang: str, equity: str, mean: str) -> None:
    run = ModelRun.objects.get(pk=company["run"].pk)
    assert run.settings["horizon_days"] == 365
    client = Client()
    client.force_login(make_user("boss", "admin"))
    page = client.get("/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert equity in _tile_label(page, "customer-equity")
    assert mean in _tile_label(page, "mean-clv")


def test_the_planner_says_what_its_equity_excludes(company: Any, make_user: Any) -> None:
    run = ModelRun.objects.get(pk=company["run"].pk)
    figures = run.summary["customer_equity"]
    client = Client()
    client.force_login(make_user("boss", "admin"))
    dashboard = client.get("/").content.decode()
    planner = client.get("/planner/").content.decode()
    scope = re.search(r'data-testid="planner-scope">(.*?)</p>', planner, re.S)
    assert scope, "the planner does not say what its equity covers"
    text = re.sub(r"\s+", " ", scope.group(1))
    assert "excludes the lifetime value of today's" in text
    # The dashboard's customer equity, as the dashboard shows it, and its two parts.
    shown = re.search(r'data-testid="kpi-customer-equity".*?class="kpi-value"[^>]*>(.*?)</p>', dashboard, re.S)
    assert shown
    tile = re.sub(r"<[^>]+>", "", shown.group(1)).strip()
    assert _amount(tile) == round(figures["total"])
    amounts = [_amount(a) for a in re.findall(r"-?[\d,]+\u00a0?PLN|-?[\d,]+ PLN", text)]
    assert round(figures["total"]) in amounts and round(figures["current"]) in amounts
    assert round(figures["future"]) in amounts
    assert round(figures["current"] + figures["future"]) == round(figures["total"])
    # The planner's own figure at today's budgets is another quantity: the page says so.
    today = re.search(r'data-testid="planner-today">([^<]*)<', planner)
    assert today and _amount(today.group(1)) != round(figures["total"])
