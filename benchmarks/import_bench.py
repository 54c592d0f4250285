"""Benchmark ``clientela import orders`` against a raw COPY of the same file, on PostgreSQL.

Generates (and caches under benchmarks/.cache/) a customers file and an orders file
with ``--lines`` order lines, creates a scratch database, migrates it, imports the
customers, then measures in the same run:

  (a) a raw ``COPY`` of the orders file into an unindexed table of text columns;
  (b) ``clientela.crm.transfer.csv_import.import_file("orders", …)`` into the schema,
      while another process runs a loop of REST API reads and writes against a web
      server on the same database (benchmarks/api_load.py): its errors and p99 latency
      (target: no error, p99 under 1 s — the import must not lock users out);
  (c) storage floors: the rows (b) stored, already typed and keyed, COPYed in binary
      in one transaction with no file to read and nothing to check: into empty
      unindexed copies of ``commerce_order`` and ``commerce_orderline`` (the typed rows
      alone), and into the live tables themselves with every key, index and foreign
      key kept (target: the import at >= 60 % of this floor's rate);

and prints lines/second for each and the ratios.

    python benchmarks/import_bench.py                      # 1,000,000 lines
    python benchmarks/import_bench.py --lines 100000       # a quick run
    python benchmarks/import_bench.py --database-url postgres://postgres@127.0.0.1:5432/x

The database named in the URL is only used to reach the server: the benchmark
creates and drops its own scratch database (``<name>_import_bench``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
import urllib.request
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


def storage_floors(url: str) -> list[tuple[str, float]]:
    """Seconds to store the imported orders and lines again, already typed and keyed (no
    file to read, nothing to check), in one transaction: (1) into empty unindexed copies of
    their tables (the typed rows alone); (2) into the live tables themselves, emptied in
    the same transaction first, with every key, index and (deferred) foreign key kept,
    through COMMIT: the work the server must do for any import that leaves the schema
    as it is. The tables hold the same rows afterwards."""
    conninfo = urlunsplit(urlsplit(url)._replace(scheme="postgresql"))
    with psycopg.connect(conninfo) as conn:
        rows = {}
        for table in FLOOR_TABLES:
            buffer = io.BytesIO()
            with conn.cursor().copy(f"COPY (SELECT * FROM {table} ORDER BY id) TO STDOUT (FORMAT binary)") as copy:
                for block in copy:
                    buffer.write(block)
            rows[table] = buffer.getvalue()
        conn.commit()
        timings = []
        for table in FLOOR_TABLES:
            conn.execute(f"DROP TABLE IF EXISTS floor_{table}")
            conn.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING DEFAULTS)")
        conn.commit()
        started = time.perf_counter()
        for table in FLOOR_TABLES:
            with conn.cursor().copy(f"COPY floor_{table} FROM STDIN (FORMAT binary)") as copy:
                copy.write(rows[table])
        conn.commit()
        timings.append(("typed rows only, into empty unindexed copies of the tables", time.perf_counter() - started))
        for table in FLOOR_TABLES:
            conn.execute(f"DROP TABLE floor_{table}")
        conn.commit()
        conn.execute("TRUNCATE commerce_orderline, commerce_order CASCADE")  # nothing else refers to them here
        started = time.perf_counter()
        for table in FLOOR_TABLES:
            with conn.cursor().copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                copy.write(rows[table])
        conn.commit()
        timings.append(("into the live tables, every key, index and foreign key kept", time.perf_counter() - started))
    return timings


def start_api_load(url: str, port: int, work: Path) -> tuple[list[subprocess.Popen[bytes]], Path, Path]:
    """A web server on ``port`` over the scratch database and, in another process, a loop
    of API reads and writes against it (benchmarks/api_load.py) until the stop file exists."""
    from clientela.crm.accounts.api_tokens import create_token
    from clientela.crm.accounts.models import User
    from clientela.crm.parties.models import Party

    user = User.objects.create_user("bench_api", password=None, role="admin")
    _row, token = create_token(user, name="import bench")
    party_id = Party.objects.order_by("id").values_list("id", flat=True).first()
    env = {**os.environ, "CLIENTELA_DATABASE_URL": url, "CLIENTELA_API_RATE_LIMIT": "0/60"}
    server = subprocess.Popen(["clientela", "serve", "--port", str(port), "--threads", "4"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    stop, out = work / "api_load.stop", work / "api_load.json"
    stop.unlink(missing_ok=True)
    loop = subprocess.Popen([sys.executable, str(Path(__file__).with_name("api_load.py")), base, token,
                             str(party_id), str(stop), str(out)])
    time.sleep(2)  # the loop is running before the import starts
    return [loop, server], stop, out


def api_load_report(processes: list[subprocess.Popen[bytes]], stop: Path, out: Path) -> tuple[int, int, float, float]:
    """Stop the loop and the server; print each operation's p50 / p99; return (requests,
    errors, p50, p99) of all the loop's requests."""
    stop.touch()
    loop, server = processes
    loop.wait(timeout=60)
    server.terminate()
    server.wait(timeout=30)
    results = json.loads(out.read_text())
    for name in dict.fromkeys(r[0] for r in results):
        times = sorted(r[2] for r in results if r[0] == name)
        print(f"  API {name}: {len(times)} requests, p50 {times[len(times) // 2] * 1000:.0f} ms, "
              f"p99 {times[min(len(times) - 1, int(0.99 * len(times)))] * 1000:.0f} ms")
    seconds = sorted(r[2] for r in results)
    errors = sum(1 for r in results if not 200 <= r[1] < 300)
    p = lambda q: seconds[min(len(seconds) - 1, int(q * len(seconds)))] if seconds else float("nan")  # noqa: E731
    return len(results), errors, p(0.5), p(0.99)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=None, help="default: lines / 10")
    parser.add_argument("--skus", type=int, default=400)
    parser.add_argument("--database-url", default=os.environ.get("CLIENTELA_DATABASE_URL", ""))
    parser.add_argument("--profile", action="store_true", help="cProfile the import, top 25 functions")
    parser.add_argument("--port", type=int, default=8391, help="port of the web server the API loop reads and writes")
    parser.add_argument("--no-api-load", action="store_true", help="import with no API loop running beside it")
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
    load = None if args.no_api_load else start_api_load(url, args.port, CACHE)
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
    requests, errors, p50, p99 = api_load_report(*load) if load else (0, 0, float("nan"), float("nan"))
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

    floors = storage_floors(url)
    floor_seconds = floors[-1][1]
    copy_rate = args.lines / copy_seconds
    import_rate = args.lines / import_seconds
    print(f"raw COPY (unindexed, text columns): {copy_seconds:6.2f} s  {copy_rate:12,.0f} lines/s")
    print(f"clientela import orders:            {import_seconds:6.2f} s  {import_rate:12,.0f} lines/s"
          f"  = {import_rate / copy_rate:.1%} of the raw COPY")
    print("storage floors: the same orders and lines, already typed and keyed, COPYed (binary) in one")
    print("transaction through COMMIT (no file read, nothing checked):")
    for label, seconds in floors:
        print(f"  {seconds:6.2f} s  {args.lines / seconds:10,.0f} lines/s  = {copy_seconds / seconds:6.1%} of the raw COPY"
              f"  {label}")
    print(f"import / storage floor into the live tables: {floor_seconds / import_seconds:.1%} (target >= 60 %)")
    print(f"API loop during the import (another process, 4 server threads): {requests} requests, "
          f"{errors} errors, p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms (target: no error, p99 < 1 s)")
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
