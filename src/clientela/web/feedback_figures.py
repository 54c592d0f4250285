"""Voice of the customer: NPS and CSAT by month and the verbatim comments, for a user.

Everything reads ``feedback.access.visible_responses(user)`` (the responses of the parties
in the user's record scope). Score bands: NPS promoters 9–10, passives 7–8, detractors
0–6 (Reichheld 2003); for CSAT (1–5) the same words mean 5, 4 and 1–3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format

from clientela.crm.feedback.access import visible_responses
from clientela.crm.feedback.models import SurveyResponse
from clientela.crm.scoring.charts import ACCENT, GRID, INK, _n, _svg
from clientela.web.forms import date_param, id_param
from clientela.web.paging import one_page, page_number

PAGE_SIZE = 25
BANDS = {
    "promoter": Q(kind="nps", score__gte=9) | Q(kind="csat", score=5),
    "passive": Q(kind="nps", score__in=(7, 8)) | Q(kind="csat", score=4),
    "detractor": Q(kind="nps", score__lte=6) | Q(kind="csat", score__lte=3),
}


@dataclass(frozen=True)
class FeedbackFilters:
    band: str = ""
    survey: int | None = None
    since: date | None = None
    until: date | None = None
    q: str = ""
    page: int = 1
    ignored: tuple[str, ...] = ()  # filters whose value was not valid, left out


def parse_feedback_filters(params: QueryDict) -> FeedbackFilters:
    """Filters from the query string; values that do not parse are ignored (and the
    ignored survey and dates named in ``ignored``)."""
    band = params.get("band", "")
    ignored: list[str] = []
    survey = id_param(params, "survey", ignored)
    since, until = date_param(params, "since", ignored), date_param(params, "until", ignored)
    page = page_number(params)
    return FeedbackFilters(band=band if band in BANDS else "", survey=survey, since=since, until=until,
                           q=params.get("q", "").strip()[:100], page=page, ignored=tuple(ignored))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def comments(user: Any, filters: FeedbackFilters) -> tuple[list[SurveyResponse], bool]:
    """One page of answers with a comment, newest first, and whether another page follows
    (one query: the page and one extra row)."""
    qs: QuerySet[SurveyResponse] = visible_responses(user).exclude(comment="")
    if filters.band:
        qs = qs.filter(BANDS[filters.band])
    if filters.survey is not None:
        qs = qs.filter(survey_id=filters.survey)
    if filters.since is not None:
        qs = qs.filter(answered_at__gte=_start_of(filters.since))
    if filters.until is not None:
        qs = qs.filter(answered_at__lt=_start_of(filters.until + timedelta(days=1)))
    if filters.q:
        qs = qs.filter(comment__icontains=filters.q)
    return one_page(qs.select_related("survey", "party").order_by("-answered_at", "-id"), filters.page, PAGE_SIZE)


@dataclass(frozen=True)
class Month:
    month: date
    responses: int
    value: float | None


def _months_back(months: int) -> datetime:
    today = timezone.localdate()
    year, month = today.year, today.month - (months - 1)
    while month <= 0:
        month += 12
        year -= 1
    return _start_of(date(year, month, 1))


def monthly(user: Any, kind: str, *, months: int = 12) -> list[Month]:
    """NPS (``kind="nps"``) or mean CSAT per calendar month of the last ``months`` months,
    oldest first, months without answers included (one query)."""
    since = _months_back(months)
    rows = (
        visible_responses(user).filter(kind=kind, answered_at__gte=since)
        .annotate(month=TruncMonth("answered_at")).values("month")
        .annotate(n=Count("id"), promoters=Count("id", filter=Q(score__gte=9)),
                  detractors=Count("id", filter=Q(score__lte=6)), mean=Avg("score"))
        .order_by("month")
    )
    found: dict[date, Month] = {}
    for row in rows:
        key = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        n = row["n"]
        value = (100.0 * (row["promoters"] - row["detractors"]) / n if kind == "nps" else float(row["mean"])) if n else None
        found[key] = Month(key, n, value)
    out = []
    cursor = since.date()
    for _i in range(months):
        out.append(found.get(cursor, Month(cursor, 0, None)))
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    return out


def months_svg(ident: str, points: list[Month], *, low: float, high: float, places: int,
               title: str, desc: str, width: int = 560, height: int = 240) -> str:
    """A value per month as a bar from the axis (``low`` … ``high``), each value printed;
    months without answers say so with a dash."""
    left, right, top, bottom = 40, 10, 20, 30
    w, h = width - left - right, height - top - bottom
    slot = w / max(1, len(points))

    def y_of(value: float) -> float:
        return top + h - (value - low) / (high - low) * h

    zero = y_of(max(low, min(high, 0.0)))
    parts = []
    for tick in (low, (low + high) / 2, high):
        parts.append(
            f'<line x1="{left}" y1="{y_of(tick):.1f}" x2="{left + w}" y2="{y_of(tick):.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y_of(tick) + 4:.1f}" text-anchor="end" font-size="11" fill="{INK}">{_n(tick, 1 if high - low < 10 else 0)}</text>'
        )
    for i, point in enumerate(points):
        x = left + i * slot
        label = escape(f"{point.month:%m.%y}")  # numeric month.year: the same in every language
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{top + h + 18}" text-anchor="middle" font-size="10" fill="{INK}">{label}</text>')
        if point.value is None:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{zero - 4:.1f}" text-anchor="middle" font-size="11" fill="{INK}">—</text>')
            continue
        y = y_of(point.value)
        y0, y1 = min(y, zero), max(y, zero)
        parts.append(
            f'<rect x="{x + slot * 0.18:.1f}" y="{y0:.1f}" width="{slot * 0.64:.1f}" height="{max(1.0, y1 - y0):.1f}" fill="{ACCENT}"/>'
            f'<text x="{x + slot / 2:.1f}" y="{y0 - 4:.1f}" text-anchor="middle" font-size="10" fill="{INK}">{_n(point.value, places)}</text>'
        )
    return _svg(ident, width, height, title, desc, "".join(parts))


def month_label(point: Month) -> str:
    return date_format(point.month, "YEAR_MONTH_FORMAT")
