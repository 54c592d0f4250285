"""The user's time zone for the pages that show times to the minute (the case queue and
page): the browser reports its zone in the ``clientela_tz`` cookie (web/static/web/
global_search.js sets it); without it, or with a zone this machine does not know, the
installation's ``TIME_ZONE`` applies."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from urllib.parse import unquote
from zoneinfo import ZoneInfo, available_timezones

from django.http import HttpRequest
from django.utils import timezone

COOKIE = "clientela_tz"


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


def user_zone(request: HttpRequest) -> ZoneInfo | None:
    name = unquote(request.COOKIES.get(COOKIE, ""))[:64]
    return ZoneInfo(name) if name in _known() else None


@contextmanager
def in_user_zone(request: HttpRequest) -> Iterator[None]:
    """Render inside this block to show times in the user's zone."""
    zone = user_zone(request)
    if zone is None:
        yield
        return
    with timezone.override(zone):
        yield
