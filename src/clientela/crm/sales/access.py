"""Fetch pipelines and deals for a user, or refuse.

Deals are owned records: the role's record scope (own / team / all) decides which a
user reaches. A deal outside it raises ``RecordNotFound`` (404); a visible deal the
role may not change raises ``NotPermitted`` (403). Pipelines and their stages are
shared configuration (entity ``pipeline``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.accounts.permissions import (
    Op,
    can,
    first_or_refuse,
    scope_queryset,
    within_scope,
)
from clientela.crm.errors import NotPermitted, RecordNotFound
from clientela.crm.sales.models import Deal, DealLine, Pipeline, Stage


def visible_pipelines(user: Any) -> QuerySet[Pipeline]:
    if not can(user, "pipeline", "view"):
        return Pipeline.objects.none()
    return Pipeline.objects.all()


def access_pipeline_by_id(user: Any, pipeline_id: int, *, op: Op = "view") -> Pipeline:
    return first_or_refuse(user, visible_pipelines(user), pipeline_id, entity="pipeline", op=op)


def access_stage_by_id(user: Any, stage_id: int, *, op: Op = "view") -> Stage:
    """Stages are part of their pipeline: changing one is changing the pipeline."""
    stage = Stage.objects.filter(pk=stage_id, pipeline__in=visible_pipelines(user)).first()
    if stage is None:
        raise RecordNotFound(f"stage {stage_id}")
    if not can(user, "pipeline", op if op == "view" else "update"):
        raise NotPermitted(f"{user.role} may not change pipelines")
    return stage


def visible_deals(user: Any) -> QuerySet[Deal]:
    return scope_queryset(user, Deal.objects.all(), entity="deal")


def access_deal_by_id(user: Any, deal_id: int, *, op: Op = "view") -> Deal:
    return first_or_refuse(user, visible_deals(user), deal_id, entity="deal", op=op)


def check_deal_assignment(user: Any, *, owner_id: int | None, team_id: int | None) -> None:
    """A user may only give a deal an owner and team inside their own scope."""
    if not within_scope(user, owner_id=owner_id, team_id=team_id, entity="deal"):
        raise NotPermitted("owner/team: outside your record scope")


def access_deal_line_by_id(user: Any, line_id: int, *, op: Op = "update") -> DealLine:
    """A deal's product line is part of the deal: changing it is changing the deal."""
    line = DealLine.objects.filter(pk=line_id, deal__in=visible_deals(user)).select_related("deal").first()
    if line is None:
        raise RecordNotFound(f"deal line {line_id}")
    if not can(user, "deal", op if op == "view" else "update"):
        raise NotPermitted(f"{user.role} may not change deals")
    return line
