"""The one write to a vocabulary: replace its list of words (audited)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from clientela.crm.audit.actions import record_change
from clientela.crm.errors import InvalidInput
from clientela.crm.vocabularies.models import WORD_MAX_LENGTH, VocabularyName, VocabularyWord
from clientela.crm.vocabularies.queries import entries

WORD = re.compile(rf"^[^\s;,'\"=+@\-\x00-\x1f][^;,'\"\x00-\x1f]{{0,{WORD_MAX_LENGTH - 1}}}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@transaction.atomic
def set_vocabulary(actor: Any, *, name: str, words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Replace vocabulary ``name`` with ``words`` ((word, label) in order); returns it.

    A word is stored lower-case and trimmed; it may not be empty, repeat, hold ``;``
    ``,`` or quotes, or be longer than 20 characters (``InvalidInput`` naming it).
    Records that hold a word no longer listed keep it.
    """
    try:
        VocabularyName(name)
    except ValueError:
        raise InvalidInput({"name": f"{name!r} is not a vocabulary ({', '.join(VocabularyName.values)})"}) from None
    clean: list[tuple[str, str]] = []
    for position, (word, label) in enumerate(words, start=1):
        word = (word or "").strip().lower()
        if not WORD.match(word):
            raise InvalidInput({"words": f"word {position} ({word!r}) must be 1 to {WORD_MAX_LENGTH} characters "
                                          "without ; , or quotes, not starting with a space or = + - @"})
        if CONTROL.search(label or ""):
            raise InvalidInput({"words": f"the label of word {position} holds a control character"})
        if word in (w for w, _ in clean):
            raise InvalidInput({"words": f"word {position} ({word!r}) is listed twice"})
        clean.append((word, (label or "").strip()[:100]))
    before = entries(name)
    VocabularyWord.objects.filter(vocabulary=name).delete()
    VocabularyWord.objects.bulk_create(
        VocabularyWord(vocabulary=name, word=w, label=label, position=i) for i, (w, label) in enumerate(clean)
    )
    if before != clean:
        record_change(actor, action="update", entity="vocabulary", object_id=name,
                      changes={"words": ([w for w, _ in before], [w for w, _ in clean])})
    return entries(name)
