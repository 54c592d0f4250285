"""The notifications page (newest first, mark read) and the daily digest preference."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from clientela.crm.errors import RecordNotFound
from clientela.crm.notifications import actions, queries
from clientela.crm.notifications.access import access_notification_by_id
from clientela.crm.notifications.models import Notification
from clientela.web.layout import render_page
from clientela.web.paging import is_htmx


def target_url(n: Notification) -> str:
    """Where a notification leads: the customer the task or case is about, else My day."""
    party_id: int | None = None
    if n.task is not None:
        t = n.task
        party_id = t.party_id or (t.deal.party_id if t.deal else None) or (t.case.party_id if t.case else None)
    elif n.case is not None:
        party_id = n.case.party_id
    return reverse("web:customer", args=[party_id]) if party_id else reverse("web:my-day")


def _items(user: Any) -> list[tuple[Notification, str]]:
    return [(n, target_url(n)) for n in queries.latest(user)]


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    context = {
        "items": _items(request.user),
        "preference": queries.digest_preference(request.user),
        "has_email": bool(request.user.email),
    }
    return render_page(request, "web/notifications/list.html", context, section="notifications")


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    try:
        n = access_notification_by_id(request.user, notification_id)
    except RecordNotFound:
        raise Http404("no such notification") from None
    actions.mark_read(request.user, n)
    if not is_htmx(request):
        return redirect("web:notifications")
    return render(request, "web/notifications/_item.html", {"n": n, "url": target_url(n)})


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    actions.mark_all_read(request.user)
    return redirect("web:notifications")


@login_required
@require_POST
def digest_preference(request: HttpRequest) -> HttpResponse:
    """Turn the daily e-mail digest on or off, in the language the page is shown in."""
    language = get_language() or ""
    codes = {code for code, _name in settings.LANGUAGES}
    actions.set_digest_preference(request.user, email_digest=request.POST.get("email_digest") == "on",
                                  language=language if language in codes else "")
    return redirect(reverse("web:notifications") + "?saved=1")
