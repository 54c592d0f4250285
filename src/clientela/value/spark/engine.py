"""The value engine on Apache Spark: summary, compression, fit and scores where the data lives.

The pattern (docs/scale-out.md):

1. :func:`summarize` turns a Spark DataFrame of transactions into the
   per-customer summary of :func:`clientela.value.summary.summarize` -- the same
   definitions (periods, repeat purchases, holdout columns), written as Spark
   column expressions: two group-bys, no Python UDF;
2. :func:`compress` counts identical summary rows on the cluster into a small
   pandas table with ``weights`` (tens of thousands of distinct
   ``(frequency, recency, T)`` rows for tens of millions of customers);
3. :func:`fit` fits any model of :mod:`clientela.value.models` on that table on
   the driver, with the single-machine code (the models take ``weights``), so
   the parameters and the log-likelihood are the single-machine ones;
4. :func:`score` scores every customer with ``mapInPandas`` calling the
   vectorised predictions of :func:`clientela.value.clv.customer_lifetime_value`
   (and :func:`clientela.value.uncertainty.value_intervals` for the intervals).

PySpark is imported inside the functions only: ``clientela.value`` stays
importable without it.  Bad input is refused with the single-machine messages:
a missing column, a date or amount column of a type that cannot hold dates or
numbers, a bad period, window or time zone before any Spark job; values that
are not dates or numbers, missing values and an empty log in one validation
pass before the summary.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from clientela.value.summary import check_period_and_ends, check_window, check_zone, period_ordinal

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

    from clientela.value.clv import PurchasesModel, Spend
    from clientela.value.models.base import BaseModel

_MICROS_PER_DAY = 86_400_000_000
# An offset or Z after an ISO 8601 time: the value is time zone-aware (a plain date's
# "-06" is its day, not an offset).
_OFFSET = r"[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)$"
_COMPACT = r"^[0-9]{8}$"
_FORMATS = ("parquet", "csv", "delta", "iceberg", "orc", "json")


def session(
    master: str | None = None,
    conf: Mapping[str, str] | None = None,
    app_name: str = "clientela-value",
) -> SparkSession:
    """A SparkSession (the running one when called under ``spark-submit``).

    ``master`` as in ``spark-submit --master`` (``local[4]``,
    ``spark://host:7077``, ``yarn``); ``conf`` adds Spark settings.  The session
    time zone is UTC unless ``conf`` says otherwise (the summary does not depend
    on it); executors run this Python unless ``PYSPARK_PYTHON`` names another.
    """
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    settings = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        **dict(conf or {}),
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def read(spark: SparkSession, path: str | Path, format: str | None = None) -> DataFrame:
    """Transactions from Parquet (a file or a directory, partitioned or not), CSV, Delta or Iceberg.

    ``format`` defaults to ``csv`` for a ``.csv`` path and ``parquet`` otherwise;
    ``delta`` and ``iceberg`` need their connectors on Spark's classpath (and
    ``iceberg`` takes a table name or a table location).

    Raises
    ------
    ValueError
        Naming the path when it does not exist or the format cannot be read.
    """
    from pyspark.errors import PySparkException

    text = str(path)
    kind = (format or ("csv" if text.lower().endswith(".csv") else "parquet")).lower()
    if kind not in _FORMATS:
        raise ValueError(f"format must be one of {', '.join(_FORMATS)}; got {format!r}")
    if "://" not in text and kind != "iceberg" and not Path(text).exists():
        raise ValueError(f"{text}: no such file or directory")
    reader = spark.read.format(kind)
    if kind == "csv":
        reader = reader.option("header", "true")
    try:
        return reader.load(text)
    except PySparkException as exc:
        message = " ".join(str(exc).split())[:400]
        raise ValueError(f"{text}: cannot be read as {kind}: {message}") from None


def write(
    frame: DataFrame,
    path: str | Path,
    *,
    partition_by: Sequence[str] = (),
    format: str = "parquet",
    mode: str = "overwrite",
) -> None:
    """Write a Spark DataFrame (scores, a summary) as Parquet (or ``format``), partitioned as asked."""
    missing = [c for c in partition_by if c not in frame.columns]
    if missing:
        raise ValueError(
            f"partition column(s) {', '.join(map(repr, missing))} not among {frame.columns}"
        )
    writer = frame.write.mode(mode).format(format)
    if partition_by:
        writer = writer.partitionBy(*partition_by)
    if format == "csv":
        writer = writer.option("header", "true")
    writer.save(str(path))


def _field(frame: DataFrame, name: str) -> Any:
    return frame.schema[name].dataType


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _day_column(frame: DataFrame, name: str, zone: str) -> Column:
    """Day number (since 1970-01-01) of each value of the date column ``name``; NULL if unreadable.

    The rules of :mod:`clientela.value.summary`: dates as they are; naive times
    (``TIMESTAMP_NTZ``) at face value; instants (``TIMESTAMP``) on the calendar
    of ``zone``; integers and whole floats as YYYYMMDD; strings in ISO 8601 or
    YYYYMMDD, those ending in an offset or Z converted to ``zone``, the others
    at face value.  None of it depends on the session time zone.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    kind = _field(frame, name)
    column = F.col(_quoted(name))

    def instant_day(stamp: Column) -> Column:
        micros = F.unix_micros(F.from_utc_timestamp(stamp, zone))
        return ((micros - F.pmod(micros, F.lit(_MICROS_PER_DAY))) / _MICROS_PER_DAY).cast("long")

    def compact_day(text: Column) -> Column:
        return F.unix_date(F.to_date(F.try_to_timestamp(text, F.lit("yyyyMMdd")))).cast("long")

    if isinstance(kind, T.DateType):
        return F.unix_date(column).cast("long")
    if isinstance(kind, T.TimestampNTZType):
        return F.unix_date(F.to_date(column)).cast("long")
    if isinstance(kind, T.TimestampType):
        return instant_day(column)
    if isinstance(kind, T.BooleanType):
        raise ValueError(f"column {name!r} holds true/false values, not dates")
    if isinstance(kind, T.NumericType):
        number = column.cast("double")
        whole = (number == F.floor(number)) & number.between(10000101, 99991231)
        return F.when(whole, compact_day(number.cast("long").cast("string")))
    if isinstance(kind, T.StringType):
        text = F.regexp_replace(column, r"^\s+|\s+$", "")  # white space around, as elsewhere
        return (
            F.when(text.rlike(_COMPACT), compact_day(text))
            .when(text.rlike(_OFFSET), instant_day(text.try_cast("timestamp")))
            .otherwise(F.unix_date(F.to_date(text.try_cast("timestamp_ntz"))).cast("long"))
        )
    raise ValueError(
        f"column {name!r} holds {kind.simpleString()} values, not dates (use a date, a "
        "timestamp, YYYYMMDD numbers or ISO 8601 text)"
    )


def _amount_column(frame: DataFrame, name: str) -> Column:
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    kind = _field(frame, name)
    if isinstance(kind, T.BooleanType) or not isinstance(kind, T.NumericType | T.StringType):
        raise ValueError(f"column {name!r} must be numeric: it holds {kind.simpleString()} values")
    column = F.col(_quoted(name))
    return column.try_cast("double") if isinstance(kind, T.StringType) else column.cast("double")


def _transactions(
    frame: DataFrame, customer: str, date: str, amount: str | None, zone: str
) -> tuple[DataFrame, list[tuple[Column, str, str]]]:
    """The log as ``c, d, v`` (day numbers, amounts) and the checks of its values.

    Schema checks only (no Spark job): missing columns, types that hold no dates
    or numbers.  Each check is (condition on the projected columns, message, the
    raw column whose value is shown as an example).
    """
    from pyspark.sql import functions as F

    needed = [customer, date] + ([amount] if amount else [])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(
            f"transactions are missing column(s) {', '.join(map(repr, missing))}; "
            f"they have {list(frame.columns)}"
        )
    columns = [
        F.col(_quoted(customer)).alias("c"),
        F.col(_quoted(date)).cast("string").alias("raw_d"),
        _day_column(frame, date, zone).alias("d"),
    ]
    checks: list[tuple[Column, str, str]] = [
        (F.col("c").isNull(), f"column {customer!r} has a missing customer id", "raw_d"),
        (F.col("raw_d").isNull(), f"column {date!r} has a missing date", "raw_d"),
        (
            F.col("raw_d").isNotNull() & F.col("d").isNull(),
            f"column {date!r} has a value that is not a date (use YYYY-MM-DD, YYYYMMDD, an "
            "ISO 8601 time with an optional offset, or a date/timestamp type)",
            "raw_d",
        ),
    ]
    if amount:
        columns += [
            _amount_column(frame, amount).alias("v"),
            F.col(_quoted(amount)).cast("string").alias("raw_v"),
        ]
        finite = ~F.isnan("v") & (F.abs("v") != F.lit(float("inf")))
        checks += [
            (F.col("raw_v").isNull(), f"column {amount!r} has a missing amount", "raw_v"),
            (
                F.col("raw_v").isNotNull() & (F.col("v").isNull() | ~finite),
                f"column {amount!r} has a value that is not a finite number",
                "raw_v",
            ),
        ]
    else:
        columns += [F.lit(0.0).alias("v"), F.lit(None).cast("string").alias("raw_v")]
    return frame.select(*columns), checks


def _validate(
    tx: DataFrame,
    checks: list[tuple[Column, str, str]],
    obs: np.datetime64 | None,
    cal: np.datetime64 | None,
) -> tuple[int, int | None]:
    """One pass over the log: rows, first and last day, and the bad values of each check.

    Raises the first failing check's message with an example value and the
    count of such rows (Spark has no row order to name a line by); an empty log
    and an end before the first transaction as the single-machine path does.
    """
    from pyspark.sql import functions as F

    aggregates = [F.count(F.lit(1)), F.min("d"), F.max("d")]
    for condition, _, raw in checks:
        aggregates.append(F.count(F.when(condition, F.lit(1))))
        aggregates.append(F.first(F.when(condition, F.col(raw)), ignorenulls=True))
    row = tx.agg(*aggregates).first()
    if row is None:
        raise ValueError("the transaction log cannot be read")
    values = list(row)
    for index, (_, message, _) in enumerate(checks):
        bad, example = values[3 + 2 * index], values[4 + 2 * index]
        if bad:
            shown = "" if "missing" in message else f"e.g. {example!r}; "
            raise ValueError(f"{message} ({shown}{int(bad)} such row(s))")
    first = None if values[1] is None else int(values[1])
    check_window(int(values[0]), first, obs, cal)
    return int(values[0]), None if values[2] is None else int(values[2])


def _ordinal(day: Column, period: str) -> Column:
    """Spark twin of :func:`clientela.value.summary.period_ordinal`."""
    from pyspark.sql import functions as F

    if period == "D":
        return day
    if period == "W":
        shifted = day + 3
        return ((shifted - F.pmod(shifted, F.lit(7))) / 7).cast("long")
    calendar = F.date_from_unix_date(day.cast("int"))
    return (12 * (F.year(calendar) - 1970) + F.month(calendar) - 1).cast("long")


def _ordinal_of(day: int, period: str) -> int:
    return int(period_ordinal(np.array([day], dtype=np.int64), period)[0])


def _day_number(value: np.datetime64) -> int:
    return int((value - np.datetime64("1970-01-01", "D")).astype(np.int64))


def summarize(
    transactions: DataFrame,
    *,
    customer: str,
    date: str,
    amount: str | None = None,
    period: str = "W",
    observation_end: Any = None,
    calibration_end: Any = None,
    local_day: str | None = None,
) -> DataFrame:
    """The customer summary of :func:`clientela.value.summary.summarize` as a Spark DataFrame.

    Arguments and columns as there (``frequency`` a long, the rest doubles; the
    customer column keeps its name and type), one row per customer, unordered.
    The log is read twice: once to validate it (and find the last day when
    ``observation_end`` is not given), once for the two group-bys.

    Raises
    ------
    ValueError
        As :func:`clientela.value.summary.summarize`: a missing column, a column
        that holds no dates or numbers, a bad period, window or time zone
        (before any Spark job); a missing or unreadable value, an empty log, an
        end before the first transaction (after the validation pass).
    """
    from pyspark.sql import functions as F

    zone = check_zone(local_day) or "UTC"
    obs, cal = check_period_and_ends(period, observation_end, calibration_end)
    tx, checks = _transactions(transactions, customer, date, amount, zone)
    _, last_day = _validate(tx, checks, obs, cal)
    end = _day_number(obs) if obs is not None else int(last_day or 0)
    window_end = end if cal is None else _day_number(cal)
    tx = tx.select("c", "d", "v").withColumn("o", _ordinal(F.col("d"), period))
    periods = tx.where(F.col("d") <= window_end).groupBy("c", "o").agg(F.sum("v").alias("v"))
    per_customer = periods.groupBy("c").agg(
        (F.count(F.lit(1)) - 1).cast("long").alias("frequency"),
        F.min("o").alias("first"),
        F.max("o").alias("last"),
        F.sum("v").alias("total"),
        F.min_by("v", "o").alias("first_v"),
    )
    frequency = F.col("frequency")
    columns = [
        F.col("c"),
        frequency,
        (F.col("last") - F.col("first")).cast("double").alias("recency"),
        (F.lit(_ordinal_of(window_end, period)) - F.col("first")).cast("double").alias("T"),
    ]
    if amount:
        columns.append(
            F.when(frequency > 0, (F.col("total") - F.col("first_v")) / frequency)
            .otherwise(F.lit(0.0))
            .alias("monetary_value")
        )
    summary = per_customer.select(*columns)
    if cal is not None:
        cal_day = _day_number(cal)
        holdout_periods = (
            tx.where((F.col("d") > cal_day) & (F.col("d") <= end))
            .groupBy("c", "o")
            .agg(F.sum("v").alias("v"))
        )
        holdout = holdout_periods.groupBy("c").agg(
            F.count(F.lit(1)).cast("long").alias("frequency_holdout"),
            F.avg("v").alias("monetary_value_holdout"),
        )
        kept = [F.coalesce(F.col("frequency_holdout"), F.lit(0).cast("long")).alias("frequency_holdout")]
        if amount:
            kept.append(
                F.coalesce(F.col("monetary_value_holdout"), F.lit(0.0)).alias("monetary_value_holdout")
            )
        duration = float(_ordinal_of(end, period) - _ordinal_of(cal_day, period))
        summary = summary.join(holdout, on="c", how="left").select(
            *[F.col(c) for c in summary.columns], *kept, F.lit(duration).alias("duration_holdout")
        )
    return summary.withColumnRenamed("c", customer)


def compress(summary: DataFrame, columns: Sequence[str], customer: str | None = None) -> pd.DataFrame:
    """Identical rows of ``columns`` counted on the cluster: a small pandas table with ``weights``.

    The rows come in the order in which the single-machine fit groups the
    per-customer summary (sorted by customer), so that a fit on this table
    takes the same path and gives the same parameters to the last digits:
    by first customer (``customer``, default the summary's first column),
    or, for whole-number columns over many customers, by value (the
    presence-table grouping of :func:`clientela.value.models.base.row_groups`).
    """
    from pyspark.sql import functions as F

    from clientela.value.models.rows import _DENSE_MIN_ROWS

    missing = [c for c in columns if c not in summary.columns]
    if missing:
        raise ValueError(f"the summary has no column(s) {', '.join(map(repr, missing))}")
    key = customer or summary.columns[0]
    counted = summary.groupBy(*columns).agg(
        F.count(F.lit(1)).cast("double").alias("weights"), F.min(_quoted(key)).alias("_first")
    )
    table: pd.DataFrame = counted.toPandas()
    n = float(table["weights"].sum())
    values = [table[c].to_numpy(dtype=np.float64) for c in columns]
    whole = all(len(v) == 0 or np.array_equal(v, np.rint(v)) for v in values)
    size = 1
    for v in values:
        size *= int(v.max() - v.min()) + 1 if len(v) else 1
    by_value = whole and n > _DENSE_MIN_ROWS and size <= 4 * n
    order = list(columns) if by_value else ["_first"]
    table = table.sort_values(order, kind="stable").drop(columns="_first")
    return table.reset_index(drop=True)


def model_rows(model: BaseModel, summary: DataFrame, customer: str | None = None) -> pd.DataFrame:
    """The rows a fit of ``model`` needs on the driver, as the single-machine fit sees them.

    Whole-number columns (frequency, recency, T) compressed by :func:`compress`;
    with a float average (``monetary_value``, Gamma-Gamma) one row per repeat
    buyer in customer order -- averages rarely repeat, and the single-machine
    fit does not group them either.
    """
    from pyspark.sql import functions as F

    columns = list(model.required_columns)
    if "monetary_value" not in columns:
        return compress(summary, columns, customer)
    key = customer or summary.columns[0]
    repeat = summary.where(F.col("frequency") > 0).orderBy(_quoted(key)).select(*columns)
    table: pd.DataFrame = repeat.toPandas()
    if table.empty:  # the model's own error: no repeat buyer
        table = pd.DataFrame({c: [0.0] for c in columns})
    return table


def fit(model: BaseModel, summary: DataFrame, customer: str | None = None) -> BaseModel:
    """Fit ``model`` (any model of :mod:`clientela.value.models`) on the driver on :func:`model_rows`."""
    return model.fit(model_rows(model, summary, customer))


def score(
    summary: DataFrame,
    purchases_model: PurchasesModel,
    spend_model: Spend | None,
    *,
    customer: str,
    horizon: int,
    discount_rate: float,
    margin: float = 1.0,
    interval_level: float | None = None,
) -> DataFrame:
    """Scores per customer, computed on the executors with ``mapInPandas``.

    Columns: the customer, ``p_alive``, ``expected_purchases`` and, with a
    ``spend_model`` (a fitted Gamma-Gamma or a fixed spend), ``expected_spend``
    and ``clv`` -- the figures of
    :func:`clientela.value.clv.customer_lifetime_value` for the same summary
    rows; with ``interval_level`` the delta-method bounds ``*_low`` and
    ``*_high`` of :func:`clientela.value.uncertainty.value_intervals` (each
    customer's interval depends only on that customer and the fitted models).
    """
    from pyspark.sql import types as T

    from clientela.value.clv import customer_lifetime_value
    from clientela.value.uncertainty import value_intervals

    columns = ["p_alive", "expected_purchases"]
    if spend_model is not None:
        columns += ["expected_spend", "clv"]
    bounds: list[str] = []
    if interval_level is not None:
        named = ["p_alive", "expected_purchases"] + (["clv"] if spend_model is not None else [])
        bounds = [f"{name}_{side}" for name in named for side in ("low", "high")]
    spend: Spend = spend_model if spend_model is not None else 1.0
    fields = [summary.schema[customer]] + [
        T.StructField(name, T.DoubleType(), True) for name in columns + bounds
    ]
    schema = T.StructType(fields)

    def batches(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for frame in frames:
            if frame.empty:
                continue
            rows = frame.set_index(customer)
            table = customer_lifetime_value(
                purchases_model, spend, rows, horizon=horizon, discount_rate=discount_rate,
                margin=margin, residual=False,
            )[columns]
            if interval_level is not None:
                intervals = value_intervals(
                    purchases_model, spend, rows, horizon=horizon,
                    discount_rate=discount_rate, margin=margin, level=interval_level,
                )
                for name in bounds:
                    table[name] = intervals.customers[name].to_numpy()
            yield table.reset_index()

    return summary.mapInPandas(batches, schema)
