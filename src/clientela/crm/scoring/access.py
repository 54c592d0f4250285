"""Who may read which scores: the scores of the parties a user may see, current run only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.accounts.permissions import can_see, scope_queryset
from clientela.crm.errors import NotPermitted, RecordNotFound
from clientela.crm.parties.access import access_party_by_id, visible_parties
from clientela.crm.scoring.models import CustomerScore, ModelRun
from clientela.crm.scoring.queries import current_run, current_scores


def visible_scores(user: Any) -> QuerySet[CustomerScore]:
    """Current-run scores of the parties the user may see (none when there is no run)."""
    return current_scores().filter(party__in=visible_parties(user))


def access_score_by_party(user: Any, party_id: int) -> CustomerScore:
    """The current score of a party the user may see; 404 for an invisible party or no score."""
    party = access_party_by_id(user, party_id)
    score = current_scores().filter(party=party).first()
    if score is None:
        raise RecordNotFound(f"party {party_id} has no score yet: run `clientela score`")
    return score


def may_plan_budgets(user: Any) -> bool:
    """The equity planner shows equity and margins: it needs both field groups."""
    if not can_see(user, "clv"):
        return False
    if not can_see(user, "margin"):
        return False
    return True


def access_planner_inputs(user: Any) -> tuple[ModelRun, dict[str, Any]]:
    """The current run and its equity-planner inputs (``summary["allocation"]``).

    NotPermitted for a user who may not see CLV and margins; RecordNotFound without a run.
    The inputs may be ``{"unavailable": reason}`` (or empty for runs scored before them)."""
    if not may_plan_budgets(user):
        raise NotPermitted(f"{getattr(user, 'role', 'anonymous')} may not see equity and margins")
    run = current_run()
    if run is None:
        raise RecordNotFound("no model run yet: run `clientela score`")
    return run, dict(run.summary.get("allocation") or {})


def may_see_model(user: Any) -> bool:
    """The lifetime-value model's figures (parameters, holdout, comparison) are CLV figures."""
    return can_see(user, "clv")


def access_model_run(user: Any) -> ModelRun | None:
    """The current run for the model page (None before the first run); NotPermitted for a
    user who may not see CLV."""
    if not may_see_model(user):
        raise NotPermitted(f"{getattr(user, 'role', 'anonymous')} may not see the CLV model")
    return current_run()


def visible_scores_in_run(user: Any, run: ModelRun) -> QuerySet[CustomerScore]:
    """Scores of ``run`` whose party the user may see (the party scope, applied through
    the score's party so that lists can walk the scores' own indexes)."""
    return scope_queryset(
        user, CustomerScore.objects.filter(run=run), entity="party",
        owner_field="party__owner", team_field="party__team",
    )
