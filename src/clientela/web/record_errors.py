"""Refusals from the record answered as pages: an ``access`` function's ``RecordNotFound``
becomes the 404 page and its ``NotPermitted`` the 403 page, so a view fetches a record with
one call (``access.access_deal_by_id(request.user, deal_id, op="update")``) and does not
translate the refusal itself. Views that answer a refusal otherwise (a message in a form)
still catch it first; the API has its own problem documents (``api/problems.py``)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse

from clientela.crm.errors import NotPermitted, RecordNotFound


class RecordErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RecordNotFound):
            return response_for_exception(request, Http404(str(exception)))
        if isinstance(exception, NotPermitted):
            return response_for_exception(request, PermissionDenied(str(exception)))
        return None
