"""Benchmark ``clientela import orders`` against a raw COPY of the same file, on PostgreSQL.

Generates (and caches under benchmarks/.cache/) a customers file and an orders file
with ``--lines`` order lines, creates a scratch database, migrates it, imports the
customers, then measures in the same run:

  (a) a raw ``COPY`` of the orders file into an unindexed table of text columns;
  (b) ``clientela.crm.transfer.csv_import.import_file("orders", …)`` into the schema;
  (c) storage floors: the rows (b) stored, already typed and keyed, COPYed in binary
      into empty copies of ``commerce_order`` and ``commerce_orderline`` in one
      transaction, with no file to read and nothing to check: the typed rows alone;
      with the schema's keys and indexes (built after the COPY, or kept during it) and
      foreign keys validated — the server work any import of these rows into this
      schema must do; and with only the keys the issue names;

and prints lines/second for each and the ratios (target: import >= 50 % of COPY).

    python benchmarks/import_bench.py                      # 1,000,000 lines
    python benchmarks/import_bench.py --lines 100000       # a quick run
    python benchmarks/import_bench.py --database-url postgres://postgres@127.0.0.1:5432/x

The database named in the URL is only used to reach the server: the benchmark
creates and drops its own scratch database (``<name>_import_bench``).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd
import psycopg

CACHE = Path(__file__).resolve().parent / ".cache"
SEED = 20261123


def generate(lines: int, customers: int, skus: int) -> tuple[Path, Path]:
    """Write (once) a customers CSV and an orders CSV with ``lines`` order lines."""
    CACHE.mkdir(parents=True, exist_ok=True)
    customers_path = CACHE / f"customers_{customers}.csv"
    orders_path = CACHE / f"orders_{lines}_{customers}_{skus}.csv"
    rng = np.random.default_rng(SEED)
    if not customers_path.exists():
        refs = np.char.add("C", np.arange(1, customers + 1).astype(str))
        pd.DataFrame({
            "customer_ref": refs,
            "name": np.char.add("Customer ", np.arange(1, customers + 1).astype(str)),
            "kind": "person",
            "email": np.char.add(np.char.lower(refs), "@example.com"),
            "phone": "",
            "country": rng.choice(["PL", "DE", "CZ", "LT"], customers),
            "acquired_at": "2023-01-01",
            "acquisition_channel": rng.choice(["search", "social", "email", "referral"], customers),
        }).to_csv(customers_path, index=False)
    if not orders_path.exists():
        sizes = rng.integers(1, 6, size=lines)  # lines per order, 1-5 (mean 3)
        ends = np.cumsum(sizes)
        sizes = sizes[: np.searchsorted(ends, lines) + 1]
        sizes[-1] -= sizes.sum() - lines
        n_orders = len(sizes)
        order_no = np.repeat(np.arange(1, n_orders + 1), sizes)
        order_customer = rng.integers(1, customers + 1, n_orders)
        start = np.datetime64("2023-01-01T00:00:00")
        order_time = start + rng.integers(0, 3 * 365 * 86400, n_orders).astype("timedelta64[s]")
        price_cents = rng.integers(100, 100_000, size=skus)
        sku_of_line = rng.integers(0, skus, size=lines)
        cents = price_cents[sku_of_line]
        quantity = rng.integers(1, 6, size=lines)
        discount = np.where(rng.random(lines) < 0.1, cents * quantity // 10, 0)
        frame = pd.DataFrame({
            "order_ref": np.char.add("ORD-", np.char.zfill(order_no.astype(str), 8)),
            "customer_ref": np.char.add("C", order_customer[order_no - 1].astype(str)),
            "ordered_at": np.datetime_as_string(order_time[order_no - 1], unit="s"),
            "sku": np.char.add("SKU-", np.char.zfill(sku_of_line.astype(str), 4)),
            "quantity": quantity,
            "unit_price": [f"{c // 100}.{c % 100:02d}" for c in cents],
            "currency": "PLN",
            "unit_cost": [f"{c * 6 // 1000}.{c * 6 // 10 % 100:02d}" for c in cents],
            "discount": [f"{d // 100}.{d % 100:02d}" for d in discount],
        })
        frame["ordered_at"] = frame["ordered_at"] + "+01:00"
        frame.to_csv(orders_path, index=False)
    return customers_path, orders_path


def scratch_database(url: str) -> str:
    """Create an empty scratch database on the server ``url`` names; return its URL."""
    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "clientela") + "_import_bench"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    """Drop the scratch database ``url`` names (made by ``scratch_database``)."""
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')


def raw_copy(url: str, path: Path) -> float:
    """Seconds to COPY ``path`` into an unindexed table of text columns (committed)."""
    header = path.open(encoding="utf-8").readline().strip().split(",")
    columns = ", ".join(f"{c} text" for c in header)
    with psycopg.connect(urlunsplit(urlsplit(url)._replace(scheme="postgresql"))) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw_lines")
        conn.execute(f"CREATE TABLE bench_raw_lines ({columns})")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur, path.open("rb") as source:
            with cur.copy("COPY bench_raw_lines FROM STDIN (FORMAT csv, HEADER true)") as copy:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
        conn.commit()
        return time.perf_counter() - started


FLOOR_TABLES = ("commerce_order", "commerce_orderline")
# The keys the issue itself asks for: unique order refs, unique (order, line) (the lines'
# natural key, which could serve as their primary key), orders by party and date, and
# the orders' id that the lines' foreign key references.
REQUIRED_KEYS = {"commerce_order": ("(id)", "(ref)", "(party_id, ordered_at)"),
                 "commerce_orderline": ("(order_id, line_no)",)}
FLOOR_VARIANTS = (  # label, indexes ("all", "required", "none"), built before the COPY, foreign keys
    ("typed rows only: no key, index or foreign key", "none", False, False),
    ("the schema's keys and indexes built after the COPY, foreign keys validated", "all", False, True),
    ("the schema's keys and indexes kept during the COPY, foreign keys validated", "all", True, True),
    ("only the keys the issue names, built after the COPY, foreign keys validated", "required", False, True),
)


def storage_floor(url: str) -> list[tuple[str, float]]:
    """Seconds to store the imported orders and lines again, already typed and keyed (no
    file to read, nothing to check), into empty copies of their tables, in one
    transaction, for each of FLOOR_VARIANTS."""
    conninfo = urlunsplit(urlsplit(url)._replace(scheme="postgresql"))
    with psycopg.connect(conninfo) as conn:
        rows = {}
        for table in FLOOR_TABLES:
            buffer = io.BytesIO()
            with conn.cursor().copy(f"COPY (SELECT * FROM {table} ORDER BY id) TO STDOUT (FORMAT binary)") as copy:
                for block in copy:
                    buffer.write(block)
            rows[table] = buffer.getvalue()
        indexes = {t: [d for (d,) in conn.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass", [t])]
            for t in FLOOR_TABLES}
        foreign_keys = {t: [d for (d,) in conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass",
            [t])] for t in FLOOR_TABLES}
        conn.commit()

        def build(table: str, which: str) -> None:
            for definition in indexes[table]:
                if which == "required" and not definition.endswith(REQUIRED_KEYS[table]):
                    continue
                # The primary key is built as the unique index that backs it.
                conn.execute(re.sub(r" ON (public\.)?(commerce_\w+) ", r" ON floor_\2 ", definition)
                             .replace("INDEX ", "INDEX floor_", 1))

        timings = []
        for label, which, before, with_foreign_keys in FLOOR_VARIANTS:
            for table in FLOOR_TABLES:
                conn.execute(f"DROP TABLE IF EXISTS floor_{table} CASCADE")
                # Columns, defaults and CHECK constraints; keys and indexes by build().
                conn.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            conn.commit()
            started = time.perf_counter()
            conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
            conn.execute("SET LOCAL synchronous_commit = off")
            for table in FLOOR_TABLES:
                if before and which != "none":
                    build(table, which)
            for table in FLOOR_TABLES:
                with conn.cursor().copy(f"COPY floor_{table} FROM STDIN (FORMAT binary)") as copy:
                    copy.write(rows[table])
            for table in FLOOR_TABLES:
                if not before and which != "none":
                    build(table, which)
            for table in FLOOR_TABLES:
                for definition in foreign_keys[table] if with_foreign_keys else ():
                    conn.execute(f"ALTER TABLE floor_{table} ADD "
                                 + definition.replace("REFERENCES commerce_order(", "REFERENCES floor_commerce_order("))
            conn.commit()
            timings.append((label, time.perf_counter() - started))
        for table in FLOOR_TABLES:
            conn.execute(f"DROP TABLE floor_{table} CASCADE")
        conn.commit()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=None, help="default: lines / 10")
    parser.add_argument("--skus", type=int, default=400)
    parser.add_argument("--database-url", default=os.environ.get("CLIENTELA_DATABASE_URL", ""))
    parser.add_argument("--profile", action="store_true", help="cProfile the import, top 25 functions")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("needs PostgreSQL: pass --database-url postgres://… or set CLIENTELA_DATABASE_URL")
    customers = args.customers or max(args.lines // 10, 10)

    t = time.perf_counter()
    customers_path, orders_path = generate(args.lines, customers, args.skus)
    print(f"files ready in {time.perf_counter() - t:.1f} s: {orders_path.name} "
          f"({orders_path.stat().st_size / 1e6:.0f} MB)")
    url = scratch_database(args.database_url)
    try:
        return measure(args, url, customers_path, orders_path, customers)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(url)
        print(f"scratch database {urlsplit(url).path.lstrip('/')} dropped")


def measure(args: argparse.Namespace, url: str, customers_path: Path, orders_path: Path, customers: int) -> int:
    os.environ["CLIENTELA_DATABASE_URL"] = url
    os.environ.setdefault("CLIENTELA_SECRET_KEY", "import-bench-only")
    from clientela.cli.django_setup import run_migrations, setup_django

    setup_django()
    run_migrations()
    from django.db import connection

    from clientela.crm.transfer.csv_import import import_file

    t = time.perf_counter()
    import_file("customers", customers_path)
    print(f"{customers:,} customers imported in {time.perf_counter() - t:.1f} s")

    copy_seconds = raw_copy(url, orders_path)
    if args.profile:
        import cProfile
        import logging
        import pstats

        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("  %(name)s: %(message)s"))
        logging.getLogger("clientela.crm.transfer").addHandler(handler)
        logging.getLogger("clientela.crm.transfer").setLevel(logging.DEBUG)
        logging.getLogger("clientela.crm.transfer").propagate = False
        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    last = [started]

    def on_step(label: str) -> None:
        now = time.perf_counter()
        print(f"  step {label!r} starts at {now - started:6.2f} s")
        last[0] = now

    result = import_file("orders", orders_path, on_step=on_step)
    import_seconds = time.perf_counter() - started
    print(f"  writing (through COMMIT) took {import_seconds - (last[0] - started):.2f} s")
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    assert result.created == args.lines, result
    with connection.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM commerce_orderline), (SELECT count(*) FROM commerce_order)")
        stored_lines, stored_orders = cur.fetchone()
    assert stored_lines == args.lines and stored_orders == result.extra["orders created"], (
        stored_lines, stored_orders, result)

    floors = storage_floor(url)
    floor_seconds = min(seconds for label, seconds in floors[1:3])
    copy_rate = args.lines / copy_seconds
    import_rate = args.lines / import_seconds
    print(f"raw COPY (unindexed, text columns): {copy_seconds:6.2f} s  {copy_rate:12,.0f} lines/s")
    print(f"clientela import orders:            {import_seconds:6.2f} s  {import_rate:12,.0f} lines/s"
          f"  = {import_rate / copy_rate:.1%} of the raw COPY (target >= 50 %)")
    print("storage floors: the same orders and lines, already typed and keyed, COPYed (binary) into empty")
    print("copies of their tables in one transaction (no file read, nothing checked):")
    for label, seconds in floors:
        print(f"  {seconds:6.2f} s  {args.lines / seconds:10,.0f} lines/s  = {copy_seconds / seconds:6.1%} of the raw COPY"
              f"  {label}")
    print(f"import / storage floor of this schema: {floor_seconds / import_seconds:.1%}")
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
