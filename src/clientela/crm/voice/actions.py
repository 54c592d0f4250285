"""Every write to themes: the refresh that finds them, and a person's rename, merge and pin.
Each takes the acting user first (``None``: the schedule) and is audited (entity ``theme``).

``refresh_themes`` themes the last 12 months' comments of each language with
``insight.themes.find_themes`` and keeps what people made of earlier themes: a theme found
again — its top terms overlap a stored theme's by a Jaccard index of at least
``SAME_THEME`` — keeps its row, its name when a person renamed it, and its pin; a theme
merged into another gives its answers to that one; a pinned theme no refresh finds is
kept (with the answers it had); other stored themes nobody found again are dropped.
Each answer of the window gets the themes found for it, replacing what it had.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from clientela.crm.audit.actions import record_change
from clientela.crm.errors import InvalidInput
from clientela.crm.feedback.models import SurveyResponse
from clientela.crm.voice.models import AnswerTheme, Theme

SAME_THEME = 0.25


class ThemeError(InvalidInput):
    """A theme change was refused; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: message})
        self.field = field


def _jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def _final(theme: Theme, by_id: dict[int, Theme]) -> Theme:
    seen = set()
    while theme.merged_into_id and theme.merged_into_id in by_id and theme.pk not in seen:
        seen.add(theme.pk)
        theme = by_id[theme.merged_into_id]
    return theme


@transaction.atomic
def refresh_themes(actor: Any, now: datetime | None = None, *, months: int = 12) -> dict[str, int]:
    """Find the themes of the window's comments and give each answer its themes."""
    from clientela.crm.feedback.themes import comment_language
    from clientela.insight.themes import find_themes

    now = now or timezone.now()
    since = now - timedelta(days=round(months * 30.44))
    rows = list(SurveyResponse.objects.filter(answered_at__gte=since, answered_at__lte=now).exclude(comment="")
                .order_by("id").values_list("id", "comment", "party__language"))
    languages = [comment_language(text, lang) for _id, text, lang in rows]
    stored = {t.pk: t for t in Theme.objects.select_for_update()}
    counts = {"answers": len(rows), "themes": 0, "new": 0, "dropped": 0}
    found_ids: set[int] = set()
    links: list[AnswerTheme] = []
    for language in sorted(set(languages)):
        mine = [i for i, lang in enumerate(languages) if lang == language]
        themes = find_themes([rows[i][1] for i in mine], [language] * len(mine))
        # Merged themes match too: what is found again of them goes to the theme they were merged into.
        candidates = [t for t in stored.values() if t.language == language]
        for found in themes:
            best = max(candidates, key=lambda t: _jaccard(t.terms, found.terms), default=None)
            if best is not None and _jaccard(best.terms, found.terms) >= SAME_THEME and best.pk not in found_ids:
                theme = best
                theme.terms = found.terms
                if not theme.renamed:
                    theme.name = found.name
                theme.refreshed_at = now
                theme.save(update_fields=["terms", "name", "refreshed_at"])
            else:
                theme = Theme.objects.create(language=language, name=found.name, terms=found.terms,
                                             refreshed_at=now)
                stored[theme.pk] = theme
                counts["new"] += 1
            found_ids.add(theme.pk)
            target = _final(theme, stored)
            links += [AnswerTheme(response_id=rows[mine[j]][0], theme=target) for j in found.answers]
    # Answers of the window lose their old themes, except those of pinned themes nobody found again.
    keep = [t.pk for t in stored.values() if t.pinned and t.pk not in found_ids]
    AnswerTheme.objects.filter(response_id__in=[r[0] for r in rows]).exclude(theme_id__in=keep).delete()
    AnswerTheme.objects.bulk_create(links, ignore_conflicts=True)
    gone = [t.pk for t in stored.values()
            if t.pk not in found_ids and not t.pinned and not t.renamed and not t.merged.exists()
            and t.merged_into_id is None]
    counts["dropped"] = Theme.objects.filter(pk__in=gone).delete()[1].get("voice.Theme", 0)
    counts["themes"] = len(found_ids)
    record_change(actor, entity="theme", object_id="refresh", action="update",
                  changes={"themes": (None, counts["themes"]), "answers": (None, counts["answers"])})
    return counts


def queue_refresh(actor: Any) -> Any:
    """Queue ``refresh_themes`` as a ``voice.refresh`` job for the worker (audited as the job's
    creation); returns the job."""
    from clientela.crm.jobs.actions import enqueue_job

    return enqueue_job(actor, kind="voice.refresh", params={"actor_id": getattr(actor, "pk", None)},
                       label="Refresh the feedback themes")


def _audit(actor: Any, theme: Theme, field: str, old: Any, new: Any) -> None:
    record_change(actor, entity="theme", object_id=theme.pk, action="update", changes={field: (old, new)})


@transaction.atomic
def rename_theme(actor: Any, theme: Theme, name: str) -> Theme:
    name = (name or "").strip()
    if not name:
        raise ThemeError("name", "must not be empty")
    if len(name) > 120:
        raise ThemeError("name", "at most 120 characters")
    old = theme.name
    theme.name, theme.renamed = name, True
    theme.save(update_fields=["name", "renamed"])
    _audit(actor, theme, "name", old, name)
    return theme


@transaction.atomic
def merge_themes(actor: Any, source: Theme, target: Theme) -> Theme:
    """Fold ``source`` into ``target`` (same language): its answers count for ``target``."""
    if source.pk == target.pk:
        raise ThemeError("target", "a theme cannot be merged into itself")
    if source.language != target.language:
        raise ThemeError("target", "themes of different languages cannot be merged")
    if target.merged_into_id is not None:
        raise ThemeError("target", "that theme is itself merged into another")
    have = set(AnswerTheme.objects.filter(theme=target).values_list("response_id", flat=True))
    moving = AnswerTheme.objects.filter(theme=source)
    moving.filter(response_id__in=have).delete()
    moving.update(theme=target)
    Theme.objects.filter(merged_into=source).update(merged_into=target)
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    _audit(actor, source, "merged_into_id", None, target.pk)
    return target


@transaction.atomic
def pin_theme(actor: Any, theme: Theme, pinned: bool) -> Theme:
    old = theme.pinned
    theme.pinned = bool(pinned)
    theme.save(update_fields=["pinned"])
    if old != theme.pinned:
        _audit(actor, theme, "pinned", old, theme.pinned)
    return theme
