"""Response declarations shared by the operations (errors are problem documents)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.http import HttpResponse
from ninja import Status
from pydantic import BaseModel

from clientela.api.conditional import representation_etag
from clientela.api.problems import Problem

R = TypeVar("R", bound=BaseModel)

# Every error status the API answers, each as an RFC 9457 problem document.
ERROR_CODES = frozenset({400, 401, 403, 404, 405, 409, 412, 415, 422, 428, 429, 500})


def answers(status: int, schema: Any) -> dict[Any, Any]:
    """``{status: schema}`` plus every error status as a problem document."""
    return {status: schema, ERROR_CODES: Problem}


def no_content() -> dict[Any, Any]:
    return {204: None, ERROR_CODES: Problem}


def with_etag(response: HttpResponse, out: R) -> R:
    """``out`` (one record's representation) answered with its ``ETag`` for a later change."""
    response["ETag"] = representation_etag(out)
    return out


def created(response: HttpResponse, out: R, collection: str) -> Status[R]:
    """201 with ``out``, its ``ETag`` and ``Location`` (``collection``/id, e.g. ``/api/v1/deals``)."""
    response["Location"] = f"{collection}/{out.id}"  # type: ignore[attr-defined]
    return Status(201, with_etag(response, out))
