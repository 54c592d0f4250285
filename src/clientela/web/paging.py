"""Lists on pages: which page a request asks for, one page of rows, and whether htmx asked
for a fragment of the page rather than the whole of it.

Every list reads one row more than a page to know whether a next page exists (no count
query); offsets stop at ``MAX_PAGE`` pages (narrow the filters to go further).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from django.http import HttpRequest

PAGE_SIZE = 50
MAX_PAGE = 200

T = TypeVar("T")


def page_number(params: Mapping[str, Any]) -> int:
    """``?page=`` from the query string, between 1 and ``MAX_PAGE``; 1 when it does not parse."""
    try:
        return min(max(int(params.get("page", "1")), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def one_page(rows: Sequence[T], page: int, size: int = PAGE_SIZE) -> tuple[list[T], bool]:
    """The ``page``-th ``size`` rows of a queryset (or list) and whether another page follows."""
    start = (page - 1) * size
    read = list(rows[start : start + size + 1])
    return read[:size], len(read) > size and page < MAX_PAGE


def is_htmx(request: HttpRequest, target: str | None = None) -> bool:
    """The request comes from htmx (and, with ``target``, asks to swap that element)."""
    if request.headers.get("HX-Request") != "true":
        return False
    return target is None or request.headers.get("HX-Target") == target
