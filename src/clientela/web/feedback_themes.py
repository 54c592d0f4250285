"""The feedback page's theme controls: refresh (a job), rename, merge into another theme,
pin — for roles that may change surveys (admin, marketer); each through
``voice.actions``, audited, back to the feedback page with what happened."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.crm.voice import actions
from clientela.crm.voice.access import may_shape_themes
from clientela.crm.voice.models import Theme


def may_edit_themes(user: object) -> bool:
    return may_shape_themes(user)


def _theme(request: HttpRequest, theme_id: int) -> Theme:
    if not may_edit_themes(request.user):
        raise PermissionDenied
    theme = Theme.objects.filter(pk=theme_id, merged_into__isnull=True).first()
    if theme is None:
        raise Http404("no such theme")
    return theme


def _back() -> HttpResponse:
    return redirect(f"{reverse('web:feedback')}#drivers-heading")


@login_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    if not may_edit_themes(request.user):
        raise PermissionDenied
    actions.queue_refresh(request.user)
    messages.success(request, _("The themes are being found again; the page shows them when the job is done."))
    return _back()


@login_required
@require_POST
def rename(request: HttpRequest, theme_id: int) -> HttpResponse:
    theme = _theme(request, theme_id)
    try:
        actions.rename_theme(request.user, theme, request.POST.get("name", ""))
    except actions.ThemeError:
        messages.error(request, _("Give the theme a name of at most 120 characters."))
    return _back()


@login_required
@require_POST
def merge(request: HttpRequest, theme_id: int) -> HttpResponse:
    theme = _theme(request, theme_id)
    target_id = request.POST.get("target", "")
    target = Theme.objects.filter(pk=int(target_id)).first() if target_id.isdigit() else None
    if target is None:
        messages.error(request, _("Choose the theme to merge into."))
        return _back()
    try:
        actions.merge_themes(request.user, theme, target)
    except actions.ThemeError:
        messages.error(request, _("Only two themes of the same language can be merged."))
    else:
        messages.success(request, _("Merged into %(name)s.") % {"name": target.name})
    return _back()


@login_required
@require_POST
def pin(request: HttpRequest, theme_id: int) -> HttpResponse:
    theme = _theme(request, theme_id)
    actions.pin_theme(request.user, theme, request.POST.get("pinned") == "1")
    return _back()
