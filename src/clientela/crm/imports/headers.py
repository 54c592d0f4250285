"""Mapping a file's header names onto the fields of a kind, in English, Polish and Russian.

The fields come from the importer's column specification (``transfer.columns.COLUMNS``):
a field the importer gains is offered at once, matched by its own name, and by the words
below when they are listed for it. Names are compared folded: lower case, accents and
``ł`` dropped, punctuation and runs of spaces made one space ("Data zamówienia",
"data_zamowienia" and "DATA ZAMÓWIENIA" are one name).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from clientela.crm.transfer.columns import COLUMNS, IGNORE_FIELD, ColumnSpec, Kind

# Header names users' files give each field (besides the field's own name).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_ref": ("customer ref", "customer id", "customer number", "customer no", "client id",
                     "customer code", "id klienta", "nr klienta", "numer klienta", "kod klienta",
                     "identyfikator klienta", "id клиента", "код клиента", "номер клиента"),
    "name": ("full name", "customer name", "company name", "nazwa", "nazwa klienta", "imie i nazwisko",
             "klient", "имя", "фио", "наименование", "название", "имя клиента", "клиент"),
    "kind": ("type", "customer type", "rodzaj", "typ", "typ klienta", "тип", "тип клиента"),
    "email": ("e-mail", "email address", "e-mail address", "mail", "adres e-mail", "adres email",
              "электронная почта", "эл. почта", "почта", "e-mail адрес"),
    "phone": ("telephone", "phone number", "mobile", "telefon", "nr telefonu", "numer telefonu",
              "телефон", "номер телефона"),
    "country": ("country code", "kraj", "panstwo", "страна", "код страны"),
    "acquired_at": ("customer since", "signup date", "sign-up date", "klient od", "data pozyskania",
                    "data rejestracji", "дата привлечения", "клиент с", "дата регистрации"),
    "acquisition_channel": ("source", "acquisition source", "kanal pozyskania", "zrodlo", "zrodlo pozyskania",
                            "канал привлечения", "источник"),
    "order_ref": ("order id", "order number", "order no", "order", "nr zamowienia", "numer zamowienia",
                  "id zamowienia", "zamowienie", "номер заказа", "заказ", "id заказа", "№ заказа"),
    "ordered_at": ("order date", "date", "ordered", "data zamowienia", "data", "дата заказа", "дата"),
    "sku": ("product code", "product id", "item code", "product sku", "kod produktu", "kod towaru",
            "indeks", "symbol", "артикул", "код товара"),
    "quantity": ("qty", "amount of items", "ilosc", "liczba sztuk", "количество", "кол-во"),
    "unit_price": ("price", "unit price", "item price", "cena", "cena jednostkowa", "cena netto", "цена",
                   "цена за единицу"),
    "currency": ("currency code", "waluta", "валюта"),
    "unit_cost": ("cost", "unit cost", "koszt", "koszt jednostkowy", "себестоимость"),
    "discount": ("rabat", "znizka", "upust", "скидка"),
    "occurred_at": ("date", "when", "data", "data kontaktu", "дата", "дата контакта"),
    "channel": ("kanal", "канал", "sales channel", "kanal sprzedazy", "канал продаж"),
    "direction": ("kierunek", "направление"),
    "subject": ("topic", "temat", "tytul", "тема"),
    "status": ("order status", "status zamowienia", "статус", "статус заказа"),
    "returned_at": ("return date", "data zwrotu", "дата возврата"),
    "notes": ("note", "uwagi", "notatki", "заметки", "комментарий"),
}

_PUNCTUATION = re.compile(r"[\s_\-./:]+")


def fold(name: str) -> str:
    """``name`` compared as users mean it: case, accents, ``ł``, ``_`` and spaces aside."""
    name = name.strip().lower().replace("ł", "l")
    name = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return _PUNCTUATION.sub(" ", name).strip()


def fields(kind: Kind | str) -> tuple[ColumnSpec, ...]:
    """The fields of ``kind`` the importer reads, in file order."""
    return COLUMNS[Kind(kind)]


def required_fields(kind: Kind | str) -> list[str]:
    """Fields a file of ``kind`` must map a column to: those whose cells may not be empty.
    (A field the importer's header must have but whose cells may be empty is written as
    an empty column when no column maps to it.)"""
    return [spec.name for spec in fields(kind) if spec.required and not spec.optional_column]


def auto_mapping(header: list[str], kind: Kind | str) -> dict[str, str]:
    """Each header name → the field it names, or ``-`` (skip) when none; no field twice
    (the first column naming it wins; a field's own name beats a synonym)."""
    names = {spec.name for spec in fields(kind)}
    lookup: dict[str, tuple[int, str]] = {}
    for name in names:
        lookup[fold(name)] = (0, name)
        for synonym in SYNONYMS.get(name, ()):
            lookup.setdefault(fold(synonym), (1, name))
    proposals = [lookup.get(fold(h)) for h in header]
    taken: dict[str, int] = {}
    for strength in (0, 1):
        for position, proposal in enumerate(proposals):
            if proposal and proposal[0] == strength and proposal[1] not in taken:
                taken[proposal[1]] = position
    by_position = {position: field_name for field_name, position in taken.items()}
    return {h: by_position.get(i, IGNORE_FIELD) for i, h in enumerate(header) if h}


def coverage(header: list[str], kind: Kind | str) -> int:
    """How many required fields of ``kind`` the header's automatic mapping finds."""
    mapped = set(auto_mapping(header, kind).values())
    return sum(name in mapped for name in required_fields(kind))


def guess_kind(header: list[str], kinds: tuple[Kind, ...]) -> Kind:
    """Of ``kinds``, the one whose required fields the header covers best (share of them)."""
    return max(kinds, key=lambda kind: (coverage(header, kind) / max(len(required_fields(kind)), 1),
                                         coverage(header, kind)))


def signature(header: list[str]) -> str:
    """One source's header, as the key of its remembered mapping."""
    return hashlib.sha256("\x1f".join(fold(h) for h in header).encode()).hexdigest()
