# ruff: noqa: S608 -- SQL text holds only quoted identifiers; values are bound.
"""Out-of-core customer summaries of CSV/Parquet transaction files with DuckDB.

Same definitions as :func:`clientela.value.summary.summarize` (see there);
this module only translates them into one SQL query so that DuckDB streams the
file, aggregates per (customer, period) and then per customer under a memory
limit (``CLIENTELA_DUCKDB_MEMORY_LIMIT``, default 4GB), spilling to a
temporary directory when needed.  Column names are quoted identifiers; dates
and bounds are bound parameters, never formatted into the SQL text.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from clientela.value.summary import _DUCKDB_MEMORY_LIMIT, _EPOCH, period_ordinal


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ordinal_sql(day: str, period: str) -> str:
    """SQL twin of :func:`clientela.value.summary.period_ordinal` for a day count."""
    if period == "D":
        return day
    if period == "W":
        return f"floor(({day} + 3) / 7)::BIGINT"
    return f"(12 * (year(DATE '1970-01-01' + {day}::INTEGER) - 1970) + month(DATE '1970-01-01' + {day}::INTEGER) - 1)::BIGINT"


def _source(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".parquet" or path.is_dir():
        return "read_parquet(?)"
    if suffix in (".csv", ".txt", ".gz"):
        return "read_csv(?, header = true)"
    raise ValueError(f"{path}: expected a .csv or .parquet file")


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{_DUCKDB_MEMORY_LIMIT}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET temp_directory = ?", [os.path.join(tempfile.gettempdir(), "clientela-duckdb")])
    return con


def summarize_file(
    path: Path,
    customer: str,
    date: str,
    amount: str | None,
    period: str,
    obs: np.datetime64 | None,
    cal: np.datetime64 | None,
) -> pd.DataFrame:
    """Summarise a CSV/Parquet transaction file (arguments as ``summarize``)."""
    if not path.exists():
        raise FileNotFoundError(path)
    if cal is None:
        from clientela.value.summary_parquet import summarize_parquet

        fast = summarize_parquet(path, customer, date, amount, period, obs)
        if fast is not None:
            return fast
    source = _source(path)
    con = _connect()
    columns = [
        row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}", [str(path)]).fetchall()
    ]
    needed = [customer, date] + ([amount] if amount else [])
    missing = [c for c in needed if c not in columns]
    if missing:
        raise ValueError(
            f"{path.name} is missing column(s) {', '.join(map(repr, missing))}; it has {columns}"
        )
    day = f"date_diff('day', DATE '1970-01-01', CAST({_quote(date)} AS DATE))"
    value = f"CAST({_quote(amount)} AS DOUBLE)" if amount else "0.0::DOUBLE"
    base = (
        f"SELECT {_quote(customer)} AS c, {day} AS d, {value} AS v FROM {source} "
        f"WHERE {_quote(customer)} IS NOT NULL"
    )
    try:
        if obs is None:
            end_day = con.execute(f"SELECT max(d) FROM ({base})", [str(path)]).fetchone()
            end = int(end_day[0]) if end_day and end_day[0] is not None else 0
        else:
            end = int((obs - _EPOCH).astype(np.int64))
        cal_day = int((cal - _EPOCH).astype(np.int64)) if cal is not None else None
        frame = _run(con, base, str(path), period, end, cal_day, amount is not None)
    except duckdb.ConversionException as exc:
        raise ValueError(
            f"column {date!r} or {amount!r} has a value DuckDB cannot convert: {exc}"
        ) from None
    finally:
        con.close()
    return frame.set_index("c").rename_axis(customer)


def _run(
    con: duckdb.DuckDBPyConnection,
    base: str,
    path: str,
    period: str,
    end: int,
    cal: int | None,
    with_amount: bool,
) -> pd.DataFrame:
    o = _ordinal_sql("d", period)
    window_end = end if cal is None else cal
    ord_end = "?::BIGINT"

    def ordinal(day: int) -> int:
        return int(period_ordinal(np.array([day], dtype=np.int64), period)[0])

    # tx is used once in this query (the holdout query below has its own), so
    # it is not MATERIALIZED: that would copy the whole log (100M rows).
    # Only quoted identifiers and fixed SQL are formatted in; values are bound (?).
    query = f"""
        WITH tx AS ({base}), periods AS (
            SELECT c, {o} AS o, sum(v) AS v FROM tx WHERE d <= ? GROUP BY ALL
        ), customers AS (
            SELECT c, count(*) - 1 AS frequency, min(o) AS first, max(o) AS last,
                   sum(v) - arg_min(v, o) AS repeat_value
            FROM periods GROUP BY c
        )
        SELECT c, frequency, (last - first)::DOUBLE AS recency,
               ({ord_end} - first)::DOUBLE AS T,
               CASE WHEN frequency > 0 THEN repeat_value / frequency ELSE 0.0 END AS monetary_value
        FROM customers
    """
    params: list[object] = [path, window_end, ordinal(window_end)]
    if cal is not None:
        query = f"""
            WITH tx AS ({base}), cal AS ({query}),
            hold AS (
                SELECT c, count(*) AS frequency_holdout, avg(v) AS monetary_value_holdout
                FROM (SELECT c, {o} AS o, sum(v) AS v FROM tx WHERE d > ? AND d <= ? GROUP BY ALL)
                GROUP BY c
            )
            SELECT cal.*, coalesce(hold.frequency_holdout, 0) AS frequency_holdout,
                   coalesce(hold.monetary_value_holdout, 0.0) AS monetary_value_holdout,
                   ?::DOUBLE AS duration_holdout
            FROM cal LEFT JOIN hold USING (c)
        """
        params = [path, *params, cal, end, ordinal(end) - ordinal(cal)]
    frame = con.execute(query + " ORDER BY c", params).df()
    frame["frequency"] = frame["frequency"].astype(np.int64)
    if "frequency_holdout" in frame:
        frame["frequency_holdout"] = frame["frequency_holdout"].astype(np.int64)
    if not with_amount:
        frame = frame.drop(columns=[c for c in frame.columns if c.startswith("monetary")])
    return frame
