"""ETags and ``If-Match``: single resources carry an ETag; changes must name it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from ninja import Status
from pydantic import BaseModel

from clientela.crm.accounts.permissions import Op
from clientela.crm.errors import StaleRecord

M = TypeVar("M", bound=Model)
R = TypeVar("R", bound=BaseModel)


class PreconditionRequired(Exception):
    """A change without ``If-Match`` (428)."""


def version_etag(version: int) -> str:
    return f'"{version}"'


def representation_etag(representation: BaseModel) -> str:
    digest = hashlib.sha256(representation.model_dump_json().encode("utf-8")).hexdigest()
    return f'"{digest[:32]}"'


def _tags(request: HttpRequest) -> list[str]:
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired("send If-Match with the ETag of the record you changed")
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def require_version(request: HttpRequest) -> int:
    """The version an ``If-Match`` header names (``"7"``); 428 without, 412 when unreadable."""
    tags = _tags(request)
    if len(tags) != 1 or not re.fullmatch(r'"?[0-9]{1,12}"?', tags[0]):
        raise StaleRecord("If-Match does not name a version of this record")
    return int(tags[0].strip('"'))


def require_etag(request: HttpRequest, current: str) -> None:
    """412 unless ``If-Match`` names ``current`` (or is ``*``)."""
    tags = _tags(request)
    if "*" in tags or current in tags:
        return
    raise StaleRecord("the record changed since you read it")


def require_if_match_present(request: HttpRequest) -> None:
    """428 without ``If-Match``; checked before anything else so refusals are cheap."""
    _tags(request)


def locked(record: M) -> M:
    """Re-read ``record`` with a row lock (inside a transaction), so the ETag check and the
    write that follows see the same state."""
    return type(record)._default_manager.select_for_update().get(pk=record.pk)


@contextmanager
def _current_and_locked(
    request: HttpRequest, fetch: Callable[[Op], M], render: Callable[[M], BaseModel], op: Op
) -> Iterator[M]:
    """428 without ``If-Match``; then, in one transaction, the record as ``fetch(op)``
    gives it (its access checks), re-read with a row lock, which must still render to the
    ETag the client sent (412 otherwise)."""
    require_if_match_present(request)
    with transaction.atomic():
        record = locked(fetch(op))
        require_etag(request, representation_etag(render(record)))
        yield record


def change_if_match(
    request: HttpRequest,
    fetch: Callable[[Op], M],
    render: Callable[[M], R],
    change: Callable[[M], M],
) -> R:
    """A PATCH under ``If-Match`` (``_current_and_locked``): ``change`` runs on the current
    record in the same transaction; the new representation is returned."""
    with _current_and_locked(request, fetch, render, "update") as record:
        return render(change(record))


def delete_if_match(
    request: HttpRequest,
    fetch: Callable[[Op], M],
    render: Callable[[M], BaseModel],
    delete: Callable[[M], object],
) -> Status[None]:
    """A DELETE under ``If-Match``, checked as in ``change_if_match``; its answer, 204."""
    with _current_and_locked(request, fetch, render, "delete") as record:
        delete(record)
    return Status(204, None)
