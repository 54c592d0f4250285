"""/api/v1/scores and /parties/{id}/score: current run only, scoped, CLV and margins hidden by role."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import Team, User
from clientela.crm.parties.models import Party
from clientela.crm.scoring.models import CustomerScore, ModelRun

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _get(token: str, path: str) -> tuple[int, Any]:
    response = Client().get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {token}")
    return response.status_code, json.loads(response.content)


@pytest.fixture
def world() -> dict[str, Any]:
    north, south = Team.objects.create(name="N"), Team.objects.create(name="S")
    admin = User.objects.create(username="boss", role="admin", team=north)
    rep = User.objects.create(username="rep", role="sales_rep", team=north)
    other = User.objects.create(username="other", role="sales_rep", team=south)
    mine = [Party.objects.create(ref=f"M{i}", name=f"Mine {i}", owner=rep, team=north) for i in range(3)]
    theirs = Party.objects.create(ref="T1", name="Theirs", owner=other, team=south)
    old = ModelRun.objects.create(started_at=T0, status="succeeded", model_name="pareto")
    run = ModelRun.objects.create(started_at=T0, status="succeeded", is_current=True,
                                  model_name="bgnbd", observation_end=T0.date())
    for i, party in enumerate([*mine, theirs]):
        CustomerScore.objects.create(run=old, party=party, clv=Decimal("1"), p_alive=0.1)
        CustomerScore.objects.create(
            run=run, party=party, clv=Decimal(100 * (i + 1)), p_alive=0.2 * (i + 1),
            clv_low=Decimal(80 * (i + 1)), clv_high=Decimal(130 * (i + 1)),
            revenue=Decimal("900"), net_contribution=Decimal("-5"), unprofitable=True,
            ladder_stage="client", next_best_action="retain" if i else "develop",
        )
    return {"admin": create_token(admin)[1], "rep": create_token(rep)[1], "mine": mine, "theirs": theirs}


def test_list_is_the_current_run_of_visible_parties(world: dict[str, Any]) -> None:
    status, body = _get(world["admin"], "/scores?ordering=-clv")
    assert status == 200
    assert [s["clv"] for s in body["items"]] == ["400.00", "300.00", "200.00", "100.00"]
    assert {s["model"] for s in body["items"]} == {"bgnbd"}
    status, body = _get(world["rep"], "/scores")
    assert status == 200
    assert {s["party_ref"] for s in body["items"]} == {"M0", "M1", "M2"}


def test_fields_hidden_from_a_sales_rep(world: dict[str, Any]) -> None:
    _, admin = _get(world["admin"], f"/parties/{world['mine'][0].pk}/score")
    _, rep = _get(world["rep"], f"/parties/{world['mine'][0].pk}/score")
    assert admin["net_contribution"] == "-5.00" and admin["unprofitable"] is True
    assert rep["net_contribution"] is None and rep["unprofitable"] is None and rep["revenue"] is None
    assert rep["p_alive"] == pytest.approx(0.2)


def test_the_clv_interval_follows_the_clv_rights(world: dict[str, Any]) -> None:
    _, admin = _get(world["admin"], f"/parties/{world['mine'][0].pk}/score")
    assert (admin["clv_low"], admin["clv"], admin["clv_high"]) == ("80.00", "100.00", "130.00")
    agent = User.objects.create(username="agent", role="service_agent")
    Party.objects.filter(pk=world["theirs"].pk).update(owner=agent)
    status, body = _get(create_token(agent)[1], "/scores")
    assert status == 200 and body["items"]
    assert all(s["clv"] is None and s["clv_low"] is None and s["clv_high"] is None for s in body["items"])


def test_invisible_party_is_404_and_filters_and_pages_work(world: dict[str, Any]) -> None:
    status, body = _get(world["rep"], f"/parties/{world['theirs'].pk}/score")
    assert status == 404 and body["status"] == 404
    _, body = _get(world["admin"], "/scores?next_best_action=retain&min_p_alive=0.5")
    assert sorted(s["party_ref"] for s in body["items"]) == ["M2", "T1"]
    _, first = _get(world["admin"], "/scores?limit=3")
    assert len(first["items"]) == 3 and first["next_cursor"]
    _, second = _get(world["admin"], f"/scores?limit=3&cursor={first['next_cursor']}")
    assert len(second["items"]) == 1
    status, _ = _get(world["admin"], "/scores?min_p_alive=2")
    assert status == 422


def test_party_without_a_score_is_404(world: dict[str, Any]) -> None:
    fresh = Party.objects.create(ref="NEW", name="New")
    status, body = _get(world["admin"], f"/parties/{fresh.pk}/score")
    # Every 404 reads alike, so it never tells an invisible record from a missing one.
    assert status == 404 and body["status"] == 404
