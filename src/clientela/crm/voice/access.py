"""Fetch feedback themes for a user, or refuse.

Themes are read by whoever may read survey answers (the feedback page's rule; the answers
counted are those of the parties in the reader's scope) and shaped — renamed, merged,
pinned, found again — by whoever may change surveys (admin, marketer)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.accounts.permissions import Op, can, first_or_refuse, require
from clientela.crm.voice.models import Theme


def visible_themes(user: Any) -> QuerySet[Theme]:
    if not can(user, "survey_response", "view"):
        return Theme.objects.none()
    return Theme.objects.all()


def may_shape_themes(user: Any) -> bool:
    return can(user, "survey", "update")


def require_shaping(user: Any) -> None:
    """Refuse (403) unless the user may rename, merge, pin and refresh themes."""
    require(user, "survey", "update")


def access_theme_by_id(user: Any, theme_id: int, *, op: Op = "view") -> Theme:
    """A theme the user may see (404 otherwise); to change it (``op`` other than view) the
    user must also be allowed to change surveys (403)."""
    theme = first_or_refuse(user, visible_themes(user), theme_id, entity="survey_response")
    if op != "view":
        require_shaping(user)
    return theme  # type: ignore[no-any-return]
