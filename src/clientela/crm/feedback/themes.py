"""Themes and drivers of the NPS answers a user may see (``insight.themes`` over
``feedback.access.visible_responses``): the last 12 months' NPS answers with a comment,
each in its party's language (else the language its words look like).

Fitting takes a second or two for thousands of comments, so the answer is cached (the
shared cache) under the user's scope, the newest answer's id and the answer count: a new
answer or a change of scope computes it again.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from clientela.crm.feedback.access import visible_responses
from clientela.crm.feedback.models import SurveyResponse

CACHE_SECONDS = 600
MAX_ANSWERS = 20_000  # the newest ones, when there are more


def nps_drivers(user: Any, *, months: int = 12) -> list[Any]:
    """``insight.themes.Driver`` rows of the answers ``user`` may see, most negative
    effect on the score first."""
    return _drivers_of(visible_responses(user), months)


def company_nps_drivers(*, months: int = 12) -> list[dict[str, Any]]:
    """Every answer's themes and drivers, as plain data (``clientela report``'s
    ``feedback_themes``)."""
    return [{"name": d.name, "terms": d.terms, "language": d.language, "answers": d.answers,
             "share_detractors": round(d.share_detractors, 4), "share_promoters": round(d.share_promoters, 4),
             "nps_effect": round(d.nps_effect, 2), "score_coefficient": round(d.score_coefficient, 4)}
            for d in _drivers_of(SurveyResponse.objects.all(), months)]


def _drivers_of(responses: Any, months: int) -> list[Any]:
    since = timezone.now() - timedelta(days=round(months * 30.44))
    answers = responses.filter(kind="nps", answered_at__gte=since).exclude(comment="")
    stamp = answers.aggregate(n=Count("id"), last=Max("id"))
    if not stamp["n"]:
        return []
    scope = hashlib.sha256(str(answers.query).encode()).hexdigest()[:16]
    key = f"feedback-drivers:{scope}:{stamp['n']}:{stamp['last']}"
    found = cache.get(key)
    if found is None:
        found = _compute(answers)
        cache.set(key, found, CACHE_SECONDS)
    return list(found)


def _compute(answers: Any) -> list[Any]:
    from clientela.insight.themes import drivers, find_themes

    rows = list(answers.order_by("-id").values_list("comment", "score", "party__language")[:MAX_ANSWERS])
    texts = [r[0] for r in rows]
    languages = [comment_language(r[0], r[2]) for r in rows]
    out = []
    for language in sorted(set(languages)):
        positions = [i for i, lang in enumerate(languages) if lang == language]
        themes = find_themes([texts[i] for i in positions], [language] * len(positions))
        out += drivers(themes, [rows[i][1] for i in positions])
    return sorted(out, key=lambda d: d.score_coefficient)


def comment_language(text: str, party_language: str | None) -> str:
    """The language a comment is themed in: its party's when the themes know it, else
    the one its words look like."""
    from clientela.insight.themes import LANGUAGES, detect_language

    code = (party_language or "")[:2].lower()
    return code if code in LANGUAGES else detect_language(text)
