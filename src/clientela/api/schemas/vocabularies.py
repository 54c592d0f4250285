"""Vocabularies: the company's word lists (acquisition channels, sales channels, tags, case categories)."""

from __future__ import annotations

from typing import Literal

from ninja import Schema

VocabularyNameValue = Literal["acquisition_channels", "sales_channels", "tags", "case_categories"]


class VocabularyWordSchema(Schema):
    word: str
    label: str = ""


class VocabularyUpdate(Schema):
    words: list[VocabularyWordSchema]


class VocabularyOut(Schema):
    name: str
    open: bool
    words: list[VocabularyWordSchema]
