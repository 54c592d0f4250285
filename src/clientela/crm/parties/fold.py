"""Accent- and case-insensitive text matching: ``fold`` and the ``__fold`` lookup.

``fold`` maps a text to the form the customer search compares: lower case, without
diacritics, so "Szczepanska" finds "Szczepańska", "Lodz" finds "Łódź" (and "Łódź" finds
"Lodz"), "Семен" finds "Семён". ``name__fold__contains=q`` applies it to both sides
(a bilateral transform): the database function ``clientela_fold`` on the column and on
the search term.

- PostgreSQL: ``clientela_fold(text)`` is ``lower(unaccent(text))``, created by parties
  migration 0006; the customer search compares one folded text per party
  (``parties.queries.search_text``), trigram-indexed by 0007.
  The ``unaccent`` rules already fold the letters that have no Unicode decomposition
  (ł → l, ß → ss, ø → o, æ → ae, ё → е …).
- SQLite: the Python ``fold`` below, registered on every new connection
  (``register_sqlite_fold``).

Each database folds the column and the term with the same function, so a match never
depends on the two implementations agreeing; they agree on the letters of the names
Clientela serves (Polish, English, Russian, German, Czech, Lithuanian, Nordic …;
tests/web/test_accent_search.py), and may differ on rare symbols (superscripts,
fractions, full-width forms).

Deliberate choices, the same as ``unaccent``'s:

- Cyrillic letters keep their marks except ``ё`` (Russian writes ``е`` for it freely):
  ``й`` is a letter of its own (``Мой`` is not ``Мои``), and so are Ukrainian ``ї`` and
  Belarusian ``ў``.
- German umlauts lose their dots (``Müller`` ↔ ``Muller``, not ``Mueller``); ``ß`` is
  ``ss``.
- Typographic apostrophes, quotes and dashes become ASCII ones (``O’Brien`` ↔ ``O'Brien``).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import models

# Letters without a Unicode decomposition, and typographic punctuation, as unaccent's
# default rules fold them (already lower case).
EXPLICIT = {
    "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ħ": "h", "Ħ": "h",
    "ŧ": "t", "Ŧ": "t", "ŀ": "l", "Ŀ": "l", "ŋ": "n", "Ŋ": "n", "ı": "i",
    "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th",
    "ß": "ss", "ẞ": "ss", "ё": "е", "Ё": "е",
    "‘": "'", "’": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "‟": '"', "″": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-",
}
CYRILLIC = range(0x0400, 0x0500)


def _fold_char(char: str) -> str:
    if char in EXPLICIT:
        return EXPLICIT[char]
    if ord(char) in CYRILLIC:
        return char.lower()
    # Compatibility decomposition, then drop the combining marks: "Ż" -> "Z" + U+0307 -> "z".
    # Lower case each character on its own, as PostgreSQL's lower() does (Python's
    # str.lower() would write a final sigma by context).
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c.lower() for c in decomposed if not unicodedata.combining(c))


class _Table(dict[int, str]):
    """``str.translate`` table filled on first use of each character."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_TABLE = _Table()


def fold(text: str) -> str:
    """``text`` in lower case without diacritics: ``fold("Łódź") == "lodz"``."""
    if text.isascii():
        return text.lower()
    return text.translate(_TABLE)


class Fold(models.Transform):
    """``field__fold``: the database's ``clientela_fold`` of the column; bilateral, so
    ``name__fold__contains="Łódź"`` folds the term with the same function."""

    lookup_name = "fold"
    function = "clientela_fold"
    bilateral = True
    output_field = models.TextField()


def register_lookups() -> None:
    models.CharField.register_lookup(Fold)
    models.TextField.register_lookup(Fold)


def _sqlite_fold(text: str | None) -> str | None:
    return None if text is None else fold(text)


def register_sqlite_fold(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` handler: ``clientela_fold`` on each new SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("clientela_fold", 1, _sqlite_fold, deterministic=True)
