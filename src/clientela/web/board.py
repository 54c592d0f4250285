"""Reads for the pipeline board: stages with their totals and the newest deals of each.

Four queries whatever the number of deals: the stages, one aggregate per stage and
currency (count and amount of the deals the user may see), the latest exchange rate of
each foreign currency among them, and the cards — at most ``CARDS_PER_STAGE`` per stage,
picked with a window function. A stage's amount is in the base currency, each foreign
amount converted at its currency's latest rate on or before today
(``commerce.queries.latest_rates``); amounts in a currency without a rate are kept apart
(``Column.unconverted``), never added as if they were the base currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Sum, Window
from django.db.models.functions import RowNumber

from clientela.crm.commerce.queries import latest_rates
from clientela.crm.sales.access import visible_deals, visible_pipelines
from clientela.crm.sales.models import Deal, Pipeline, Stage

CARDS_PER_STAGE = 30
CENT = Decimal("0.01")


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


def pipelines_for(user: Any) -> list[Pipeline]:
    return list(visible_pipelines(user).filter(is_active=True).order_by("name"))


def board(user: Any, pipeline: Pipeline) -> list[Column]:
    """One column per stage of ``pipeline``, in order, with the user's visible deals."""
    stages = list(pipeline.stages.order_by("order"))
    columns = {s.pk: Column(stage=s) for s in stages}
    deals = visible_deals(user).filter(pipeline=pipeline)
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
    ranked = (
        deals.select_related("party", "owner")
        .annotate(rank=Window(RowNumber(), partition_by=[F("stage_id")], order_by=[F("updated_at").desc(), F("id").desc()]))
        .filter(rank__lte=CARDS_PER_STAGE)
        .order_by("stage__order", "-updated_at", "-id")
    )
    for deal in ranked:
        columns[deal.stage_id].deals.append(deal)
    return [columns[s.pk] for s in stages]
