"""RFC 9457 problem documents: every API error answers ``application/problem+json``."""

from __future__ import annotations

import json
import logging
import traceback
from http import HTTPStatus
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "urn:clientela:problem:"
LOGGED_FRAMES = 6


class Problem(Schema):
    """An error (RFC 9457). ``errors`` names each bad field on validation failures."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: dict[str, str] | None = None


def problem(
    request: HttpRequest | None,
    status: int,
    *,
    detail: str | None = None,
    kind: str | None = None,
    title: str | None = None,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A problem response. ``kind`` names a Clientela problem type (``urn:clientela:problem:<kind>``);
    without it the type is ``about:blank`` and the title the HTTP reason phrase."""
    body: dict[str, Any] = {
        "type": f"{TYPE_BASE}{kind}" if kind else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.path
    if errors:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def log_crash(logger: logging.Logger, request: HttpRequest, exc: BaseException) -> None:
    """Log a failure of an API request without anything the caller sent: the method, the
    path (ids only: the query string is left out), the exception's type and where it was
    raised (the last frames' file, line and function). The exception's message and the
    body are left out, because either may quote personal data."""
    frames = traceback.extract_tb(exc.__traceback__)[-LOGGED_FRAMES:]
    where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    logger.error("API %s %s failed: %s at %s", request.method, request.path, type(exc).__name__, where or "?")


def database_busy(request: HttpRequest | None) -> HttpResponse:
    """503 for a request the database could not take for another transaction's write lock
    (clientela.crm.busy): nothing was changed, the same request succeeds later."""
    from clientela.crm.busy import RETRY_AFTER_SECONDS

    return problem(request, 503, kind="database-busy", headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                   detail="the database is busy with another write (a large import?); nothing was changed, "
                          f"retry after {RETRY_AFTER_SECONDS} s")
