"""/experiments, /experiments/{id}, /experiments/{id}/assignments, /experiments/{id}/outcome,
/holdout."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router

from clientela.api.fields import PathId, Text
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of
from clientela.api.responses import answers
from clientela.api.schemas.experiments import (
    AssignmentOut,
    ExperimentOut,
    HoldoutOut,
    HoldoutUpdate,
    OutcomeOut,
)
from clientela.crm.accounts.permissions import require, scope_queryset
from clientela.crm.experiments.access import (
    access_experiment_by_id,
    hidden_figures,
    visible_experiments,
)
from clientela.crm.experiments.actions import configure_holdout
from clientela.crm.experiments.models import Assignment
from clientela.crm.experiments.outcomes import outcome, summary
from clientela.crm.experiments.queries import holdout_state, list_experiments

router = Router(tags=["experiments"])


def _experiment_out(e: Any) -> ExperimentOut:
    return ExperimentOut(id=e.pk, name=e.name, kind=e.subject_kind, subject_id=e.subject_id,
                         control_share=float(e.control_share), seed=e.seed, measure_days=e.measure_days,
                         treated=e.treated_n, control=e.control_n, created_at=e.created_at)


@router.get("/experiments", response=answers(200, Page[ExperimentOut]))
def list_all(
    request: HttpRequest,
    kind: Literal["campaign", "playbook"] | None = None,
    ordering: Literal["created_at", "-created_at"] = "-created_at",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[ExperimentOut]:
    """The control-group experiments of campaigns and playbooks, with their group sizes."""
    require(request.auth, "campaign")
    qs = list_experiments(kind).filter(id__in=visible_experiments(request.auth).values("id"))
    return page_of(Page[ExperimentOut], qs, _experiment_out, ordering=ordering, allowed=("created_at",),
                   cursor=cursor, limit=limit)


@router.get("/experiments/{experiment_id}", response=answers(200, ExperimentOut))
def get_one(request: HttpRequest, experiment_id: PathId) -> ExperimentOut:
    """One experiment: its subject, control share, seed and window."""
    experiment = access_experiment_by_id(request.auth, experiment_id)
    return _experiment_out(list_experiments().get(pk=experiment.pk))


@router.get("/experiments/{experiment_id}/assignments", response=answers(200, Page[AssignmentOut]))
def list_assignments(
    request: HttpRequest,
    experiment_id: PathId,
    group: Literal["treated", "control"] | None = None,
    ordering: Literal["id", "-id"] = "id",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[AssignmentOut]:
    """Each party's group (of the parties you may see): who was held out, recorded."""
    experiment = access_experiment_by_id(request.auth, experiment_id)
    qs = scope_queryset(request.auth, Assignment.objects.filter(experiment=experiment),
                        owner_field="party__owner", team_field="party__team")
    if group:
        qs = qs.filter(group=group)
    return page_of(Page[AssignmentOut], qs, lambda a: AssignmentOut(
        party_id=a.party_id, group=a.group, stratum=a.stratum, assigned_at=a.assigned_at),
        ordering=ordering, allowed=("id",), cursor=cursor, limit=limit)


@router.get("/experiments/{experiment_id}/outcome", response=answers(200, OutcomeOut))
def get_outcome(request: HttpRequest, experiment_id: PathId) -> OutcomeOut:
    """The outcome report: treated against control over the window, each difference with
    its 95 % interval; cost, incremental profit, ROI and incremental customer equity."""
    experiment = access_experiment_by_id(request.auth, experiment_id)
    return OutcomeOut(**summary(outcome(experiment), hidden=hidden_figures(request.auth)))


def _holdout_out() -> HoldoutOut:
    config, members = holdout_state()
    return HoldoutOut(enabled=config.enabled, share=float(config.share), members=members,
                      changed_at=config.changed_at)


@router.get("/holdout", response=answers(200, HoldoutOut))
def get_holdout(request: HttpRequest) -> HoldoutOut:
    """The global holdout: customers no campaign or playbook ever contacts."""
    require(request.auth, "campaign")
    return _holdout_out()


@router.put("/holdout", response=answers(200, HoldoutOut))
def put_holdout(request: HttpRequest, payload: HoldoutUpdate) -> HoldoutOut:
    """Turn the global holdout on or off and set its share."""
    configure_holdout(request.auth, enabled=payload.enabled, share=payload.share)
    return _holdout_out()
