"""Feedback themes: the themes found in survey comments, as people shaped them."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from clientela.api.fields import RefId, Text
from clientela.api.schemas.parties import Strict


class ThemeOut(Schema):
    id: int
    name: str
    language: str = Field(description="en, pl or ru: the language of the comments it was found in")
    terms: list[str] = Field(description="its top terms (lemmas), most telling first")
    renamed: bool = Field(description="a person named it; refreshes keep the name")
    pinned: bool = Field(description="kept at every refresh, even when no longer found")
    merged_into_id: int | None = Field(description="the theme its answers count for, once merged")
    answers: int = Field(description="answers with this theme among those you may see")
    refreshed_at: dt.datetime | None


class ThemeUpdate(Strict):
    name: Text(120, min_length=1) | None = None  # type: ignore[valid-type]
    pinned: bool | None = None


class ThemeMerge(Strict):
    into_id: RefId = Field(description="the theme of the same language this one is folded into")


class DriverOut(Schema):
    theme_id: int
    name: str
    terms: list[str]
    language: str
    answers: int = Field(description="answers with this theme among those you may see")
    share_detractors: float = Field(description="share of detractors' answers (0–6) with this theme")
    share_promoters: float = Field(description="share of promoters' answers (9–10) with this theme")
    nps_effect: float | None = Field(description="NPS with minus NPS without the theme's answers")
    score_coefficient: float | None = Field(
        description="the theme's coefficient in a regression of the score on every theme's "
                    "indicator (an association, not a proven cause)")
