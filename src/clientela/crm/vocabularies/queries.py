"""Reads of the vocabularies: the words a field takes now."""

from __future__ import annotations

from clientela.crm.vocabularies.models import (
    DEFAULTS,
    OPEN_VOCABULARIES,
    VocabularyName,
    VocabularyWord,
)


def entries(name: str) -> list[tuple[str, str]]:
    """(word, label) of vocabulary ``name`` in list order; its defaults when none is stored."""
    VocabularyName(name)  # ValueError for an unknown vocabulary
    stored = list(VocabularyWord.objects.filter(vocabulary=name).values_list("word", "label"))
    return stored or [(word, str(label)) for word, label in DEFAULTS[name]]


def words(name: str) -> list[str]:
    """The words vocabulary ``name`` takes now."""
    return [word for word, _label in entries(name)]


def is_open(name: str) -> bool:
    """Whether any word is accepted (the list only suggests): tags."""
    return name in OPEN_VOCABULARIES
