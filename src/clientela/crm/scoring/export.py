"""Export the current run's scores as CSV (neutralised text) or Parquet.

With a ``reader`` (``clientela export scores --as USER``) the file is the one that user
may see: the scores of the parties they may see, the CLV and margin columns their role
hides left empty, and each next-best-action reason built by ``reasons.reason_text`` from
the same rule — so no figure of a hidden column reaches them through the reason text
(issue 20). Without one (the operator at the shell) every column is written. Either
way the reason is built, in English, from the score's figures; the English text the
scoring run stored is not exported.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import translation

from clientela.crm.accounts.permissions import can_see, hidden_fields
from clientela.crm.scoring.models import CustomerScore, ModelRun
from clientela.crm.scoring.reasons import reason_text, run_currency
from clientela.crm.transfer.csv_export import neutralise

# (header, ORM lookup, arrow type); text columns are neutralised in CSV.
COLUMNS: list[tuple[str, str, pa.DataType]] = [
    ("customer_ref", "party__ref", pa.string()),
    ("name", "party__name", pa.string()),
    ("p_alive", "p_alive", pa.float64()),
    ("expected_purchases_90", "expected_purchases_90", pa.float64()),
    ("expected_purchases_365", "expected_purchases_365", pa.float64()),
    ("expected_spend", "expected_spend", pa.decimal128(16, 2)),
    ("clv", "clv", pa.decimal128(16, 2)),
    ("clv_low", "clv_low", pa.decimal128(16, 2)),
    ("clv_high", "clv_high", pa.decimal128(16, 2)),
    ("referral_value", "referral_value", pa.decimal128(16, 2)),
    ("churn_risk", "churn_risk", pa.float64()),
    ("rfm_r", "rfm_r", pa.int16()),
    ("rfm_f", "rfm_f", pa.int16()),
    ("rfm_m", "rfm_m", pa.int16()),
    ("rfm_segment", "rfm_segment", pa.string()),
    ("ladder_stage", "ladder_stage", pa.string()),
    ("revenue", "revenue", pa.decimal128(16, 2)),
    ("net_contribution", "net_contribution", pa.decimal128(16, 2)),
    ("unprofitable", "unprofitable", pa.bool_()),
    ("next_best_action", "next_best_action", pa.string()),
    ("nba_reason", "nba_reason", pa.string()),
    ("nba_product_sku", "nba_product_sku", pa.string()),
]


# What reasons.reason_text reads beyond the columns.
_REASON_FIELDS = ("nba_because_sku", "nba_lift", "nba_signals", "p_alive_previous", "party__is_prospect")


class NoScores(LookupError):
    """There is no successful scoring run to export."""


def current_scores() -> Any:
    """The current run's scores (``NoScores`` when there is no run): what the export
    writes, before a user's scope narrows it (``exports.sources``)."""
    return CustomerScore.objects.filter(run=_current())


def _rows(run: ModelRun, reader: Any = None, narrow: Callable[[Any], Any] | None = None
          ) -> Iterator[tuple[Any, ...]]:
    from clientela.crm.commerce.models import Product
    from clientela.crm.scoring.access import visible_scores

    # The columns the reader's role may not see (accounts.permissions.GROUP_OF_FIELD, "score").
    hidden = set() if reader is None else set(hidden_fields(reader, "score"))
    show = {group: reader is None or can_see(reader, group) for group in ("clv", "margin")}
    scores = CustomerScore.objects.filter(run=run) if reader is None else visible_scores(reader).filter(run=run)
    if narrow is not None:
        scores = narrow(scores)
    scores = scores.annotate(referral_value=referral_values(run))
    lookups = [lookup for _, lookup, _ in COLUMNS]
    fields = [*lookups, *(f for f in _REASON_FIELDS if f not in lookups)]
    used = Q(sku__in=scores.values("nba_product_sku")) | Q(sku__in=scores.values("nba_because_sku"))
    names = dict(Product.objects.filter(used).values_list("sku", "name"))
    currency = run_currency(run)
    reason_at = [name for name, _, _ in COLUMNS].index("nba_reason")
    with translation.override("en"):
        for values in scores.order_by("party__ref").values_list(*fields).iterator(chunk_size=5000):
            record = dict(zip(fields, values, strict=True))
            score = SimpleNamespace(**{k: v for k, v in record.items() if "__" not in k},
                                    party=SimpleNamespace(is_prospect=record["party__is_prospect"]))
            row = [None if name in hidden else record[lookup] for name, lookup, _ in COLUMNS]
            row[reason_at] = reason_text(score, show_clv=show["clv"], show_margin=show["margin"],
                                         currency=currency, names=names)
            yield tuple(row)


def referral_values(run: ModelRun) -> Any:
    """Each score's referral value (Kumar, Petersen & Leone 2007): the sum of the run's CLV
    of the customers the party referred (``referred_by``; archived ones left out, as on the
    360), 0 for a party who referred nobody. Every referred customer counts, whoever may
    see them: it is the party's own figure."""
    referred = (CustomerScore.objects.filter(run=run, party__referred_by=OuterRef("party_id"),
                                             party__archived_at__isnull=True)
                .order_by().values("party__referred_by").annotate(total=Sum("clv")).values("total"))
    return Coalesce(Subquery(referred, output_field=DecimalField(max_digits=16, decimal_places=2)),
                    Value(Decimal(0)), output_field=DecimalField(max_digits=16, decimal_places=2))


def _current() -> ModelRun:
    run = ModelRun.objects.filter(is_current=True).first()
    if run is None:
        raise NoScores("no scoring run yet: run `clientela score` first")
    return run


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def export_scores_csv(stream: TextIO, *, reader: Any = None, narrow: Callable[[Any], Any] | None = None) -> int:
    """Write the current run's scores (those ``reader`` may see, when given; ``narrow``:
    the rows a user's scope keeps) to ``stream``; returns the row count."""
    run = _current()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([name for name, _, _ in COLUMNS])
    count = 0
    for row in _rows(run, reader, narrow):
        writer.writerow([_cell(v) for v in row])
        count += 1
    return count


def export_scores_parquet(path: Path | str, *, reader: Any = None) -> int:
    """Write the current run's scores (those ``reader`` may see, when given) to a typed
    Parquet file; returns the row count."""
    run = _current()
    schema = pa.schema([(name, kind) for name, _, kind in COLUMNS])
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[tuple[Any, ...]] = []
        for row in _rows(run, reader):
            batch.append(row)
            if len(batch) == 50_000:
                writer.write_table(_table(batch, schema))
                count += len(batch)
                batch = []
        writer.write_table(_table(batch, schema))
        count += len(batch)
    return count


def _table(rows: list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    return pa.table(
        [pa.array(list(values), type=f.type) for values, f in zip(columns, schema, strict=True)],
        schema=schema,
    )
