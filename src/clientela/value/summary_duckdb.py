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

from clientela.value.summary import (
    _DUCKDB_MEMORY_LIMIT,
    _EPOCH,
    SummaryRequest,
    check_window,
    period_ordinal,
)


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


def _connect(zone: str | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{_DUCKDB_MEMORY_LIMIT}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET temp_directory = ?", [os.path.join(tempfile.gettempdir(), "clientela-duckdb")])
    # Aware times are cast to dates in this zone; naive ones keep their face value.
    # check_zone validated the name against the tz database, so quoting it is safe.
    con.execute(f"SET TimeZone = '{(zone or 'UTC').replace(chr(39), '')}'")
    return con


_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                  "USMALLINT", "UINTEGER", "UBIGINT")
_YYYYMMDD_SQL = "BETWEEN 10000101 AND 99991231"


def _day_sql(column: str, kind: str) -> str:
    """SQL for the day number of a date column of DuckDB type ``kind`` (NULL when unreadable).

    The rules of :mod:`clientela.value.summary`: dates and times through
    TIMESTAMPTZ (aware ones converted to the session's zone, naive ones at
    face value), integers as YYYYMMDD, strings in ISO 8601 or YYYYMMDD with
    surrounding white space ignored (as the DataFrame route and CSV reading do).
    """
    kind = kind.upper()
    if kind in _INTEGER_TYPES or kind in ("FLOAT", "DOUBLE") or kind.startswith("DECIMAL"):
        stamp = (
            f"CASE WHEN {column} = floor({column}) AND {column} {_YYYYMMDD_SQL} THEN "
            f"CAST(try_strptime(CAST(CAST({column} AS BIGINT) AS VARCHAR), '%Y%m%d') AS TIMESTAMPTZ) END"
        )
    elif kind == "VARCHAR":
        text = f"trim({column}, ' ' || chr(9) || chr(10) || chr(13))"
        stamp = (
            f"coalesce(TRY_CAST({text} AS TIMESTAMPTZ), CASE WHEN regexp_full_match({text}, "
            f"'[0-9]{{8}}') THEN CAST(try_strptime({text}, '%Y%m%d') AS TIMESTAMPTZ) END)"
        )
    elif kind == "DATE" or kind.startswith("TIMESTAMP"):
        stamp = f"CAST({column} AS TIMESTAMPTZ)"
    else:
        return "CAST(NULL AS BIGINT)"
    return f"date_diff('day', DATE '1970-01-01', CAST({stamp} AS DATE))"


def _validate(
    con: duckdb.DuckDBPyConnection,
    raw: str,
    path: Path,
    names: tuple[str, str, str | None],
    obs: np.datetime64 | None,
    cal: np.datetime64 | None,
) -> None:
    """The DataFrame route's checks on a file: nulls and unreadable values name their line."""
    customer, date, amount = names
    checks = [
        ("c IS NULL", f"column {customer!r} has a missing customer id"),
        ("raw_d IS NULL", f"column {date!r} has a missing date"),
        ("raw_d IS NOT NULL AND d IS NULL",
         f"column {date!r} has a value that is not a date (use YYYY-MM-DD, YYYYMMDD, an "
         "ISO 8601 time with an optional offset, or a date/timestamp type)"),
    ]
    if amount:
        checks += [
            ("raw_v IS NULL", f"column {amount!r} has a missing amount"),
            ("raw_v IS NOT NULL AND (v IS NULL OR NOT isfinite(v))",
             f"column {amount!r} has a value that is not a finite number"),
        ]
    counts = ", ".join(f"count(*) FILTER (WHERE {cond})" for cond, _ in checks)
    row = con.execute(f"SELECT count(*), min(d), {counts} FROM ({raw})", [str(path)]).fetchone()
    if row is None:
        raise ValueError(f"{path.name}: cannot be read")
    for (cond, message), bad in zip(checks, row[2:], strict=True):
        if bad:
            con.execute("SET preserve_insertion_order = true")
            found = con.execute(
                f"SELECT i FROM (SELECT row_number() OVER () AS i, ({cond}) AS bad FROM ({raw})) "
                "WHERE bad LIMIT 1",
                [str(path)],
            ).fetchone()
            csv = path.suffix.lower() != ".parquet"
            where = "?" if found is None else (
                f"line {int(found[0]) + 1}" if csv else f"row {int(found[0])}"
            )
            raise ValueError(f"{path.name}: {message} ({where}; {int(bad)} such row(s))")
    check_window(int(row[0]), None if row[1] is None else int(row[1]), obs, cal)


def summarize_file(path: Path, request: SummaryRequest) -> pd.DataFrame:
    """Summarise a CSV/Parquet transaction file (see ``summarize``)."""
    if not path.exists():
        raise FileNotFoundError(path)
    from clientela.value.summary_parquet import summarize_parquet

    fast = summarize_parquet(path, request)
    if fast is not None:
        return fast
    customer, date, amount = request.customer, request.date, request.amount
    period, obs, cal, zone = request.period, request.obs, request.cal, request.zone
    source = _source(path)
    con = _connect(zone)
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source}", [str(path)]).fetchall()
        types = {str(row[0]): str(row[1]) for row in described}
        request.check_columns(list(types), f"{path.name} is", "it has")
        day = _day_sql(_quote(date), types[date])
        value = f"TRY_CAST({_quote(amount)} AS DOUBLE)" if amount else "0.0::DOUBLE"
        raw_value = f", {_quote(amount)} AS raw_v" if amount else ""
        raw = (
            f"SELECT {_quote(customer)} AS c, {_quote(date)} AS raw_d, {day} AS d, "
            f"{value} AS v{raw_value} FROM {source}"
        )
        _validate(con, raw, path, (customer, date, amount), obs, cal)
        base = f"SELECT c, d, v FROM ({raw})"
        if obs is None:
            end_day = con.execute(f"SELECT max(d) FROM ({base})", [str(path)]).fetchone()
            end = int(end_day[0]) if end_day and end_day[0] is not None else 0
        else:
            end = int((obs - _EPOCH).astype(np.int64))
        cal_day = int((cal - _EPOCH).astype(np.int64)) if cal is not None else None
        frame = _run(con, base, str(path), period, end, cal_day, amount is not None)
    except duckdb.Error as exc:
        raise ValueError(
            f"{path.name}: column {date!r} or {amount!r} has a value DuckDB cannot read: {exc}"
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
