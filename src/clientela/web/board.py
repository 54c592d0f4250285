"""Reads for the pipeline board: stages with their totals, the newest deals of each, the
next cards of one column ("load more"), the filters and the weighted forecast.

The board's queries do not grow with the number of deals: the stages, one aggregate per
stage and currency (count and amount of the deals the user may see, filtered), the
latest exchange rate of each currency among them, the first cards of every column —
at most ``CARDS_PER_STAGE`` per stage, picked with a window function — and the forecast
sums per close month and currency. A stage's amount is in the base currency, each
foreign amount converted at its currency's latest rate on or before today
(``commerce.queries.latest_rates``); amounts in a currency without a rate are kept apart
(``Column.unconverted``), never added as if they were the base currency.

A column shows its first cards; the rest come ``CARDS_PER_STAGE`` at a time through
``more_cards``, keyed on the last card shown (``updated_at``, ``id``), so a deal moved
meanwhile is neither repeated nor skipped by an offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.http import QueryDict
from django.utils.dateparse import parse_datetime

from clientela.crm.accounts.models import Team
from clientela.crm.accounts.permissions import Scope, record_scope
from clientela.crm.commerce.queries import latest_rates
from clientela.crm.sales.access import visible_deals, visible_pipelines
from clientela.crm.sales.models import Deal, DealStatus, Pipeline, Stage
from clientela.crm.sales.queries import ForecastMonth, weighted_forecast

CARDS_PER_STAGE = 30
CENT = Decimal("0.01")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class BoardFilters:
    owner: int | None = None
    team: int | None = None
    month: date | None = None  # the first day of the expected close month

    def query(self) -> str:
        """The filters as a query string (empty values left out)."""
        values = {"owner": self.owner, "team": self.team,
                  "month": self.month.strftime("%Y-%m") if self.month else None}
        return urlencode({k: v for k, v in values.items() if v})

    @property
    def any(self) -> bool:
        return bool(self.owner or self.team or self.month)


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 0 < int(value) < 2**31 else None


def parse_board_filters(params: QueryDict) -> BoardFilters:
    """Filters from the query string; values that do not parse are ignored."""
    month = None
    match = MONTH.match(params.get("month", "") or "")
    if match and 1 <= int(match.group(2)) <= 12 and 1900 < int(match.group(1)) < 3000:
        month = date(int(match.group(1)), int(match.group(2)), 1)
    return BoardFilters(owner=_id(params.get("owner")), team=_id(params.get("team")), month=month)


@dataclass
class Column:
    stage: Stage
    deals: list[Deal] = field(default_factory=list)
    count: int = 0
    amount: Decimal = Decimal("0")
    unconverted: dict[str, Decimal] = field(default_factory=dict)

    @property
    def hidden(self) -> int:
        return max(0, self.count - len(self.deals))

    @property
    def cursor(self) -> str:
        """Where the next cards start: after the last card shown."""
        return cursor_of(self.deals[-1]) if self.deals else ""


def cursor_of(deal: Deal) -> str:
    return f"{deal.updated_at.isoformat()}_{deal.pk}"


def pipelines_for(user: Any) -> list[Pipeline]:
    return list(visible_pipelines(user).filter(is_active=True).order_by("name"))


def filtered_deals(user: Any, pipeline: Pipeline, filters: BoardFilters) -> QuerySet[Deal]:
    """The deals of ``pipeline`` the user may see, narrowed by the board's filters."""
    deals = visible_deals(user).filter(pipeline=pipeline)
    if filters.owner:
        deals = deals.filter(owner_id=filters.owner)
    if filters.team:
        deals = deals.filter(team_id=filters.team)
    if filters.month:
        m = filters.month
        following = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
        deals = deals.filter(expected_close__gte=m, expected_close__lt=following)
    return deals


def _cards(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    return deals.select_related("party", "owner")


def board(user: Any, pipeline: Pipeline, filters: BoardFilters | None = None) -> list[Column]:
    """One column per stage of ``pipeline``, in order, with the user's visible deals."""
    filters = filters or BoardFilters()
    stages = list(pipeline.stages.order_by("order"))
    columns = {s.pk: Column(stage=s) for s in stages}
    deals = filtered_deals(user, pipeline, filters)
    rows = list(deals.values("stage_id", "currency").annotate(n=Count("id"), total=Sum("amount")).order_by())
    rates = latest_rates({row["currency"] for row in rows})
    for row in rows:
        column = columns.get(row["stage_id"])
        if column is None:
            continue
        total, code = row["total"] or Decimal("0"), row["currency"]
        column.count += row["n"]
        if code in rates:
            column.amount += (total * rates[code]).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            column.unconverted[code] = column.unconverted.get(code, Decimal("0")) + total
    # Rank the deals on the deal table alone and join the party and owner only for the
    # cards shown, by their ids as values: joining first — or even with the ranking as a
    # subquery — made PostgreSQL hash-join every party (1M in ui_bench), 0.5 s.
    first_ids = list(
        deals.annotate(rank=Window(RowNumber(), partition_by=[F("stage_id")], order_by=[F("updated_at").desc(), F("id").desc()]))
        .filter(rank__lte=CARDS_PER_STAGE)
        .values_list("id", flat=True)
    )
    ranked = _cards(Deal.objects.filter(id__in=first_ids)).order_by("stage__order", "-updated_at", "-id")
    for deal in ranked:
        columns[deal.stage_id].deals.append(deal)
    return [columns[s.pk] for s in stages]


def parse_cursor(value: str) -> tuple[datetime, int] | None:
    when, _, pk = (value or "").rpartition("_")
    try:
        moment = parse_datetime(when) if when else None
    except ValueError:  # well formed, not a date (month 13)
        return None
    if moment is None or not pk.isdigit() or len(pk) > 18:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment, int(pk)


def more_cards(
    user: Any, stage: Stage, filters: BoardFilters, *, after: tuple[datetime, int]
) -> tuple[list[Deal], bool]:
    """The next ``CARDS_PER_STAGE`` cards of a column after the card ``after`` (its
    ``updated_at`` and id), and whether more follow. One query."""
    moment, pk = after
    deals = filtered_deals(user, stage.pipeline, filters).filter(stage=stage).filter(
        Q(updated_at__lt=moment) | Q(updated_at=moment, id__lt=pk)
    )
    page = list(_cards(deals).order_by("-updated_at", "-id")[: CARDS_PER_STAGE + 1])
    return page[:CARDS_PER_STAGE], len(page) > CARDS_PER_STAGE


def forecast(user: Any, pipeline: Pipeline, filters: BoardFilters) -> list[ForecastMonth]:
    """The weighted forecast of the board's open deals by expected close month."""
    return weighted_forecast(filtered_deals(user, pipeline, filters).filter(status=DealStatus.OPEN))


def team_choices(user: Any) -> list[tuple[int, str]]:
    """Teams whose deals the user may filter by: every team for an ``all`` scope, else
    the user's own."""
    if record_scope(user, "deal") is Scope.ALL:
        return list(Team.objects.order_by("name").values_list("id", "name"))
    if user.team_id is None:
        return []
    return list(Team.objects.filter(pk=user.team_id).values_list("id", "name"))
