"""Binary COPY (pg_binary) stores exactly what the CSV COPY it replaces stores.

Random tables of every handled type (hypothesis) go into two temporary tables, one
through each format; PostgreSQL then compares the rows itself. Numeric values are
rounded by the encoder as the server rounds text input (half away from zero).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.crm.transfer import pg_binary, pg_bulk

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

COLUMNS = {
    "a": ("bigint", pa.int64()),
    "b": ("integer", pa.int32()),
    "c": ("numeric(14,4)", pa.string()),
    "d": ("numeric(14,2)", pa.string()),
    "e": ("text", pa.string()),
    "f": ("varchar(12)", pa.string()),
    "g": ("timestamptz", pa.timestamp("us", "UTC")),
    "h": ("boolean", pa.bool_()),
    "i": ("date", pa.date32()),
    "j": ("numeric(18,8)", pa.decimal128(18, 8)),
}

UTC = dt.UTC


def amounts(places: int) -> st.SearchStrategy[str]:
    """Decimal text with up to ``places`` decimals (more than the column keeps, to test rounding)."""
    return st.builds(
        lambda whole, frac, neg: f"{'-' if neg else ''}{whole}" + (f".{frac}" if frac else ""),
        st.integers(0, 9_999_999_999), st.text("0123456789", max_size=places), st.booleans())


ROW = st.fixed_dictionaries({
    "a": st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)),
    "b": st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1)),
    "c": st.one_of(st.none(), amounts(6)),
    "d": st.one_of(st.none(), amounts(5)),
    "e": st.one_of(st.none(), st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                                      max_size=30)),
    "f": st.one_of(st.none(), st.text("abcżółć ,\"\n'", max_size=12)),
    "g": st.one_of(st.none(), st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2200, 1, 1)).map(
        lambda t: t.replace(tzinfo=UTC))),
    "h": st.one_of(st.none(), st.booleans()),
    "i": st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2200, 1, 1))),
    "j": st.one_of(st.none(), st.decimals(min_value=Decimal("-9999999999"), max_value=Decimal("9999999999"),
                                          places=8, allow_nan=False, allow_infinity=False)),
})


def table(rows: list[dict]) -> pa.Table:
    return pa.table({name: pa.array([r[name] for r in rows], arrow) for name, (_, arrow) in COLUMNS.items()})


def load_both(data: pa.Table) -> int:
    """COPY ``data`` in binary and in CSV into two fresh tables; rows that differ."""
    definition = ", ".join(f"{name} {sql}" for name, (sql, _) in COLUMNS.items())
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bin_rows, csv_rows")
        cur.execute(f"CREATE TEMP TABLE bin_rows ({definition})")
        cur.execute(f"CREATE TEMP TABLE csv_rows ({definition})")
        raw = cur.cursor
        assert pg_bulk._binary_blocks(raw, "bin_rows", data) is not None, "expected the binary path"
        pg_bulk.copy_rows(raw, "bin_rows", data)
        with raw.copy("COPY csv_rows FROM STDIN (FORMAT csv)") as copy:
            copy.write(pg_bulk.encode_csv(data))
        cur.execute("SELECT count(*) FROM ((TABLE bin_rows EXCEPT ALL TABLE csv_rows) "
                    "UNION ALL (TABLE csv_rows EXCEPT ALL TABLE bin_rows)) d")
        differing = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM bin_rows")
        assert cur.fetchone()[0] == data.num_rows
    return differing


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ROW, min_size=0, max_size=40))
def test_binary_copy_stores_what_csv_stores(rows):
    assert load_both(table(rows)) == 0


def test_rounding_and_extremes_match_the_server():
    rows = [dict.fromkeys(COLUMNS) for _ in range(6)]
    for row, (c, d) in zip(rows, [("1.00005", "1.005"), ("-1.00005", "-2.345"), ("0.00004999", "0.004999"),
                                  ("9999999999.9999", "99999999999.99"), ("0", "-0.001"), ("12,5".replace(",", "."), "7")],
                           strict=True):
        row["c"], row["d"] = c, d
    rows[0]["a"], rows[1]["a"] = 2**63 - 1, -(2**63)
    rows[0]["g"] = dt.datetime(1970, 1, 1, tzinfo=UTC)
    rows[1]["g"] = dt.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    rows[2]["i"] = dt.date(1999, 12, 31)
    assert load_both(table(rows)) == 0


def test_values_beyond_int64_fall_back_to_csv():
    data = pa.table({"x": pa.array(["123456789012345.12345678"])})
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE wide (x numeric(30,8))")
        assert pg_binary.prepare(data, [("numeric", 8)]) is None
        assert pg_bulk._binary_blocks(cur.cursor, "wide", data) is None
        pg_bulk.copy_rows(cur.cursor, "wide", data)
        cur.execute("SELECT x::text FROM wide")
        assert cur.fetchone()[0] == "123456789012345.12345678"


def test_the_order_tables_take_the_binary_path():
    """The import's final tables are written in binary (a silent fall-back to CSV would
    only cost speed, so it gets its own test)."""
    from clientela.crm.commerce.models import Order, OrderLine
    from clientela.crm.transfer.pg_copy import _with_defaults

    lines = _with_defaults(OrderLine, {
        "id": pa.array([1]), "order_id": pa.array([1]), "line_no": pa.array([1]),
        "product_id": pa.array([1]), "quantity": pa.array([2]), "unit_price": pa.array(["1.5"]),
        "discount": pa.array(["0"]), "unit_cost": pa.array(["0.5"])})
    orders = _with_defaults(Order, {
        "id": pa.array([1]), "ref": pa.array(["O1"]), "party_id": pa.array([1]),
        "ordered_at": pa.array([dt.datetime(2024, 1, 1, tzinfo=UTC)], pa.timestamp("us", "UTC")),
        "currency": pa.array(["PLN"]), "total_amount": pa.array(["3.0"]), "total_cost": pa.array(["1.0"])})
    with connection.cursor() as cur:
        assert pg_bulk._binary_blocks(cur.cursor, OrderLine._meta.db_table, lines) is not None
        assert pg_bulk._binary_blocks(cur.cursor, Order._meta.db_table, orders) is not None
