"""/scores and /parties/{id}/score: the current scoring run, read-only."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router

from clientela.api.fields import MAX_ID, PathId, Text
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, paginate
from clientela.api.responses import answers
from clientela.api.schemas.scoring import ScoreOut
from clientela.crm.accounts.permissions import can_see, require, visible_values
from clientela.crm.errors import NotPermitted
from clientela.crm.query_filters import filter_given
from clientela.crm.scoring import access, queries
from clientela.crm.scoring.models import CustomerScore
from clientela.crm.scoring.reasons import product_names, reason_for, run_currency

router = Router(tags=["scores"])

ActionValue = Literal["acquire", "retain", "develop", "win_back", "nurture", "managed_exit", "none"]
StageValue = Literal["prospect", "customer", "client", "supporter", "advocate", "partner"]


def _score_out(user: Any, score: CustomerScore, names: dict[str, str] | None = None) -> ScoreOut:
    """One score with the figures the user's role may see; the reason is built from the
    same rules (``scoring.reasons``)."""
    return ScoreOut(**visible_values(user, "score", {
        "party_id": score.party_id, "party_ref": score.party.ref, "run_id": score.run_id,
        "scored_as_of": score.run.observation_end, "model": score.run.model_name,
        "p_alive": score.p_alive, "churn_risk": score.churn_risk,
        "expected_purchases_90": score.expected_purchases_90,
        "expected_purchases_365": score.expected_purchases_365,
        "expected_spend": score.expected_spend, "clv": score.clv,
        "clv_low": score.clv_low, "clv_high": score.clv_high,
        "rfm_r": score.rfm_r, "rfm_f": score.rfm_f, "rfm_m": score.rfm_m, "rfm_segment": score.rfm_segment,
        "ladder_stage": score.ladder_stage, "revenue": score.revenue,
        "net_contribution": score.net_contribution, "unprofitable": score.unprofitable,
        "next_best_action": score.next_best_action,
        "nba_reason": reason_for(user, score, currency=run_currency(score.run),
                                 names=names if names is not None else product_names([score])),
        "nba_product_sku": score.nba_product_sku,
    }))


@router.get("/scores", response=answers(200, Page[ScoreOut]))
def list_scores(
    request: HttpRequest,
    next_best_action: ActionValue | None = None,
    ladder_stage: StageValue | None = None,
    rfm_segment: Text(24) | None = None,  # type: ignore[valid-type]
    min_p_alive: float | None = Query(None, ge=0, le=1),  # noqa: B008
    max_p_alive: float | None = Query(None, ge=0, le=1),  # noqa: B008
    party_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    ordering: Literal["id", "-id", "clv", "-clv"] = "id",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[ScoreOut]:
    """Scores of the current run for the parties the caller may see."""
    require(request.auth, "party")
    if ordering.lstrip("-") == "clv" and not can_see(request.auth, "clv"):
        raise NotPermitted("ordering: your role may not see CLV, so it may not sort by it")
    qs = queries.list_scores(
        access.visible_scores(request.auth), next_best_action=next_best_action,
        ladder_stage=ladder_stage, rfm_segment=rfm_segment,
        min_p_alive=min_p_alive, max_p_alive=max_p_alive,
    )
    qs = filter_given(qs, party_id=party_id)
    items, next_cursor = paginate(qs, ordering=ordering, allowed=("id", "clv"), cursor=cursor, limit=limit)
    names = product_names(items)
    return Page[ScoreOut](items=[_score_out(request.auth, s, names) for s in items], next_cursor=next_cursor)


@router.get("/parties/{party_id}/score", response=answers(200, ScoreOut))
def get_party_score(request: HttpRequest, party_id: PathId) -> ScoreOut:
    """The current score of one party (404 when invisible or not scored yet)."""
    return _score_out(request.auth, access.access_score_by_party(request.auth, party_id))
