"""``handler500``: a database busy with another write answers 503, never a 500.

Django hands every uncaught exception — from a view or from a middleware — to
``handler500`` inside its ``except`` block. ``server_error`` looks at that exception:
a busy database (clientela.crm.busy) answers **503 Service Unavailable** with
``Retry-After``, as a problem document under ``/api/`` and as a page in the user's
language elsewhere; any other error gets Django's own 500 page.
"""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

from clientela.api.problems import database_busy
from clientela.crm.busy import RETRY_AFTER_SECONDS, is_busy


def busy_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return database_busy(request)
    response = render(request, "web/busy.html", {"retry_after": RETRY_AFTER_SECONDS}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    if is_busy(sys.exc_info()[1]):
        return busy_response(request)
    return defaults.server_error(request)
