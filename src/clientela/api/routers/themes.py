"""/feedback-themes: the themes found in survey comments — list, drivers, rename, pin,
merge, and finding them again as a job."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from clientela.api.conditional import change_if_match
from clientela.api.fields import PathId, Text
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of
from clientela.api.patching import patch_values
from clientela.api.responses import answers, with_etag
from clientela.api.routers.jobs import accepted
from clientela.api.schemas.jobs import JobOut
from clientela.api.schemas.themes import DriverOut, ThemeMerge, ThemeOut, ThemeUpdate
from clientela.crm.accounts.permissions import require
from clientela.crm.errors import InvalidInput, RecordNotFound
from clientela.crm.feedback.access import visible_responses
from clientela.crm.query_filters import filter_given
from clientela.crm.voice import access, actions
from clientela.crm.voice.models import Theme
from clientela.crm.voice.queries import stored_drivers

router = Router(tags=["feedback themes"])


def _counted(user: object, themes: object) -> object:
    """Themes with the number of answers the user may see that have them (one query)."""
    mine = Q(answers__response__in=visible_responses(user))
    return themes.annotate(n_answers=Count("answers", filter=mine))  # type: ignore[attr-defined]


def _theme_out(t: Theme) -> ThemeOut:
    return ThemeOut(id=t.pk, name=t.name, language=t.language, terms=list(t.terms), renamed=t.renamed,
                    pinned=t.pinned, merged_into_id=t.merged_into_id, answers=getattr(t, "n_answers", 0),
                    refreshed_at=t.refreshed_at)


def _out_for(user: object) -> Callable[[Theme], ThemeOut]:
    """A renderer that counts the user's answers of a theme not fetched with its count
    (the row re-read under a lock by a PATCH)."""
    def render(t: Theme) -> ThemeOut:
        if not hasattr(t, "n_answers"):
            t.n_answers = t.answers.filter(response__in=visible_responses(user)).count()  # type: ignore[attr-defined]
        return _theme_out(t)
    return render


def _fetch(request: HttpRequest, theme_id: int, op: str = "view") -> Theme:
    access.access_theme_by_id(request.auth, theme_id, op=op)  # type: ignore[arg-type]
    return _counted(request.auth, Theme.objects.filter(pk=theme_id)).get()  # type: ignore[attr-defined, no-any-return]


@router.get("/feedback-themes", response=answers(200, Page[ThemeOut]))
def list_themes(
    request: HttpRequest,
    language: Literal["en", "pl", "ru"] | None = None,
    merged: bool = False,
    ordering: Literal["name", "-name", "language", "-language"] = "name",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[ThemeOut]:
    """The stored themes of survey comments (found by the nightly refresh or a person's
    *refresh*, shaped by people), with how many answers you may see have each. Themes
    merged into another are left out unless ``merged=true``."""
    require(request.auth, "survey_response")
    qs = access.visible_themes(request.auth)
    if not merged:
        qs = qs.filter(merged_into__isnull=True)
    qs = filter_given(qs, language=language)
    return page_of(Page[ThemeOut], _counted(request.auth, qs), _theme_out,
                   ordering=ordering, allowed=("name", "language"), cursor=cursor, limit=limit)


@router.get("/feedback-themes/drivers", response=answers(200, list[DriverOut]))
def list_drivers(request: HttpRequest) -> list[DriverOut]:
    """What each stored theme does to the NPS of the last 12 months' answers you may see,
    most negative effect first: its share among detractors' and promoters' comments, the
    NPS with minus without its answers, and its coefficient in a regression of the score
    on every theme (an association, not a proven cause)."""
    require(request.auth, "survey_response")
    return [DriverOut(theme_id=s.theme.pk, name=s.theme.name, terms=list(s.theme.terms), language=s.theme.language,
                      answers=s.driver.answers, share_detractors=s.driver.share_detractors,
                      share_promoters=s.driver.share_promoters, nps_effect=s.driver.nps_effect,
                      score_coefficient=s.driver.score_coefficient)
            for s in stored_drivers(request.auth)]


@router.post("/feedback-themes/refresh", response=answers(202, JobOut))
def refresh_themes(request: HttpRequest, response: HttpResponse) -> Status[JobOut]:
    """Find the themes of the last 12 months' comments again, as a job (``voice.refresh``):
    renamed themes keep their names, pinned ones stay, merged ones keep counting for their
    target. 202 with the job in ``Location``."""
    access.require_shaping(request.auth)
    return accepted(response, actions.queue_refresh(request.auth))


@router.get("/feedback-themes/{theme_id}", response=answers(200, ThemeOut))
def get_theme(request: HttpRequest, response: HttpResponse, theme_id: PathId) -> ThemeOut:
    """One theme with its ``ETag``."""
    return with_etag(response, _theme_out(_fetch(request, theme_id)))


@router.patch("/feedback-themes/{theme_id}", response=answers(200, ThemeOut))
def update_theme(request: HttpRequest, response: HttpResponse, theme_id: PathId, payload: ThemeUpdate) -> ThemeOut:
    """Rename a theme (later refreshes keep the name) or pin it (kept at every refresh);
    ``If-Match`` required. Audited."""
    def change(theme: Theme) -> Theme:
        values = patch_values(payload)
        if "name" in values:
            actions.rename_theme(request.auth, theme, values["name"])
        if "pinned" in values:
            actions.pin_theme(request.auth, theme, values["pinned"])
        return _fetch(request, theme_id, "update")

    return with_etag(response, change_if_match(
        request, lambda op: access.access_theme_by_id(request.auth, theme_id, op=op), _out_for(request.auth), change))


@router.post("/feedback-themes/{theme_id}/merge", response=answers(200, ThemeOut))
def merge_theme(request: HttpRequest, theme_id: PathId, payload: ThemeMerge) -> ThemeOut:
    """Fold this theme into another of the same language: its answers count for that one,
    which is returned. 422 naming ``into_id`` for a theme of another language, itself, or
    one merged already. Audited."""
    source = access.access_theme_by_id(request.auth, theme_id, op="update")
    try:
        target = access.access_theme_by_id(request.auth, payload.into_id)
    except RecordNotFound:
        raise InvalidInput({"into_id": f"no theme {payload.into_id}"}) from None
    try:
        actions.merge_themes(request.auth, source, target)
    except actions.ThemeError as exc:
        raise InvalidInput({"into_id": exc.errors.get("target", str(exc))}) from None
    return _theme_out(_fetch(request, target.pk))
