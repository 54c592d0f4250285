"""Model validation turned into the field-named errors every face reports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from clientela.crm.errors import InvalidInput


def validate_instance(instance: Model, *, exclude: Iterable[str] = ()) -> None:
    """Run the model's field, constraint and uniqueness checks; raise ``InvalidInput``
    naming each bad field (``__all__`` for rules across fields)."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise InvalidInput(
            {field: " ".join(str(m) for m in messages) for field, messages in exc.message_dict.items()}
        ) from None


def only_fields(data: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """``data`` as a dict, refusing (422, naming each) any field not in ``allowed``."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise InvalidInput({name: "unknown or read-only field" for name in unknown})
    return dict(data)
