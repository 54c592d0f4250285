"""A model field validator: the value is a word of a company vocabulary (or empty)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible


@deconstructible
class InVocabulary:
    """Refuse a value that is not a current word of vocabulary ``name``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, value: Any) -> None:
        if value in ("", None):
            return
        from clientela.crm.vocabularies.queries import is_open, words

        allowed = words(self.name)
        if is_open(self.name) or value in allowed:
            return
        raise ValidationError(
            "'%(value)s' is not one of %(allowed)s (the company's %(name)s)",
            code="not_in_vocabulary",
            params={"value": str(value), "allowed": ", ".join(allowed), "name": self.name.replace("_", " ")},
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InVocabulary) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)
