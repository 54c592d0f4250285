"""Every write of the scoring app: run the chain from the database and store the scores.

A run is recorded as ``running`` first (in its own transaction), so a failure
leaves a ``failed`` run with its error rather than nothing. The scores and the
switch of the current run happen in one transaction: readers see either the
old run or the new one, complete. Scores are written in bulk: COPY on
PostgreSQL, batched multi-row inserts on SQLite.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from clientela.crm.audit.actions import record_change
from clientela.crm.jobs import leases
from clientela.crm.scoring import extract
from clientela.crm.scoring.models import CustomerScore, ModelRun, RunStatus
from clientela.crm.scoring.pipeline import (
    ScoringError,
    ScoringInputs,
    ScoringSettings,
    score_customers,
)
from clientela.crm.scoring.scope import copy_party_scope

Progress = Callable[[str], None]

SCORE_COLUMNS = [
    "run_id", "party_id", "owner_id", "team_id", "p_alive", "expected_purchases_90", "expected_purchases_365",
    "expected_spend", "clv", "clv_low", "clv_high", "churn_risk", "rfm_r", "rfm_f", "rfm_m", "rfm_segment",
    "ladder_stage", "revenue", "net_contribution", "unprofitable", "next_best_action",
    "nba_reason", "nba_product_sku", "p_alive_previous", "nba_lift", "nba_because_sku", "nba_signals",
]


def _previous_p_alive(as_of: date) -> pd.Series | None:
    """P(alive) from the current run when it looked at an earlier day (a rerun on the
    same day would show no movement, so it is not a "previous" view)."""
    current = ModelRun.objects.filter(is_current=True).first()
    if current is None or current.observation_end is None or current.observation_end >= as_of:
        return None
    rows = CustomerScore.objects.filter(run=current, p_alive__isnull=False).values_list(
        "party_id", "p_alive"
    )
    data = dict(rows.iterator(chunk_size=50_000))
    return pd.Series(data, dtype="float64") if data else None


def load_inputs(
    as_of: date, progress: Progress | None = None, transactions: Path | None = None
) -> ScoringInputs:
    """Read everything the chain needs from the database (the orders from the Parquet
    file or directory ``transactions`` when given: ``scoring.lake``)."""
    say = progress or (lambda _msg: None)
    say("reading parties")
    parties = extract.parties()
    if transactions is not None:
        from clientela.crm.scoring.lake import orders_from_parquet

        say(f"reading orders from {transactions.name}")
        orders = orders_from_parquet(transactions)
    else:
        say("reading orders")
        orders = extract.orders()
    say("reading interactions, campaigns and feedback")
    interactions = extract.interaction_costs()
    campaigns = extract.campaigns()
    feedback = extract.feedback()
    service_cases = extract.service_case_costs()
    say("reading order items")
    order_items = extract.order_items()
    say("reading products and the previous run")
    return ScoringInputs(
        parties=parties,
        orders=orders,
        interactions=interactions,
        campaigns=campaigns,
        order_items=order_items,
        products=extract.products(),
        feedback=feedback,
        service_cases=service_cases,
        previous_p_alive=_previous_p_alive(as_of),
    )


def run_scoring(
    actor: Any,
    *,
    settings: ScoringSettings | None = None,
    progress: Progress | None = None,
    transactions: Path | None = None,
) -> ModelRun:
    """Score every party from the database; return the new current run. ``actor`` started
    it (``None``: the system — the nightly schedule, ``clientela score``); the run's start
    is audited with its outcome.

    ``transactions``: read the orders from this Parquet file or directory instead of
    the database (``scoring.lake``).

    Raises :class:`ScoringError` (after recording the failed run) when the data
    cannot be scored, or when another scoring run is in progress (one at a time: the
    ``scoring`` lease, see ``crm/jobs/leases.py``).
    """
    settings = settings or ScoringSettings(currency=django_settings.BASE_CURRENCY)
    try:
        with leases.holding(SCORING_LEASE):
            # Holding the lease, no other scoring process is alive: a run still "running"
            # was left by one that was killed (issue 20 F18).
            fail_interrupted_runs(None, leased=True)
            run = _run_scoring(settings, progress, transactions)
    except leases.LeaseHeld:
        raise ScoringError("another scoring run is in progress; wait for it to finish") from None
    record_change(actor, entity="model_run", object_id=run.pk, action="create",
                  changes={"status": (None, run.status), "model": (None, run.model_name)})
    from clientela.crm.playbooks.engine import queue_after_scoring

    queue_after_scoring(run)  # playbooks on the run's changes act in a job of their own
    return run


SCORING_LEASE = "scoring"
INTERRUPTED = "interrupted: the process running it stopped before it finished"


def fail_interrupted_runs(actor: Any, *, leased: bool = False) -> int:
    """Mark failed the model runs left "running" by a scoring process that was killed
    (audited; ``actor`` None: the system). Only while no scoring process holds the lease
    (``leased``: the caller holds it); the current run, and the scores it serves, stay as
    they are. Returns how many."""
    if not leased and leases.is_held(SCORING_LEASE):
        return 0
    with transaction.atomic():
        stuck = list(ModelRun.objects.select_for_update().filter(status=RunStatus.RUNNING).values_list("pk", flat=True))
        ModelRun.objects.filter(pk__in=stuck).update(
            status=RunStatus.FAILED, error=INTERRUPTED, finished_at=timezone.now())
        for run_id in stuck:
            record_change(actor, entity="model_run", object_id=run_id, action="update",
                          changes={"status": (RunStatus.RUNNING, RunStatus.FAILED)})
    return len(stuck)


def _run_scoring(
    settings: ScoringSettings, progress: Progress | None, transactions: Path | None = None
) -> ModelRun:
    say = progress or (lambda _msg: None)
    run = ModelRun.objects.create(
        started_at=timezone.now(), model_requested=settings.model, status=RunStatus.RUNNING
    )
    try:
        as_of = settings.as_of or timezone.now().date()
        inputs = load_inputs(as_of, say, transactions)
        say(f"fitting models on {len(inputs.orders):,} orders of {len(inputs.parties):,} parties")
        result = score_customers(inputs, settings, progress=say)
        say(f"writing {len(result.scores):,} scores")
        with transaction.atomic():
            write_scores(run.pk, result.scores, scope=inputs.parties)
            # Owners and teams changed while the run computed: copy them again, inside
            # the transaction that makes the run current (party actions update the
            # current run's copy; until this commits that is still the previous run).
            copy_party_scope(run.pk)
            ModelRun.objects.filter(is_current=True).update(is_current=False)
            for key, value in result.run.items():
                setattr(run, key, value)
            run.summary = result.report
            run.status = RunStatus.SUCCEEDED
            run.finished_at = timezone.now()
            run.is_current = True
            run.save()
    except (ScoringError, extract.ExtractError) as exc:
        ModelRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=str(exc), finished_at=timezone.now()
        )
        raise ScoringError(str(exc)) from exc
    except Exception as exc:
        ModelRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
        raise
    _refresh_statistics()
    return run


def _refresh_statistics() -> None:
    """A run adds one score per party at once (a million rows): on PostgreSQL, ANALYZE the
    table now, or the pages' plans see the statistics of before the run (an empty table
    after the first run) until autovacuum gets to it — the customer list sorted by CLV took
    seconds instead of milliseconds for a sales representative at 1M parties. Outside a
    transaction, VACUUM as well: it marks the new rows' pages all-visible, without which
    the customer search's index-only reads of the ``(party, run)`` covering index fetch
    every table row anyway (VACUUM cannot run inside a transaction block)."""
    if connection.vendor == "postgresql":
        table = CustomerScore._meta.db_table
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute(f'ANALYZE "{table}"')
            else:
                cursor.execute(f'VACUUM (ANALYZE) "{table}"')


def _score_frame(run_id: int, scores: pd.DataFrame, scope: pd.DataFrame | None = None) -> pd.DataFrame:
    def opt_float(column: str) -> pd.Series:
        values = scores[column] if column in scores else pd.Series(np.nan, index=scores.index)
        return values.astype("float64").where(np.isfinite(values.astype("float64")))

    def small_int(column: str) -> pd.Series:
        return scores[column].astype("Int64") if column in scores else pd.Series(pd.NA, index=scores.index)

    def text(column: str) -> pd.Series:
        return scores[column].astype("object").where(scores[column].notna(), "").astype(str)

    def scope_column(column: str) -> pd.Series:
        if scope is None or column not in scope:
            return pd.Series(pd.NA, index=scores.index, dtype="Int64")
        by_party = scope.set_index(pd.to_numeric(scope["party_id"]).astype("int64"))[column]
        return pd.to_numeric(by_party).astype("Int64").reindex(scores.index.astype("int64")).set_axis(
            scores.index
        )

    return pd.DataFrame(
        {
            "run_id": run_id,
            "party_id": scores.index.astype("int64"),
            "owner_id": scope_column("owner_id"),
            "team_id": scope_column("team_id"),
            "p_alive": opt_float("p_alive").clip(0.0, 1.0),
            "expected_purchases_90": opt_float("expected_purchases_90"),
            "expected_purchases_365": opt_float("expected_purchases_365"),
            "expected_spend": opt_float("expected_spend").round(2),
            "clv": scores["clv"].astype("float64").round(2),
            "clv_low": opt_float("clv_low").round(2),
            "clv_high": opt_float("clv_high").round(2),
            "churn_risk": opt_float("churn_risk").clip(0.0, 1.0),
            "rfm_r": small_int("r_score"),
            "rfm_f": small_int("f_score"),
            "rfm_m": small_int("m_score"),
            "rfm_segment": text("segment"),
            "ladder_stage": text("stage"),
            "revenue": scores["revenue"].astype("float64").round(2),
            "net_contribution": scores["net_contribution"].astype("float64").round(2),
            "unprofitable": scores["unprofitable"].astype(bool),
            "next_best_action": text("next_best_action"),
            "nba_reason": text("nba_reason"),
            "nba_product_sku": text("nba_product_sku"),
            "p_alive_previous": opt_float("p_alive_previous").clip(0.0, 1.0),
            "nba_lift": opt_float("nba_lift"),
            "nba_because_sku": text("nba_because_sku") if "nba_because_sku" in scores else "",
            "nba_signals": small_int("nba_signals"),
        },
        index=scores.index,
    )[SCORE_COLUMNS]


def write_scores(run_id: int, scores: pd.DataFrame, *, scope: pd.DataFrame | None = None) -> int:
    """Insert one CustomerScore per row of ``scores`` (indexed by party id) in bulk;
    ``scope`` (columns ``party_id``, ``owner_id``, ``team_id``) gives each party's owner
    and team to copy (none without it)."""
    frame = _score_frame(run_id, scores, scope)
    if connection.vendor == "postgresql":
        _copy_scores(frame)
    else:
        _bulk_scores(frame)
    return len(frame)


# Probabilities and expected purchases are stored as their 10-significant-digit text,
# as they always have been; amounts are already rounded to the cent.
_TEN_DIGITS = ("p_alive", "expected_purchases_90", "expected_purchases_365", "churn_risk", "p_alive_previous",
               "nba_lift")


def _copy_scores(frame: pd.DataFrame) -> None:
    """COPY the scores in as CSV written by pyarrow (C++, multi-threaded).

    Nulls are unquoted empty fields (CSV's default NULL), text is always quoted,
    so an empty text is ``""``. Amounts go as the shortest text of the rounded
    float, which is their cent value exactly (a 10-digit format would cut cents
    above 100 million).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    from psycopg import sql

    columns: dict[str, pa.Array] = {}
    for name in SCORE_COLUMNS:
        values = frame[name]
        if name in _TEN_DIGITS:
            numbers = values.to_numpy(dtype="float64")
            text = [None if v != v else f"{v:.10g}" for v in numbers.tolist()]
            columns[name] = pa.array(text, type=pa.string())
        elif name in {"rfm_r", "rfm_f", "rfm_m", "owner_id", "team_id", "nba_signals"}:
            columns[name] = pa.array(values.astype("Int64"), type=pa.int64())
        elif values.dtype == object:
            columns[name] = pa.array(values.to_numpy(), type=pa.string())
        else:
            columns[name] = pa.array(values.to_numpy(), from_pandas=True)
    buffer = io.BytesIO()
    pacsv.write_csv(pa.table(columns), buffer,
                    write_options=pacsv.WriteOptions(include_header=False))
    buffer.seek(0)
    names = sql.SQL(", ").join(sql.Identifier(c) for c in SCORE_COLUMNS)
    statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(
        sql.Identifier(CustomerScore._meta.db_table), names
    )
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        while block := buffer.read(1 << 20):
            copy.write(block)


def _bulk_scores(frame: pd.DataFrame) -> None:
    def cell(value: Any, column: str) -> Any:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return None
        if column in {"clv", "clv_low", "clv_high", "revenue", "net_contribution", "expected_spend"}:
            return Decimal(f"{value:.2f}")
        if isinstance(value, np.generic):
            return value.item()
        return value

    columns = [c for c in SCORE_COLUMNS if c not in {"run_id", "party_id"}]
    objects = []
    for row in frame.itertuples(index=False):
        values = cast(Any, row)._asdict()  # a namedtuple; pandas-stubs type it as a plain tuple
        objects.append(
            CustomerScore(
                run_id=int(values["run_id"]),
                party_id=int(values["party_id"]),
                **{c: cell(values[c], c) for c in columns},
            )
        )
    CustomerScore.objects.bulk_create(objects, batch_size=2000)
