"""The one way list queries apply their optional filters (the API's and the pages'
query parameters): a filter that was not given — ``None`` or an empty string — narrows
nothing; any other value, ``False`` and ``0`` included, is a filter."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def filter_given(qs: QuerySet[M], **lookups: Any) -> QuerySet[M]:
    """``qs`` filtered by each of ``lookups`` whose value was given."""
    given = {lookup: value for lookup, value in lookups.items() if value is not None and value != ""}
    return qs.filter(**given) if given else qs
