"""Public pages reached from links in mails: survey answers and unsubscribe. No login.

Both are capability URLs: the signed token in the path is the only key. An
invalid or tampered token answers 404. The survey form carries Django's CSRF
token. The unsubscribe POST is exempt from CSRF on purpose: RFC 8058 one-click
unsubscribe is a POST from the mail client, without cookies or a form token;
the signed token authorises it and withdrawing consent is idempotent.

The pages speak the customer's language: the party's own ``language`` when it is one the
app speaks (English, Polish, Russian), else the browser's (``LocaleMiddleware``). They
carry the company's name, logo and colour (``crm.branding``); the logo is served at
``/brand/logo/``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from clientela.crm.branding.queries import current as current_profile
from clientela.crm.branding.queries import logo as stored_logo
from clientela.crm.engagement import sending
from clientela.crm.engagement import unsubscribe as unsubscribe_tokens
from clientela.crm.feedback import actions as feedback
from clientela.crm.parties.models import Party

# What a consent covers and how it reaches the customer, as the unsubscribe pages say it
# ("Stop receiving <what> <how>?").
PURPOSES = {
    "marketing": gettext_lazy("marketing messages"),
    "newsletter": gettext_lazy("the newsletter"),
    "surveys": gettext_lazy("surveys"),
    "profiling": gettext_lazy("profiling for analytics"),
}
# The words at the two ends of each kind of survey's scale.
SCALE_ENDS = {
    "nps": (gettext_lazy("not at all likely"), gettext_lazy("extremely likely")),
    "csat": (gettext_lazy("very dissatisfied"), gettext_lazy("very satisfied")),
}
CHANNELS = {
    "email": gettext_lazy("by e-mail"),
    "sms": gettext_lazy("by text message"),
    "phone": gettext_lazy("by phone"),
}


def customer_language(request: HttpRequest, party_language: str | None) -> str:
    """The party's language when the app speaks it, else the browser's."""
    spoken = {code for code, _name in settings.LANGUAGES}
    code = (party_language or "").strip().lower()[:2]
    return code if code in spoken else translation.get_language() or settings.LANGUAGE_CODE


def _render(request: HttpRequest, language: str, template: str, context: dict[str, Any],
            status: int = 200) -> HttpResponse:
    with translation.override(language):
        response = render(request, template, {**context, "lang": language, "brand": current_profile()},
                          status=status)
    response["Content-Language"] = language
    return response


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = feedback.invitation_for_token(token)
    if invitation is None:
        raise Http404("no such survey link")
    language = customer_language(request, Party.objects.filter(pk=invitation.party_id)
                                 .values_list("language", flat=True).first())
    survey = invitation.survey
    low, high = survey.score_range
    context = {"survey": survey, "scores": range(low, high + 1), "error": "", "comment": "", "choice": "",
               "low": low, "high": high, "ends": SCALE_ENDS.get(survey.kind)}
    if invitation.answered_at is not None:
        return _render(request, language, "public/survey_done.html", {"survey": survey, "already": True})
    if request.method == "POST":
        try:
            feedback.answer(token, score=request.POST.get("score", ""), comment=request.POST.get("comment", ""),
                            choice=request.POST.get("choice", ""))
        except feedback.AlreadyAnswered:
            return _render(request, language, "public/survey_done.html", {"survey": survey, "already": True})
        except feedback.FeedbackError as exc:
            with translation.override(language):
                if exc.field == "choice":
                    context["error"] = _("Please choose one of the options given.")
                else:
                    context["error"] = _("Please choose a score from %(low)d to %(high)d.") % {"low": low, "high": high}
            context["comment"] = request.POST.get("comment", "")
            context["choice"] = request.POST.get("choice", "")
            return _render(request, language, "public/survey.html", context, status=422)
        except LookupError:
            raise Http404("no such survey link") from None
        return _render(request, language, "public/survey_done.html", {"survey": survey, "already": False})
    return _render(request, language, "public/survey.html", context)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    parsed = unsubscribe_tokens.read(token)
    if parsed is None:
        raise Http404("no such unsubscribe link")
    party_id, purpose, channel = parsed
    language = customer_language(request, Party.objects.filter(pk=party_id)
                                 .values_list("language", flat=True).first())
    context = {"purpose": PURPOSES.get(purpose, purpose), "channel": CHANNELS.get(channel, channel)}
    if request.method == "POST":
        if sending.unsubscribe(token) is None:
            raise Http404("no such unsubscribe link")
        return _render(request, language, "public/unsubscribed.html", context)
    return _render(request, language, "public/unsubscribe.html", context)


@require_GET
def brand_logo(request: HttpRequest) -> HttpResponse:
    """The company's logo (no login: the public pages show it); 404 when none is set."""
    found = stored_logo()
    if found is None:
        raise Http404("no logo")
    data, media_type, digest = found
    etag = f'"{digest}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified(headers={"ETag": etag})
    response = HttpResponse(data, content_type=media_type)
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
