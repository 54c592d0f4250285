"""Rendering a page inside the common layout (menu, language switcher, user)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clientela.crm.labels import ROLES, label
from clientela.crm.notifications.queries import unread_count
from clientela.web.navigation import menu_for


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    section: str,
    status: int = 200,
) -> HttpResponse:
    """Render ``template`` with the menu of the user's role; ``section`` marks the open entry."""
    full = {
        "menu": menu_for(request.user),
        "section": section,
        "languages": settings.LANGUAGES,
        "role_label": label(ROLES, getattr(request.user, "role", "")),
        "notifications_unread": unread_count(request.user),  # the header's bell
        **context,
    }
    return render(request, template, full, status=status)
