"""Finding an erased person's name, email and phone in free text, however it was written.

One matcher serves every place erasure looks (notes, the audit trail, the admin log,
stored API responses, every text column): text is **folded** as the customer search
folds it (``parties.fold``: compatibility decomposition, lower case, accents dropped,
``ł`` → ``l``, ``ё`` → ``е``, typographic dashes → ``-``), a letter and the combining
marks after it composed first — so "ŻANETA", "Zaneta", an NFD-normalised "Żaneta" and a
non-breaking space all read the same — and cut into words (letters and digits; spaces,
hyphens and punctuation separate). The fold keeps each folded character's position in
the original, so a match is replaced in the original text and the rest stays as written.

**Inflection.** Polish and Russian decline names: "Żanetą Łukasiewicz-Górecką",
"Żanecie", "Иваном Петровым". Two words are the same name when they share a *stem*: the
word less one of the singular case endings of Polish or Russian nouns and adjectives
(``ENDINGS``), with the Polish consonant alternations before ``-e`` (Marta → Marcie,
Agnieszka → Agnieszce, Jadwiga → Jadwidze, Barbara → Barbarze) and the fleeting ``e`` of
the nominative (Marek → Marka, Paweł → Pawła). A rule rather than a dictionary
lemmatiser: surnames are mostly missing from dictionaries and unaccented spellings are
not words at all (simplemma 2.0 leaves "Петровым", "Петровой" and "Zanecie" as they are),
while the rule treats every name and every spelling alike. Plural and derivational
endings (``-ów``, ``-owa``, ``-ов``) are deliberately absent: "Петр" is not "Петров".

**What counts as a mention** (so that unrelated namesakes survive):

* the whole name — every word of it, consecutive, in its order or with the surname
  first ("Łukasiewicz-Górecka Żaneta");
* a person's surname alone (the last word of the name; a double-barrelled surname is one
  unit), when it has at least ``MIN_SURNAME`` letters and is written with a capital —
  "Pani Łukasiewicz-Górecka", but not "wilk" for Jan Wilk;
* the email address, case-insensitively;
* the phone by its digits: a run of digits with spaces, hyphens, dots, slashes or
  brackets between them, equal to the stored number's digits, or one being the other
  with a country code (up to 3 digits, also as ``00``) or a trunk ``0``/``8`` in front —
  ``+48601234567``, ``601-234-567``, ``601 234 567`` and ``0048 601 234 567`` for
  "+48 601 234 567"; at least ``MIN_PHONE_DIGITS`` digits must agree;
* the party's ref, as whole words.

A first name alone ("Anna") is never a mention, nor an organisation's name in part.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from clientela.crm.parties.fold import fold as search_fold

REDACTED = "[erased]"
MIN_SURNAME = 4
MIN_PHONE_DIGITS = 7
MIN_STEM = 2
MIN_REF = 4

# Singular case endings, folded (no diacritics; ё is е, й stays й).
_POLISH = ("a", "y", "i", "e", "o", "u", "ie", "owi", "em", "iem", "ego", "iego", "emu", "iemu",
           "im", "ym", "ej", "iej")
_RUSSIAN = ("а", "я", "у", "ю", "е", "ы", "и", "о", "ь", "й", "ом", "ем", "ой", "ей", "ою", "ею", "ью",
            "ым", "им", "ого", "его", "ому", "ему", "ый", "ий", "ая", "яя", "ую", "юю")
ENDINGS: tuple[str, ...] = _POLISH + _RUSSIAN
# Polish dative/locative alternations: (ending as written, stem's last letters restored).
ALTERNATIONS: tuple[tuple[str, str], ...] = (
    ("cie", "t"), ("dzie", "d"), ("scie", "st"), ("zdzie", "zd"), ("ce", "k"), ("dze", "g"), ("rze", "r"),
)
_FLEETING = re.compile(r"^(.+[^aeiouyаеиоуыэюя])[eе]([^aeiouyаеиоуыэюяь])$")

_WORD = re.compile(r"[^\W_]+")
# What may stand between the words of one name: spaces, a hyphen, a comma, a dot.
_NAME_GAP = re.compile(r"[\s\-.,]{1,3}")
# Digits with separators between them, after an optional bracketed prefix: "(+48) 601…".
_PHONE_RUN = re.compile(r"(?:\(\+?\d{1,4}\)\s?)?\+?\d(?:[ \-./()]{0,2}\d)+")


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` folded as the customer search folds it (``parties.fold``), and for each
    folded character the index of its original. A letter and the combining marks after
    it (NFD text) are composed first, so "Z\u0307" folds like "Ż" and "и\u0306" like "й"."""
    out: list[str] = []
    origin: list[int] = []
    index, size = 0, len(text)
    while index < size:
        end = index + 1
        while end < size and unicodedata.combining(text[end]):
            end += 1
        cluster = text[index:end] if end == index + 1 else unicodedata.normalize("NFC", text[index:end])
        folded = search_fold(cluster)
        out.append(folded)
        origin.extend([index] * len(folded))
        index = end
    return "".join(out), origin


def fold_text(text: str) -> str:
    return fold(text)[0]


@lru_cache(maxsize=4096)
def stems(word: str) -> frozenset[str]:
    """The stems a folded word may have: itself, less a case ending, with an alternation
    undone, without the nominative's fleeting e."""
    found = {word}
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            found.add(word[: -len(ending)])
    for ending, restored in ALTERNATIONS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            found.add(word[: -len(ending)] + restored)
    fleeting = _FLEETING.match(word)
    if fleeting:
        found.add(fleeting.group(1) + fleeting.group(2))
    return frozenset(found)


def same_word(text_word: str, name_word: str) -> bool:
    """Are two folded words forms of one name?"""
    if text_word == name_word:
        return True
    if text_word.isdigit() or name_word.isdigit():
        return False
    return not stems(text_word).isdisjoint(stems(name_word))


def _digits(text: str) -> str:
    digits = "".join(c for c in text if c.isdigit())
    return digits[2:] if digits.startswith("00") else digits


def _same_phone(found: str, stored: str) -> bool:
    """One number? Equal digits, or one is the other with a country code (up to 3
    digits) or a trunk prefix (0, 8) in front."""
    for candidate in {found, found[1:] if found[:1] in ("0", "8") else found}:
        if candidate == stored:
            return True
        short, long = sorted((candidate, stored), key=len)
        if len(short) >= MIN_PHONE_DIGITS and long.endswith(short) and len(long) - len(short) <= 3:
            return True
    return False


@dataclass
class Matcher:
    """What identifies one or more people, ready to find them in text."""

    names: list[list[str]] = field(default_factory=list)      # word sequences, folded
    surnames: list[list[str]] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)           # folded
    phones: list[str] = field(default_factory=list)           # digits
    refs: list[list[str]] = field(default_factory=list)       # exact word sequences
    originals: dict[str, str] = field(default_factory=dict)   # folded word: as written

    def _learn(self, text: str) -> list[str]:
        """The folded words of ``text``, remembering how each was written."""
        folded, origin = fold(text)
        words = []
        for m in _WORD.finditer(folded):
            self.originals.setdefault(m.group(), text[origin[m.start()]:origin[m.end() - 1] + 1])
            words.append(m.group())
        return words

    def add_person(self, name: str, *, person: bool = True) -> None:
        words_by_part = [self._learn(part) for part in name.split()]
        words_by_part = [w for w in words_by_part if w]
        if not words_by_part:
            return
        flat = [w for part in words_by_part for w in part]
        self.names.append(flat)
        if person and len(words_by_part) > 1:
            surname = words_by_part[-1]
            rotated = surname + [w for part in words_by_part[:-1] for w in part]
            self.names.append(rotated)
            if len("".join(surname)) >= MIN_SURNAME:
                self.surnames.append(surname)

    def add_email(self, email: str) -> None:
        if email and "@" in email:
            self.emails.append(fold_text(email.strip()))

    def add_phone(self, phone: str) -> None:
        digits = _digits(phone or "")
        if len(digits) >= MIN_PHONE_DIGITS:
            self.phones.append(digits)

    def add_ref(self, ref: str) -> None:
        words = self._learn(ref or "")
        if len("".join(words)) >= MIN_REF:
            self.refs.append(words)

    def __bool__(self) -> bool:
        return bool(self.names or self.emails or self.phones or self.refs)

    # -- finding ----------------------------------------------------------------------
    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where in ``text`` (original indices, end exclusive) the identifiers occur."""
        folded, origin = fold(text)
        if not origin:
            return []
        found: list[tuple[int, int]] = []

        def original(start: int, end: int) -> tuple[int, int]:
            first, last = origin[start], origin[end - 1] + 1
            while last < len(text) and unicodedata.combining(text[last]):
                last += 1
            return first, last

        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
        for kind, sequences in (("name", self.names), ("surname", self.surnames), ("ref", self.refs)):
            for sequence in sequences:
                size = len(sequence)
                for i in range(len(words) - size + 1):
                    if not all(words[i + k][2] == sequence[k] if kind == "ref" else same_word(words[i + k][2], sequence[k])
                               for k in range(size)):
                        continue
                    if not all(_NAME_GAP.fullmatch(folded[words[i + k - 1][1]:words[i + k][0]]) for k in range(1, size)):
                        continue
                    start, end = original(words[i][0], words[i + size - 1][1])
                    if kind == "surname" and not text[start].isupper():
                        continue  # a surname alone is written with a capital: "Pani Wilk", not "wilk"
                    found.append((start, end))
        for email in self.emails:
            for m in re.finditer(re.escape(email), folded):
                found.append(original(m.start(), m.end()))
        if self.phones:
            for m in _PHONE_RUN.finditer(folded):
                digits = _digits(m.group())
                if any(_same_phone(digits, p) for p in self.phones):
                    found.append(original(m.start(), m.end()))
        return _merge(found)

    def redact(self, text: str) -> str:
        """``text`` with every occurrence replaced by ``[erased]``."""
        spans = self.spans(text)
        if not spans:
            return text
        parts, last = [], 0
        for start, end in spans:
            parts.append(text[last:start])
            parts.append(REDACTED)
            last = end
        parts.append(text[last:])
        return "".join(parts)

    def redact_value(self, value: Any) -> Any:
        """A stored value redacted: text (JSON quoted inside it included), JSON data
        (strings and keys), or UTF-8 bytes; other values as they are."""
        if isinstance(value, str):
            return self._redact_str(value)
        if isinstance(value, bytes | memoryview | bytearray):
            raw = bytes(value)
            if raw[:1] == b"\x78":  # zlib-compressed JSON (the import wizard's undo journal)
                try:
                    inner = zlib.decompress(raw)
                except zlib.error:
                    inner = None
                if inner is not None:
                    redacted_inner = self.redact_value(inner)
                    return raw if redacted_inner == inner else zlib.compress(redacted_inner)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                return value
            redacted = self._redact_str(text)
            return raw if redacted == text else redacted.encode("utf-8")
        if isinstance(value, list):
            return [self.redact_value(v) for v in value]
        if isinstance(value, dict):
            return {self.redact_value(k) if isinstance(k, str) else k: self.redact_value(v) for k, v in value.items()}
        return value

    def _redact_str(self, text: str) -> str:
        # Text holding JSON written with \u escapes (the admin log's change_message, a
        # stored API response): redact the decoded strings, write it back the same way.
        if "\\u" in text and text.lstrip()[:1] in ("{", "["):
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            if isinstance(data, dict | list):
                redacted = self.redact_value(data)
                if redacted != data:
                    return json.dumps(redacted, ensure_ascii=True, separators=_separators(text))
        return self.redact(text)

    # -- the database's first pass --------------------------------------------------------
    def needles(self) -> list[Group]:
        """What a text the matcher would change must contain, for a first pass in the
        database before the exact match here (matching every row in Python would read
        every table whole). A list of groups, any of which may hold; a group holds when
        each of its words does (the words of a name); a word holds when one of its
        needles occurs (the forms of the word: ``word_forms``). A needle is one of:

        * ``("ascii", run)`` — letters of the name written without diacritics in the
          name itself ("ukasiewicz" of "Łukasiewicz"), found case-insensitively: every
          spelling keeps them (accents dropped, decomposed, other case, declined; JSON
          escapes only non-ASCII letters). A mention that adds diacritics the name does
          not have ("Łúkasiewicz") is not found.
        * ``("folded", text)`` — where the name has no such run of 3 letters (Cyrillic
          names, short ones): the folded form, compared with ``clientela_fold`` (the
          customer search's fold) of the column; ``\\u``-escaped JSON is read whole.
        * ``("digits", last7)`` — the phone's last digits, in the column with its
          spaces, hyphens, dots, slashes and brackets removed.
        """
        found: set[Group] = set()
        for sequence in self.names + self.surnames:  # every word of the sequence is there
            found.add(tuple(sorted({self._word_needles(w) for w in sequence})))
        for email in self.emails:
            found.add(((("ascii", email) if email.isascii() else ("folded", email),),))
        for phone in self.phones:
            found.add(((("digits", phone[-MIN_PHONE_DIGITS:]),),))
        for ref in self.refs:
            found.add(tuple(sorted({self._word_needles(w, exact=True) for w in ref})))
        return sorted(found)

    def _word_needles(self, word: str, *, exact: bool = False) -> tuple[Needle, ...]:
        original = self.originals.get(word, word)
        folded, origin = fold(original)
        needles = set()
        for form in ({word} if exact else word_forms(word)):
            common = len(os.path.commonprefix([form, folded]))
            head = original[: origin[common - 1] + 1] if common else ""
            best = max(re.findall(r"[A-Za-z0-9]+", head), key=len, default="")
            needles.add(("ascii", best.lower()) if len(best) >= 3 else ("folded", form))
        # a needle containing another of its kind adds nothing
        return tuple(sorted(n for n in needles
                            if not any(o != n and o[0] == n[0] and o[1] in n[1] for o in needles)))


Needle = tuple[str, str]
Group = tuple[tuple[Needle, ...], ...]


def word_forms(word: str) -> set[str]:
    """Texts one of which every word sharing a stem with ``word`` contains: for each
    stem, the stem itself (bare or with an ending), the stem with an alternation's
    ending in place of its restored letters ("zanet" → "zanecie"), the stem with its
    fleeting e ("mark" → "marek"); without those that contain another."""
    forms = set()
    for stem in stems(word):
        forms.add(stem)
        for ending, restored in ALTERNATIONS:
            if stem.endswith(restored) and len(stem) > len(restored):
                forms.add(stem[: -len(restored)] + ending)
        e = "е" if "а" <= stem[-1] <= "я" else "e"
        if len(stem) >= 3 and _FLEETING.match(stem[:-1] + e + stem[-1]):
            forms.add(stem[:-1] + e + stem[-1])
    return {f for f in forms if not any(other != f and other in f for other in forms)}


def _separators(text: str) -> tuple[str, str]:
    return (",", ":") if '", "' not in text and '": ' not in text else (", ", ": ")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
