"""Query counts of every API read (Saleor's benchmark tests): each list and each detail is
asked on a small company, then again after every list has grown several times over — more
parties with their contacts, consents, orders, interactions, campaign members, deals, cases,
tasks, answers with their themes, loyalty entries and tiers and more pipelines with their stages. A read whose query count
grows with the rows it returns (N+1) fails, and so does one above ``MAX_QUERIES``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clientela.api.main import api
from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.feedback import actions as feedback
from clientela.crm.loyalty import actions as loyalty
from clientela.crm.sales import actions as sales
from clientela.crm.scoring.models import CustomerScore, ModelRun
from clientela.crm.service import actions as service
from clientela.crm.tasks import actions as tasks
from clientela.crm.voice.models import AnswerTheme, Theme
from clientela.crm.webhooks import actions as webhooks

from . import test_authorization_matrix as matrix
from .fixtures_world import _records, build_world
from .matrix_operations import PATH_VALUES_OPERATIONS, add_operation_records

pytestmark = pytest.mark.django_db

# Authentication (token, user) and the role's rules take a few; the rest is the read itself.
MAX_QUERIES = 12
# The GDPR export reads every app's records of the person, one query or two each; an
# import's preview checks its rows against the record (references, existing keys).
LIMITS = {"/personal-data": 60, "/preview": 20}
GROWTH = 4


def _reads() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return sorted(path for path, methods in paths.items() if "get" in methods)


def _grow(world: Any, owner: Any) -> None:
    for i in range(GROWTH):
        records = _records(f"grown-{i}", owner, world.product, world.campaign)
        pipeline = sales.create_pipeline(
            None, f"Grown {i}", [sales.StageSpec("Lead", Decimal("0.2")), sales.StageSpec("Open", Decimal("0.5"))]
        )
        sales.create_deal(None, party=records.party, name=f"Deal {i}", pipeline=pipeline, owner=owner)
        service.open_case(None, party=records.party, subject=f"Case {i}", owner=owner)
        tasks.create_task(None, title=f"Task {i}", assignee=owner, party=records.party)
        answer = feedback.record_response(None, survey=world.survey, party=records.party, score=9, comment="Late")
        theme = Theme.objects.create(language="en", name=f"theme {i}", terms=[f"term{i}"])
        AnswerTheme.objects.create(response=answer, theme=theme)
        loyalty.add_tier(None, world.spare_programme, name=f"Tier {i}", threshold=1000 + i)
        loyalty.open_account(None, records.party, world.programme)
        loyalty.earn(None, world.records[("admin", "self")].account, 10 + i)
        webhooks.send_test_event(None, world.webhook)  # the delivery log grows too
    run = ModelRun.objects.get(is_current=True)
    scored = set(CustomerScore.objects.filter(run=run).values_list("party_id", flat=True))
    model = CustomerScore.objects.filter(run=run).first()
    assert model is not None
    CustomerScore.objects.bulk_create(
        CustomerScore(run=run, party=party, p_alive=model.p_alive, churn_risk=model.churn_risk, clv=model.clv,
                      expected_spend=model.expected_spend, revenue=model.revenue,
                      net_contribution=model.net_contribution, ladder_stage=model.ladder_stage,
                      next_best_action=model.next_best_action, nba_reason=model.nba_reason)
        for party in type(records.party).objects.exclude(pk__in=scored)
    )


def _count(client: Client, token: str, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    if not response["Content-Type"].startswith("application/json"):  # a file (an export's CSV)
        return len(queries), 0
    body = response.json()
    return len(queries), len(body["items"]) if isinstance(body, dict) and "items" in body else 0


def test_no_api_read_grows_with_its_rows() -> None:
    world = build_world(roles=("admin",))
    add_operation_records(world)
    admin = world.users["admin"]
    records = world.records[("admin", "self")]
    _, token = create_token(admin, name="counts")
    fills = {**matrix.PATH_VALUES, **PATH_VALUES_OPERATIONS}
    paths = [p.format(**{name: fill(world, records) for name, fill in fills.items()}) for p in _reads()]
    client = Client()
    for path in paths:  # warm caches (role rules, content types) before counting
        _count(client, token, path)
    before = {path: _count(client, token, path) for path in paths}
    _grow(world, admin)
    after = {path: _count(client, token, path) for path in paths}
    report = "\n".join(f"{p}: {before[p][0]} -> {after[p][0]} queries, {before[p][1]} -> {after[p][1]} rows" for p in paths)
    grown = [p for p in paths if after[p][0] > before[p][0]]
    limit = {p: next((n for end, n in LIMITS.items() if p.endswith(end)), MAX_QUERIES) for p in paths}
    heavy = [p for p in paths if after[p][0] > limit[p]]
    assert not grown, f"query count grows with the rows:\n{report}"
    assert not heavy, f"more queries than allowed ({MAX_QUERIES}, {LIMITS}):\n{report}"
    lists_that_grew = [p for p in paths if after[p][1] > before[p][1]]
    assert len(lists_that_grew) >= 15, f"the growth did not reach the lists:\n{report}"
