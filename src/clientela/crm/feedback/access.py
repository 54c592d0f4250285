"""Fetch surveys and responses for a user, or refuse.

Surveys are shared (entity ``survey``). A response is about a party, so a user sees
the responses of the parties in their record scope (anonymous responses: ``all``
scopes only).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.accounts.permissions import Op, can, first_or_refuse, scope_queryset
from clientela.crm.feedback.models import Survey, SurveyResponse


def visible_surveys(user: Any) -> QuerySet[Survey]:
    if not can(user, "survey", "view"):
        return Survey.objects.none()
    return Survey.objects.all()


def access_survey_by_id(user: Any, survey_id: int, *, op: Op = "view") -> Survey:
    return first_or_refuse(user, visible_surveys(user), survey_id, entity="survey", op=op)


def visible_responses(user: Any) -> QuerySet[SurveyResponse]:
    return scope_queryset(
        user, SurveyResponse.objects.all(), entity="survey_response",
        owner_field="party__owner", team_field="party__team",
    )


def access_response_by_id(user: Any, response_id: int, *, op: Op = "view") -> SurveyResponse:
    return first_or_refuse(user, visible_responses(user), response_id, entity="survey_response", op=op)


def may_view_responses(user: Any) -> bool:
    """May the user open pages of survey answers at all (record scope applies inside)?"""
    return can(user, "survey_response", "view")
