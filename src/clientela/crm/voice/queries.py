"""The stored themes' drivers and trends, within a reader's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from clientela.crm.feedback.access import visible_responses
from clientela.crm.voice.models import AnswerTheme, Theme


@dataclass(frozen=True)
class StoredDriver:
    theme: Theme
    driver: Any          # insight.themes.Driver
    months: list[int]    # answers with the theme in each of the last 12 months, oldest first


def has_themes() -> bool:
    return Theme.objects.exists()


def themes_of(response_ids: list[int]) -> dict[int, list[Theme]]:
    """The stored themes of each answer (a merged theme as the one it was merged into),
    by answer id, in name order (one query)."""
    found: dict[int, list[Theme]] = {}
    for link in (AnswerTheme.objects.filter(response_id__in=response_ids)
                 .select_related("theme", "theme__merged_into").order_by("theme__name", "theme_id")):
        theme = link.theme.merged_into or link.theme
        mine = found.setdefault(link.response_id, [])
        if theme not in mine:
            mine.append(theme)
    return found


def stored_drivers(user: Any, *, months: int = 12) -> list[StoredDriver]:
    """The stored themes (merged ones counted in their target) with what each does to
    the NPS of the answers ``user`` may see, most negative first."""
    from clientela.insight.themes import Theme as Found
    from clientela.insight.themes import drivers

    now = timezone.now()
    since = now - timedelta(days=round(months * 30.44))
    answers = list(visible_responses(user).filter(kind="nps", answered_at__gte=since).exclude(comment="")
                   .order_by("id").values_list("id", "score"))
    position = {rid: i for i, (rid, _score) in enumerate(answers)}
    themes = {t.pk: t for t in Theme.objects.filter(merged_into__isnull=True)}
    members: dict[int, list[int]] = {pk: [] for pk in themes}
    for rid, tid in AnswerTheme.objects.filter(theme_id__in=themes, response_id__in=position).values_list(
            "response_id", "theme_id"):
        members[tid].append(position[rid])
    found = [Found(language=themes[pk].language, terms=list(themes[pk].terms), answers=sorted(m))
             for pk, m in members.items() if m]
    ids = [pk for pk, m in members.items() if m]
    by_name: dict[tuple[str, str], int] = {}
    for pk, f in zip(ids, found, strict=True):
        by_name[(f.language, f.name)] = pk
    month_counts: dict[int, dict[Any, int]] = {pk: {} for pk in ids}
    for tid, month, n in (AnswerTheme.objects.filter(theme_id__in=ids, response_id__in=position)
                          .annotate(month=TruncMonth("response__answered_at")).values_list("theme_id", "month")
                          .annotate(n=Count("id"))):
        month_counts[tid][month.date() if hasattr(month, "date") else month] = n
    first = (now.date().replace(day=1) - timedelta(days=30 * (months - 1))).replace(day=1)
    calendar = []
    day = first
    for _ in range(months):
        calendar.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    out = []
    for d in drivers(found, [score for _rid, score in answers]):
        pk = by_name[(d.language, d.name)]
        out.append(StoredDriver(theme=themes[pk], driver=d,
                                months=[month_counts[pk].get(m, 0) for m in calendar]))
    return out
