"""The erasure matcher on its own (crm/privacy/matching.py): declension, folding, phone
formats, what is not a mention, and that the database's first pass (``needles``) finds
every text the exact match changes."""

from __future__ import annotations

import json
import unicodedata

import pytest

from clientela.crm.privacy.matching import Matcher, fold_text, same_word

DECLINED = [
    # (name word, a declined form) — Polish
    ("Marta", "Marcie"), ("Agnieszka", "Agnieszce"), ("Jadwiga", "Jadwidze"), ("Barbara", "Barbarze"),
    ("Anna", "Annie"), ("Marek", "Marka"), ("Paweł", "Pawłem"), ("Piotr", "Piotrze"), ("Żaneta", "Żanetą"),
    ("Kowalski", "Kowalskiego"), ("Kowalska", "Kowalskiej"), ("Górecka", "Górecką"), ("Michał", "Michale"),
    # Russian
    ("Иван", "Иваном"), ("Петров", "Петровым"), ("Петрова", "Петровой"), ("Наталья", "Натальей"),
    ("Андрей", "Андреем"), ("Игорь", "Игоря"), ("Толстой", "Толстого"), ("Мария", "Марии"),
]


@pytest.mark.parametrize(("word", "form"), DECLINED)
def test_declined_forms_share_a_stem(word: str, form: str) -> None:
    assert same_word(fold_text(form), fold_text(word))
    assert same_word(fold_text(form.upper()), fold_text(word))


@pytest.mark.parametrize(("word", "other"), [("Петров", "Петр"), ("Petrow", "Piotr"), ("Nowak", "Nowakowski"),
                                             ("Anna", "Annals"), ("Lis", "Lisowski")])
def test_other_words_are_other_names(word: str, other: str) -> None:
    assert not same_word(fold_text(other), fold_text(word))


def _matcher() -> Matcher:
    matcher = Matcher()
    matcher.add_person("Żaneta Łukasiewicz-Górecka")
    matcher.add_person("Иван Петров")
    matcher.add_email("Zaneta.LG@example.pl")
    matcher.add_phone("+48 601 234 567")
    matcher.add_phone("+7 (901) 234-56-78")
    matcher.add_ref("ZLG-1001")
    return matcher


FOUND = [
    "Żaneta Łukasiewicz-Górecka", "Żanetą Łukasiewicz-Górecką", "Żanecie Łukasiewicz-Góreckiej",
    "Zaneta Lukasiewicz-Gorecka", unicodedata.normalize("NFD", "Żaneta Łukasiewicz-Górecka"),
    unicodedata.normalize("NFKD", "Żanecie Łukasiewicz-Góreckiej"), "Żaneta\u00a0Łukasiewicz-Górecka",
    "ŻANETA ŁUKASIEWICZ-GÓRECKA", "Łukasiewicz-Górecka, Żaneta", "pani Łukasiewicz-Góreckiej",
    "Łukasiewicz–Górecka", "Иван Петров", "Иваном Петровым", "ИВАНУ ПЕТРОВУ", "Петровым Иваном",
    unicodedata.normalize("NFD", "Ивану Петрову"), "zaneta.lg@EXAMPLE.pl", "+48601234567", "601-234-567",
    "601 234 567", "0048 601 234 567", "(+48) 601.234.567", "8 (901) 234-56-78", "+79012345678", "zlg-1001",
]
KEPT = ["Żaneta Kowalska", "Anna Górecka", "Górecki", "Łukasiewicz", "Иван Сидоров", "Петр", "601 234 560",
        "1601234567890", "zaneta@example.pl", "ZLG-10011"]


@pytest.mark.parametrize("text", FOUND)
def test_every_spelling_is_found_and_only_it_is_replaced(text: str) -> None:
    redacted = _matcher().redact(f"Notatka: {text}. Koniec.")
    assert redacted == "Notatka: [erased]. Koniec." or redacted == "Notatka: pani [erased]. Koniec."


@pytest.mark.parametrize("text", KEPT)
def test_namesakes_parts_and_other_numbers_are_kept(text: str) -> None:
    assert _matcher().redact(f"Notatka: {text}.") == f"Notatka: {text}."


def _first_pass(matcher: Matcher, stored: str) -> bool:
    """The SQL conditions of mentions._condition, evaluated in Python on a stored text."""
    def holds(kind: str, needle: str) -> bool:
        if kind == "ascii":
            return needle.lower() in stored.lower()  # LIKE / ILIKE: ASCII case ignored
        if kind == "folded":
            return needle in fold_text(stored) or "\\u" in stored
        stripped = stored
        for separator in (" ", "\u00a0", "-", ".", "/", "(", ")"):
            stripped = stripped.replace(separator, "")
        return needle in stripped

    return any(all(any(holds(*needle) for needle in word) for word in group) for group in matcher.needles())


@pytest.mark.parametrize("text", FOUND)
def test_the_first_pass_finds_every_spelling_as_text_and_as_escaped_json(text: str) -> None:
    matcher = _matcher()
    for stored in (f"x {text} y", json.dumps({"note": text}), json.dumps([text], ensure_ascii=False)):
        assert _first_pass(matcher, stored), stored
        assert matcher.redact_value(stored) != stored


def test_json_is_redacted_inside_its_strings_and_written_back_alike() -> None:
    matcher = _matcher()
    stored = json.dumps([{"changed": {"fields": ["Name"]}, "object": "Żaneta Łukasiewicz-Górecka"}])
    assert json.loads(matcher.redact_value(stored)) == [{"changed": {"fields": ["Name"]}, "object": "[erased]"}]
    body = json.dumps({"name": "Иван Петров", "phone": "+7 901 234 56 78", "id": 7}).encode()
    assert json.loads(matcher.redact_value(body)) == {"name": "[erased]", "phone": "[erased]", "id": 7}
    assert matcher.redact_value({"tags": ["VIP", "Żanety Łukasiewicz-Góreckiej"]}) == {"tags": ["VIP", "[erased]"]}


def test_a_surname_that_is_a_word_is_erased_only_when_written_as_a_name() -> None:
    matcher = Matcher()
    matcher.add_person("Jan Wilk")
    assert matcher.redact("Dzwonił Pan Wilk, potem Jan Wilk i JANA WILKA.") == (
        "Dzwonił Pan [erased], potem [erased] i [erased].")
    assert matcher.redact("Karma dla psa: wilk i owca") == "Karma dla psa: wilk i owca"
