"""Reads shared by pages and the API: deal lists, the funnel and pipeline velocity."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, DecimalField, F, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from clientela.crm.query_filters import filter_given
from clientela.crm.sales.models import Deal, DealStageChange, DealStatus, Pipeline, Stage

if TYPE_CHECKING:
    from clientela.crm.sales.models import DealLine, DealNote

SECONDS_PER_DAY = Decimal(86400)
CENT = Decimal("0.01")


def deals(pipeline: Pipeline | None = None) -> QuerySet[Deal]:
    """Deals with the relations a list shows, newest first."""
    return filter_given(Deal.objects.select_related("party", "stage", "pipeline", "owner", "team"),
                        pipeline=pipeline)


@dataclass(frozen=True)
class FunnelStep:
    stage: Stage
    reached: int
    share: Decimal | None  # of all deals in the funnel
    conversion: Decimal | None  # of the deals that reached the previous step


def funnel(
    pipeline: Pipeline, *, created_from: datetime | None = None, created_to: datetime | None = None
) -> list[FunnelStep]:
    """Share of deals that reached each non-lost stage, in stage order.

    A deal *reached* a stage when it was ever in that stage or in a later
    (higher-order) non-lost stage: skipping a step still counts as passing it,
    and a deal lost from "Proposal" reached every stage up to "Proposal". The
    lost stage itself is not a funnel step. Deals are those of the pipeline,
    optionally created in ``[created_from, created_to)``.
    """
    qs = Deal.objects.filter(pipeline=pipeline)
    if created_from is not None:
        qs = qs.filter(created_at__gte=created_from)
    if created_to is not None:
        qs = qs.filter(created_at__lt=created_to)
    furthest = list(
        qs.annotate(
            furthest=Max(
                "stage_changes__to_stage__order",
                filter=Q(stage_changes__to_stage__is_lost=False),
            )
        ).values_list("furthest", flat=True)
    )
    total = len(furthest)
    steps: list[FunnelStep] = []
    previous: int | None = None
    for stage in pipeline.stages.filter(is_lost=False).order_by("order"):
        reached = sum(1 for f in furthest if f is not None and f >= stage.order)
        steps.append(
            FunnelStep(
                stage=stage,
                reached=reached,
                share=_ratio(reached, total),
                conversion=_ratio(reached, previous) if previous is not None else None,
            )
        )
        previous = reached
    return steps


def _ratio(a: int, b: int | None) -> Decimal | None:
    if not b:
        return None
    return (Decimal(a) / Decimal(b)).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class Velocity:
    mean_days_in_stage: dict[int, Decimal]  # stage id -> mean days, finished stays only
    won: int
    lost: int
    win_rate: Decimal | None  # won / (won + lost)
    weighted_value: dict[str, Decimal]  # currency -> sum(amount × probability) of open deals
    open_value: dict[str, Decimal]  # currency -> sum(amount) of open deals
    mean_days_to_close: Decimal | None  # first stage entry to close, won deals


def velocity(pipeline: Pipeline) -> Velocity:
    """Pipeline velocity from the stage history.

    * Days in a stage: for each stay that has ended (the deal moved on), the time
      from entering the stage to the next move; the mean over all such stays.
      Stays still running are left out, so a stage's figure does not drift
      with the clock.
    * Win rate: won deals over closed (won + lost) deals.
    * Weighted value: the sum over open deals of amount × the win probability
      of their current stage, per currency (no conversion here).
    """
    changes = DealStageChange.objects.filter(deal__pipeline=pipeline).order_by(
        "deal_id", "changed_at", "id"
    ).values_list("deal_id", "to_stage_id", "changed_at")
    stays: dict[int, list[Decimal]] = defaultdict(list)
    current: tuple[int, int, datetime] | None = None
    entered: dict[int, datetime] = {}
    for deal_id, stage_id, changed_at in changes:
        entered.setdefault(deal_id, changed_at)
        if current is not None and current[0] == deal_id:
            seconds = Decimal((changed_at - current[2]).total_seconds())
            stays[current[1]].append(seconds / SECONDS_PER_DAY)
        current = (deal_id, stage_id, changed_at)
    mean_days = {
        stage_id: (sum(days, Decimal(0)) / len(days)).quantize(Decimal("0.01"))
        for stage_id, days in stays.items()
    }

    all_deals = Deal.objects.filter(pipeline=pipeline)
    won = all_deals.filter(status=DealStatus.WON).count()
    lost = all_deals.filter(status=DealStatus.LOST).count()

    weighted: dict[str, Decimal] = defaultdict(Decimal)
    open_value: dict[str, Decimal] = defaultdict(Decimal)
    for amount, currency, probability in all_deals.filter(status=DealStatus.OPEN).values_list(
        "amount", "currency", "stage__win_probability"
    ):
        weighted[currency] += amount * probability
        open_value[currency] += amount

    to_close = [
        Decimal((closed - entered[deal_id]).total_seconds()) / SECONDS_PER_DAY
        for deal_id, closed in all_deals.filter(status=DealStatus.WON).values_list("id", "closed_at")
        if deal_id in entered
    ]
    return Velocity(
        mean_days_in_stage=mean_days,
        won=won,
        lost=lost,
        win_rate=_ratio(won, won + lost),
        weighted_value={c: v.quantize(Decimal("0.01")) for c, v in weighted.items()},
        open_value=dict(open_value),
        mean_days_to_close=(
            (sum(to_close, Decimal(0)) / len(to_close)).quantize(Decimal("0.01")) if to_close else None
        ),
    )


@dataclass
class ForecastMonth:
    """Open deals expected to close in ``month`` (``None``: no close date given)."""

    month: date | None
    deals: int = 0
    amount: Decimal = Decimal("0")  # in the base currency
    weighted: Decimal = Decimal("0")  # sum of amount × the stage's win probability
    unconverted: dict[str, Decimal] = field(default_factory=dict)  # currency -> weighted, no rate


def weighted_forecast(open_deals: QuerySet[Deal], *, rates: dict[str, Decimal] | None = None) -> list[ForecastMonth]:
    """The weighted forecast by close month of ``open_deals`` (already narrowed to what
    the user may see), in the base currency: for each month, the sum over its deals of
    amount × the win probability of their stage, each currency converted at its latest
    rate (``commerce.queries.latest_rates``; pass ``rates`` when the caller has them).
    A currency without a rate is kept apart. Months in order, "no close date" last.
    Two queries at most: the sums per month and currency, and the rates."""
    from clientela.crm.commerce.queries import latest_rates

    rows = list(
        open_deals.filter(status=DealStatus.OPEN)
        .annotate(month=TruncMonth("expected_close"))
        .values("month", "currency")
        .annotate(n=Count("id"), total=Sum("amount"),
                  weighted=Sum(F("amount") * F("stage__win_probability"), output_field=DecimalField()))
        .order_by()
    )
    needed = {row["currency"] for row in rows}
    if rates is None or not needed <= set(rates):
        rates = latest_rates(needed)
    months: dict[date | None, ForecastMonth] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime):
            month = month.date()
        entry = months.setdefault(month, ForecastMonth(month=month))
        entry.deals += row["n"]
        total, weighted = Decimal(row["total"] or 0), Decimal(row["weighted"] or 0)
        rate = rates.get(row["currency"])
        if rate is None:
            code = row["currency"]
            entry.unconverted[code] = entry.unconverted.get(code, Decimal("0")) + weighted
            continue
        entry.amount += total * rate
        entry.weighted += weighted * rate
    for entry in months.values():
        entry.amount = entry.amount.quantize(CENT, rounding=ROUND_HALF_UP)
        entry.weighted = entry.weighted.quantize(CENT, rounding=ROUND_HALF_UP)
        entry.unconverted = {c: v.quantize(CENT, rounding=ROUND_HALF_UP) for c, v in entry.unconverted.items()}
    return sorted(months.values(), key=lambda m: (m.month is None, m.month or date.min))


def deal_history(deal: Deal) -> list[DealStageChange]:
    """The deal's stage changes, oldest first (the first is its creation)."""
    return list(
        DealStageChange.objects.filter(deal=deal)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("changed_at", "id")
    )


def deal_lines(deal: Deal) -> list[DealLine]:
    return list(deal.lines.select_related("product").order_by("id"))


def deal_notes(deal: Deal, *, limit: int = 100) -> list[DealNote]:
    """The newest notes first."""
    return list(deal.notes.select_related("author").order_by("-created_at", "-id")[:limit])
