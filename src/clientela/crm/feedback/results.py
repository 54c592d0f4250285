"""Per-survey results for the survey pages: invitations sent and answered, the score
distribution, NPS or CSAT, within the reader's record scope for the answers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from clientela.crm.feedback.access import visible_responses, visible_surveys
from clientela.crm.feedback.models import Survey, SurveyInvitation


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    invited: int
    answered: int
    responses: int          # answers the reader may see (invited or not)
    score: Decimal | None   # NPS (−100…100) or mean CSAT (1…5)

    @property
    def response_rate(self) -> Decimal | None:
        return (Decimal(self.answered) / self.invited).quantize(Decimal("0.0001")) if self.invited else None


def _score(kind: str, n: int, promoters: int, detractors: int, mean: Any) -> Decimal | None:
    if not n:
        return None
    if kind == "nps":
        return (Decimal(100) * (promoters - detractors) / n).quantize(Decimal("0.1"))
    return Decimal(str(mean)).quantize(Decimal("0.01"))


def survey_rows(user: Any, surveys: QuerySet[Survey] | None = None) -> list[SurveyRow]:
    """Each survey the user may see with its figures (three queries in all)."""
    surveys = (surveys if surveys is not None else visible_surveys(user)).order_by("-is_active", "name", "id")
    listed = list(surveys)
    ids = [s.pk for s in listed]
    invitations = {r["survey_id"]: r for r in SurveyInvitation.objects.filter(survey_id__in=ids)
                   .values("survey_id").annotate(n=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))}
    answers = {r["survey_id"]: r for r in visible_responses(user).filter(survey_id__in=ids).values("survey_id")
               .annotate(n=Count("id"), promoters=Count("id", filter=Q(score__gte=9)),
                         detractors=Count("id", filter=Q(score__lte=6)), mean=Avg("score"))}
    rows = []
    for s in listed:
        inv, ans = invitations.get(s.pk, {}), answers.get(s.pk, {})
        n = ans.get("n", 0)
        rows.append(SurveyRow(survey=s, invited=inv.get("n", 0), answered=inv.get("answered", 0), responses=n,
                              score=_score(s.kind, n, ans.get("promoters", 0), ans.get("detractors", 0),
                                           ans.get("mean"))))
    return rows


def distribution(user: Any, survey: Survey) -> list[tuple[int, int]]:
    """(score, answers) for every score of the survey's scale, within the user's scope."""
    low, high = survey.score_range
    counts = dict(visible_responses(user).filter(survey=survey).values_list("score").annotate(n=Count("id")))
    return [(score, counts.get(score, 0)) for score in range(low, high + 1)]


def latest_comments(user: Any, survey: Survey, n: int = 10) -> list[Any]:
    return list(visible_responses(user).filter(survey=survey).exclude(comment="")
                .select_related("party").order_by("-answered_at", "-id")[:n])


def choice_distribution(user: Any, survey: Survey) -> list[tuple[str, int]]:
    """(option, answers) for each option of the survey's choice question, in the survey's
    order, then options answers chose that the survey no longer offers, within the user's
    scope; empty for a survey without a choice question and no chosen options (one query)."""
    counts = dict(visible_responses(user).filter(survey=survey).exclude(choice="").values_list("choice")
                  .annotate(n=Count("id")))
    offered = list(survey.choice_options or [])
    return [(o, counts.get(o, 0)) for o in offered] + sorted((o, n) for o, n in counts.items() if o not in offered)
