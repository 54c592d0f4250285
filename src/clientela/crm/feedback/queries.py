"""Reads shared by pages and the API: responses and the NPS / CSAT figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet

from clientela.crm.feedback.models import Survey, SurveyResponse
from clientela.crm.query_filters import filter_given


def responses(survey: Survey | None = None) -> QuerySet[SurveyResponse]:
    return filter_given(SurveyResponse.objects.select_related("survey", "party"), survey=survey)


@dataclass(frozen=True)
class NpsFigures:
    responses: int
    promoters: int
    passives: int
    detractors: int
    nps: Decimal | None  # % promoters − % detractors, −100 … 100


def nps(survey: Survey, *, since: datetime | None = None, until: datetime | None = None) -> NpsFigures:
    """Net Promoter Score: promoters score 9–10, detractors 0–6 (Reichheld 2003)."""
    qs = SurveyResponse.objects.filter(survey=survey, kind="nps")
    if since is not None:
        qs = qs.filter(answered_at__gte=since)
    if until is not None:
        qs = qs.filter(answered_at__lt=until)
    row = qs.aggregate(
        n=Count("id"),
        promoters=Count("id", filter=Q(score__gte=9)),
        detractors=Count("id", filter=Q(score__lte=6)),
    )
    n, p, d = row["n"], row["promoters"], row["detractors"]
    score = (Decimal(100) * (p - d) / n).quantize(Decimal("0.1")) if n else None
    return NpsFigures(responses=n, promoters=p, passives=n - p - d, detractors=d, nps=score)


def csat(survey: Survey) -> tuple[int, Decimal | None, Decimal | None]:
    """(responses, mean score, share satisfied = scores 4–5)."""
    row = SurveyResponse.objects.filter(survey=survey, kind="csat").aggregate(
        n=Count("id"), mean=Avg("score"), satisfied=Count("id", filter=Q(score__gte=4))
    )
    n = row["n"]
    if not n:
        return 0, None, None
    mean = Decimal(str(row["mean"])).quantize(Decimal("0.01"))
    return n, mean, (Decimal(row["satisfied"]) / n).quantize(Decimal("0.0001"))
