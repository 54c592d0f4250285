"""Public pages reached from links in mails: survey answers and unsubscribe. No login.

Both are capability URLs: the signed token in the path is the only key. An
invalid or tampered token answers 404. The survey form carries Django's CSRF
token. The unsubscribe POST is exempt from CSRF on purpose: RFC 8058 one-click
unsubscribe is a POST from the mail client, without cookies or a form token;
the signed token authorises it and withdrawing consent is idempotent.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from clientela.crm.engagement import sending
from clientela.crm.engagement import unsubscribe as unsubscribe_tokens
from clientela.crm.feedback import actions as feedback
from clientela.crm.parties.models import ConsentPurpose


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = feedback.invitation_for_token(token)
    if invitation is None:
        raise Http404("no such survey link")
    survey = invitation.survey
    low, high = survey.score_range
    context = {"survey": survey, "scores": range(low, high + 1), "error": "", "comment": ""}
    if invitation.answered_at is not None:
        return render(request, "public/survey_done.html", {"survey": survey, "already": True})
    if request.method == "POST":
        try:
            feedback.answer(
                token, score=request.POST.get("score", ""), comment=request.POST.get("comment", "")
            )
        except feedback.AlreadyAnswered:
            return render(request, "public/survey_done.html", {"survey": survey, "already": True})
        except feedback.FeedbackError:
            context["error"] = f"Please choose a score from {low} to {high}."
            context["comment"] = request.POST.get("comment", "")
            return render(request, "public/survey.html", context, status=422)
        except LookupError:
            raise Http404("no such survey link") from None
        return render(request, "public/survey_done.html", {"survey": survey, "already": False})
    return render(request, "public/survey.html", context)


PURPOSE_LABELS = dict(ConsentPurpose.choices)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    parsed = unsubscribe_tokens.read(token)
    if parsed is None:
        raise Http404("no such unsubscribe link")
    _, purpose, channel = parsed
    context = {"purpose": PURPOSE_LABELS.get(purpose, purpose), "channel": channel}
    if request.method == "POST":
        if sending.unsubscribe(token) is None:
            raise Http404("no such unsubscribe link")
        return render(request, "public/unsubscribed.html", context)
    return render(request, "public/unsubscribe.html", context)
