"""The feedback page's "Invite" card: queue invitations to a survey for a segment's
members (``feedback.invitations.invite_to_survey``, the job the API and the CLI queue);
the jobs page follows it. For users who may write surveys."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.crm.accounts.permissions import can
from clientela.crm.engagement.access import access_segment_by_id, visible_segments
from clientela.crm.errors import InvalidInput, NotPermitted, RecordNotFound
from clientela.crm.feedback.access import access_survey_by_id, visible_surveys
from clientela.crm.feedback.invitations import invite_to_survey
from clientela.crm.jobs.access import may_view_jobs

SHOWN_SEGMENTS = 200


def _messages() -> dict[str, str]:
    return {
        "survey": _("Choose an active survey."),
        "segment": _("Choose a segment."),
        "channel": _("The SMS gateway is not configured."),
    }


def invite_card(request: HttpRequest, survey: Any = None) -> dict[str, Any] | None:
    """The card's context on the feedback page (any active survey) or on ``survey``'s
    page, or None when the user may not invite."""
    user = request.user
    if not can(user, "survey", "update"):
        return None
    error = _messages().get(request.GET.get("invite_error", ""), "")
    invited = request.GET.get("invited", "")
    surveys = visible_surveys(user).filter(is_active=True).order_by("name")
    if survey is not None:
        surveys = surveys.filter(pk=survey.pk)
    return {
        "survey": survey,
        "surveys": list(surveys),
        "segments": list(visible_segments(user).order_by("name")[:SHOWN_SEGMENTS]),
        "error": error, "invited": invited if invited.isdigit() else "",
        "may_view_jobs": may_view_jobs(user),
    }


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    back = reverse("web:feedback")
    if not can(request.user, "survey", "update"):
        raise PermissionDenied
    try:
        survey = access_survey_by_id(request.user, int(request.POST.get("survey", "0") or 0), op="update")
    except (RecordNotFound, NotPermitted, ValueError):
        return HttpResponseRedirect(back + "?invite_error=survey#invite")
    if request.POST.get("back") == "survey":  # the card on the survey's own page
        back = reverse("web:survey", args=[survey.pk])
    try:
        segment = access_segment_by_id(request.user, int(request.POST.get("segment", "0") or 0))
    except (RecordNotFound, NotPermitted, ValueError):
        return HttpResponseRedirect(back + "?invite_error=segment#invite")
    channel = request.POST.get("channel", "email")
    try:
        job = invite_to_survey(request.user, survey, segment=segment, channel=channel)
    except InvalidInput as exc:
        field = next((f for f in ("survey", "channel") if f in exc.errors), "survey")
        return HttpResponseRedirect(back + f"?invite_error={field}#invite")
    return HttpResponseRedirect(back + f"?invited={job.pk}#invite")
