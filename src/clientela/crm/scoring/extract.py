"""Read what the engines need from the database as DataFrames.

On PostgreSQL each query streams through ``COPY (…) TO STDOUT`` into pyarrow's
CSV reader, which is several times faster than fetching millions of Python
tuples; on SQLite rows are fetched in chunks. Queries are constant SQL with
bound parameters only.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import DatabaseError, connection
from psycopg import pq

from clientela.crm.commerce.models import ExchangeRate


class ExtractError(ValueError):
    """The database lacks something scoring needs (e.g. an exchange rate); says what."""


def frame(sql: str, columns: Sequence[str], params: Sequence[object] = ()) -> pd.DataFrame:
    """Run a read-only query and return its rows as a DataFrame with ``columns``."""
    if connection.vendor == "postgresql":
        return _frame_postgres(sql, columns, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        chunks = []
        while rows := cursor.fetchmany(200_000):
            chunks.append(pd.DataFrame.from_records(rows, columns=list(columns)))
    if not chunks:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return pd.concat(chunks, ignore_index=True)


def _frame_postgres(sql: str, columns: Sequence[str], params: Sequence[object]) -> pd.DataFrame:
    import pyarrow.csv as pacsv
    from psycopg import sql as pgsql

    connection.ensure_connection()
    raw = connection.connection
    buffer = io.BytesIO()
    # The inner query is a constant of this module; values travel as bound parameters,
    # which COPY does not accept, so they are rendered by psycopg's own literal quoting.
    with raw.cursor() as cursor:
        query = pgsql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER false)").format(
            pgsql.SQL(sql.replace("%s", "{}")).format(*[pgsql.Literal(p) for p in params])
        )
        text = query.as_bytes(cursor)
        # Outside autocommit psycopg opens the transaction on a statement's way out; let it,
        # so the COPY below runs inside it just as it would through the cursor.
        if not raw.autocommit and raw.info.transaction_status == pq.TransactionStatus.IDLE:
            cursor.execute("SELECT 1")
    _copy_out(raw.pgconn, text, buffer.write)
    if buffer.tell() == 0:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    buffer.seek(0)
    table = pacsv.read_csv(
        buffer,
        read_options=pacsv.ReadOptions(column_names=list(columns)),
        convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
    )
    return table.to_pandas()


def _copy_out(pgconn: pq.abc.PGconn, query: bytes, write: Callable[[bytes], object]) -> None:
    """Run ``COPY … TO STDOUT`` and hand each row's bytes to ``write``.

    The server sends one message per row; psycopg's ``Copy`` iterator costs a
    generator and a wait per message (about 4 µs, 40 s for 10M rows), while this
    loop asks libpq directly (blocking) for the next row. Same bytes, same
    errors: a failing query or COPY raises with the server's message.
    """
    pgconn.send_query(query)
    while pgconn.flush():
        pass
    result = pgconn.get_result()
    try:
        if result is None or result.status != pq.ExecStatus.COPY_OUT:
            message = result.error_message if result is not None else b""
            raise DatabaseError((message or b"COPY did not start").decode(errors="replace").strip())
        while (copied := pgconn.get_copy_data(0))[0] >= 0:
            write(bytes(copied[1]))
        result = pgconn.get_result()
        if result is None or result.status != pq.ExecStatus.COMMAND_OK:
            message = result.error_message if result is not None else b""
            raise DatabaseError((message or b"COPY failed").decode(errors="replace").strip())
    finally:
        while pgconn.get_result() is not None:  # leave the connection ready for the next query
            pass


def _to_utc(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True, format="ISO8601")


def orders(*, until: date | None = None) -> pd.DataFrame:
    """Orders with their amounts in the base currency.

    Columns: order_id, party_id, ordered_at (UTC), status, currency, amount,
    cost (both in the base currency, float). Cancelled orders are left out;
    returned orders stay, flagged by ``status``, so profitability can count them.
    """
    sql = (
        "SELECT o.id, o.party_id, o.ordered_at, o.status, o.currency, o.total_amount, o.total_cost "
        "FROM commerce_order o WHERE o.status <> %s"
    )
    params: list[object] = ["cancelled"]
    if until is not None:
        sql += " AND o.ordered_at < %s"
        params.append(pd.Timestamp(until, tz="UTC").to_pydatetime())
    df = frame(
        sql,
        ["order_id", "party_id", "ordered_at", "status", "currency", "amount", "cost"],
        params,
    )
    df["ordered_at"] = _to_utc(df["ordered_at"])
    df["amount"] = pd.to_numeric(df["amount"]).astype("float64")
    df["cost"] = pd.to_numeric(df["cost"]).astype("float64")
    rate = base_rates(df["currency"], df["ordered_at"])
    df["amount"] = df["amount"] * rate
    df["cost"] = df["cost"] * rate
    return df


def base_rates(currency: pd.Series, when: pd.Series) -> np.ndarray:
    """Rate to the base currency for each (currency, time): the latest rate on or before it."""
    base = settings.BASE_CURRENCY
    out = np.ones(len(currency), dtype="float64")
    foreign = currency.ne(base).to_numpy()
    if not foreign.any():
        return out
    rates = pd.DataFrame.from_records(
        ExchangeRate.objects.values_list("currency", "date", "rate").order_by("date"),
        columns=["currency", "date", "rate"],
    )
    need = pd.DataFrame(
        {
            "pos": np.flatnonzero(foreign),
            "currency": currency[foreign].to_numpy(),
            "day": when[foreign]
            .dt.tz_convert("UTC")
            .dt.tz_localize(None)
            .dt.normalize()
            .to_numpy()
            .astype("datetime64[ns]"),
        }
    )
    for code, group in need.groupby("currency", sort=True):
        table = rates[rates["currency"] == code]
        if table.empty:
            raise ExtractError(f"no exchange rate for {code} to {base}: add ExchangeRate rows")
        table = pd.DataFrame(
            {
                "day": pd.to_datetime(table["date"]).astype("datetime64[ns]"),
                "rate": table["rate"].map(Decimal).astype("float64"),
            }
        ).sort_values("day")
        ordered = group.sort_values("day")
        matched = pd.merge_asof(ordered, table, on="day", direction="backward")
        if matched["rate"].isna().any():
            first = matched.loc[matched["rate"].isna(), "day"].min().date()
            raise ExtractError(f"no {code} exchange rate on or before {first}")
        out[matched["pos"].to_numpy()] = matched["rate"].to_numpy()
    return out


def parties() -> pd.DataFrame:
    """Every party with its roles, acquisition, how many parties it referred, and its
    owner and team (copied onto its score for the customer lists' indexes)."""
    sql = (
        "SELECT p.id, p.ref, p.name, p.is_customer, p.is_prospect, p.is_supplier, p.is_partner, "
        "p.is_internal, p.acquired_at, p.acquisition_channel, p.referred_by_id, "
        "p.owner_id, p.team_id, p.archived_at "
        "FROM parties_party p"
    )
    df = frame(
        sql,
        [
            "party_id", "ref", "name", "is_customer", "is_prospect", "is_supplier", "is_partner",
            "is_internal", "acquired_at", "acquisition_channel", "referred_by_id",
            "owner_id", "team_id", "archived_at",
        ],
    )
    # Archived parties are outside the customer base (``insight.customer_base``).
    df["archived"] = df.pop("archived_at").notna()
    for col in ("owner_id", "team_id"):
        df[col] = pd.to_numeric(df[col]).astype("Int64")
    for col in ("is_customer", "is_prospect", "is_supplier", "is_partner", "is_internal"):
        df[col] = _flags(df[col])
    df["acquired_at"] = _to_utc(df["acquired_at"])
    # Every party is read, so the parties each one referred are counted here rather than
    # by a correlated subquery per party.
    referrers = pd.to_numeric(df["referred_by_id"]).dropna().astype("int64")
    df["referrals"] = (
        referrers.value_counts().reindex(pd.to_numeric(df["party_id"]).to_numpy(), fill_value=0)
        .to_numpy(dtype="int64")
    )
    return df


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"t", "true", "1"}
    return bool(value)


def _flags(column: pd.Series) -> pd.Series:
    """``_truthy`` of every value, evaluated once per distinct value."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    truth = np.array([_truthy(u) for u in uniques], dtype=bool)
    return pd.Series(truth[codes], index=column.index, dtype=bool)


def interaction_costs() -> pd.DataFrame:
    """Interactions per party with their cost (base currency) and time."""
    df = frame(
        "SELECT party_id, channel, occurred_at, cost FROM engagement_interaction",
        ["party_id", "channel", "occurred_at", "cost"],
    )
    df["occurred_at"] = _to_utc(df["occurred_at"])
    df["cost"] = pd.to_numeric(df["cost"]).astype("float64")
    return df


def campaigns() -> pd.DataFrame:
    """Campaigns with their kind, channel, spend and dates."""
    df = frame(
        "SELECT id, kind, channel, spend, currency, starts_on FROM engagement_campaign",
        ["campaign_id", "kind", "channel", "spend", "currency", "starts_on"],
    )
    df["spend"] = pd.to_numeric(df["spend"]).astype("float64")
    return df


def product_purchases() -> pd.DataFrame:
    """Distinct (party, product) pairs bought in non-cancelled, non-returned orders."""
    df = frame(
        "SELECT DISTINCT o.party_id, l.product_id FROM commerce_orderline l "
        "JOIN commerce_order o ON o.id = l.order_id WHERE o.status NOT IN (%s, %s)",
        ["party_id", "product_id"],
        ["cancelled", "returned"],
    )
    return df.astype({"party_id": "int64", "product_id": "int64"})


def order_items() -> pd.DataFrame:
    """Distinct (order, party, product) for kept orders: the baskets product affinity reads.

    The lines come without ``DISTINCT``: on 10M lines PostgreSQL's hash aggregate
    spills to disk and takes several times the join itself, while a hash of one
    int64 key per line here takes a second (an order has one party, so the key
    is the order and the product).
    """
    df = frame(
        "SELECT l.order_id, o.party_id, l.product_id FROM commerce_orderline l "
        "JOIN commerce_order o ON o.id = l.order_id WHERE o.status NOT IN (%s, %s)",
        ["order_id", "party_id", "product_id"],
        ["cancelled", "returned"],
    )
    df = df.astype({"order_id": "int64", "party_id": "int64", "product_id": "int64"})
    if df.empty:
        return df
    order = df["order_id"].to_numpy()
    product, _ = pd.factorize(df["product_id"])
    key = (order - order.min()) * (int(product.max()) + 1) + product
    return df[~pd.Series(key).duplicated().to_numpy()].reset_index(drop=True)


def products() -> pd.DataFrame:
    """Product id, SKU and name."""
    df = frame("SELECT id, sku, name FROM commerce_product", ["product_id", "sku", "name"])
    return df.astype({"product_id": "int64"})


def feedback() -> pd.DataFrame | None:
    """Survey answers (NPS and CSAT) by party, or None when there are none."""
    df = frame(
        "SELECT party_id, answered_at, kind, score FROM feedback_surveyresponse "
        "WHERE party_id IS NOT NULL",
        ["party_id", "answered_at", "kind", "score"],
    )
    if df.empty:
        return None
    df["answered_at"] = _to_utc(df["answered_at"])
    df["score"] = pd.to_numeric(df["score"]).astype("float64")
    return df


def service_case_costs() -> pd.DataFrame | None:
    """Service cases as a cost to serve, when the service app records a cost; else None."""
    from clientela.crm.service.models import Case

    if "cost" not in {f.name for f in Case._meta.get_fields()}:
        return None
    df = frame(
        "SELECT party_id, opened_at, cost FROM service_case WHERE party_id IS NOT NULL",
        ["party_id", "opened_at", "cost"],
    )
    df["opened_at"] = _to_utc(df["opened_at"])
    df["cost"] = pd.to_numeric(df["cost"]).astype("float64")
    return df
