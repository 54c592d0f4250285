"""Benchmark ``clientela score`` on PostgreSQL: 1M customers, 10M order lines by default.

Generates (once, cached as CSV under benchmarks/.cache/) a company with
``--customers`` customers acquired over three years, a BG/NBD-like purchase
process (heterogeneous purchase rates and drop-out probabilities, seeded
``numpy.random.default_rng``, vectorised), about 3.3 orders per customer with
``--lines`` order lines over 500 products (baskets lean to one category, so
product affinity has something to find), returned and cancelled orders,
interactions (two per customer) with their cost, and campaigns. Then it
creates a scratch database, migrates it, COPYs the data in, runs

    clientela score --as-of <end date>

in a child process with ``CLIENTELA_SCORE_TIMING=1`` (each stage's wall time and
RSS on stderr), and prints the stage table, the total wall time and the child's
peak RSS (``os.wait4``), with the load average.

    python benchmarks/score_bench.py                               # 1M / 10M
    python benchmarks/score_bench.py --customers 50000 --lines 500000
    python benchmarks/score_bench.py --database-url postgres://postgres@127.0.0.1:5432/x --keep

The database named in the URL is only used to reach the server: the benchmark
creates ``<name>_score_bench`` and drops it at the end unless ``--keep``
(``--reuse`` scores an existing kept database without reloading it).
Targets (issue 4): within 5 minutes and 8 GB peak memory.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv

CACHE = Path(__file__).resolve().parent / ".cache"
SEED = 20261123
END = np.datetime64("2026-11-23T00:00:00", "s")  # the --as-of day (scoring covers it)
YEARS = 3
PRODUCTS = 500
CATEGORIES = 25
CHANNELS = ["search", "social", "email", "referral", "events", "direct", "partner", "sales"]
INTERACTION_CHANNELS = np.array(["email", "phone", "chat", "meeting"])
INTERACTION_COST_CENTS = np.array([10, 800, 300, 6000])

TABLES = {
    "products": ("commerce_product",
                 ["id", "sku", "name", "category", "list_price", "unit_cost", "currency", "is_active"]),
    "parties": ("parties_party",
                ["id", "ref", "kind", "name", "email", "phone", "country", "city", "language",
                 "preferred_channel", "is_customer", "is_prospect", "is_supplier", "is_partner",
                 "is_internal", "acquired_at", "acquisition_channel", "version", "created_at",
                 "updated_at", "referred_by_id"]),
    "orders": ("commerce_order",
               ["id", "ref", "ordered_at", "channel", "currency", "status", "total_amount",
                "total_cost", "party_id"]),
    "lines": ("commerce_orderline",
              ["id", "line_no", "quantity", "unit_price", "discount", "unit_cost", "order_id",
               "product_id"]),
    "interactions": ("engagement_interaction",
                     ["id", "channel", "direction", "occurred_at", "subject", "notes", "cost",
                      "party_id"]),
    "campaigns": ("engagement_campaign",
                  ["id", "name", "kind", "channel", "budget", "spend", "currency", "starts_on",
                   "message_body", "message_channel", "message_subject"]),
}


def _money(cents: np.ndarray) -> pa.Array:
    """Integer cents as exact decimal text (shortest float repr of cents/100 is exact)."""
    return pa.array(cents.astype("float64") / 100.0)


def _timestamps(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds.astype("datetime64[s]"), type=pa.timestamp("s", tz="UTC"))


def _refs(prefix: str, ids: np.ndarray) -> pa.Array:
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(ids), pa.string()), "")


def _write(path: Path, columns: dict[str, object]) -> None:
    table = pa.table(columns)
    tmp = path.with_suffix(".tmp")
    pacsv.write_csv(table, tmp, write_options=pacsv.WriteOptions(include_header=False))
    tmp.rename(path)


def generate(customers: int, lines: int) -> dict[str, Path]:
    """Write (once) the CSV files of the data set; return their paths by table key."""
    folder = CACHE / f"score_{customers}_{lines}_{SEED}_v2"
    folder.mkdir(parents=True, exist_ok=True)
    paths = {key: folder / f"{key}.csv" for key in TABLES}
    if all(p.exists() for p in paths.values()):
        return paths
    rng = np.random.default_rng(SEED)
    end = END.astype("int64")
    start = end - YEARS * 365 * 86400

    # Products: 25 categories of 20, Zipf-like popularity, prices 5-800 PLN.
    pid = np.arange(1, PRODUCTS + 1)
    category = (pid - 1) % CATEGORIES
    popularity = 1.0 / np.arange(1, PRODUCTS + 1) ** 0.8
    popularity = rng.permutation(popularity)
    price = np.clip(np.round(rng.lognormal(np.log(6000), 0.9, PRODUCTS)), 500, 80_000).astype("int64")
    unit_cost = (price * rng.uniform(0.35, 0.75, PRODUCTS)).round().astype("int64")
    _write(paths["products"], {
        "id": pid, "sku": _refs("SKU-", pid), "name": _refs("Product ", pid),
        "category": _refs("Category ", category), "list_price": _money(price),
        "unit_cost": _money(unit_cost), "currency": pa.array(["PLN"] * PRODUCTS),
        "is_active": pa.array(np.ones(PRODUCTS, bool)),
    })

    # Parties: all customers, acquired uniformly over three years; a few % referred.
    party = np.arange(1, customers + 1)
    acquired = np.sort(rng.integers(start, end - 86400, customers))
    referred = rng.random(customers) < 0.03
    referrer = np.where(referred, rng.integers(1, customers + 1, customers), 0)
    referrer[referrer == party] = 0
    channel = rng.choice(np.array(CHANNELS), customers, p=[.25, .2, .1, .05, .05, .25, .05, .05])
    channel[referrer > 0] = "referral"
    created = _timestamps(np.full(customers, end))
    n = customers
    _write(paths["parties"], {
        "id": party, "ref": _refs("P", party), "kind": pa.array(["person"] * n),
        "name": _refs("Customer ", party), "email": pa.array([""] * n),
        "phone": pa.array([""] * n), "country": pa.array(["PL"] * n), "city": pa.array([""] * n),
        "language": pa.array([""] * n), "preferred_channel": pa.array([""] * n),
        "is_customer": pa.array(np.ones(n, bool)), "is_prospect": pa.array(np.zeros(n, bool)),
        "is_supplier": pa.array(np.zeros(n, bool)),
        "is_partner": pa.array(rng.random(n) < 0.002), "is_internal": pa.array(np.zeros(n, bool)),
        "acquired_at": _timestamps(acquired), "acquisition_channel": pa.array(channel),
        "version": pa.array(np.ones(n, "int32")), "created_at": created, "updated_at": created,
        "referred_by_id": pa.array(np.where(referrer > 0, referrer, 0), mask=referrer == 0),
    })

    # Orders: first purchase at acquisition, then BG/NBD repeats: weekly rate
    # lambda ~ Gamma(r, 1/alpha); after each purchase the customer drops out with p ~ Beta(a, b).
    week = 7 * 86400
    lam = rng.gamma(0.75, 1 / 12.0, customers)
    p = rng.beta(1.0, 4.0, customers)
    repeats = np.minimum(rng.geometric(p) - 1, 400)
    owner = np.repeat(np.arange(customers), repeats)
    gaps = rng.exponential(1.0, len(owner)) / lam[owner] * week
    cum = np.cumsum(gaps)
    firsts = np.concatenate(([0], np.cumsum(repeats)[:-1]))
    offset = np.repeat(np.concatenate(([0.0], cum))[firsts], repeats)
    times = acquired[owner] + (cum - offset)
    keep = times < end - 1
    del gaps, cum, offset
    order_party = np.concatenate((np.arange(customers), owner[keep]))
    order_time = np.concatenate((acquired, times[keep].astype("int64")))
    del owner, times, keep
    order_sort = np.lexsort((order_party, order_time))  # ids follow time, as in a live shop
    order_party, order_time = order_party[order_sort], order_time[order_sort]
    n_orders = len(order_party)
    oid = np.arange(1, n_orders + 1)
    status = rng.choice(np.array(["completed", "returned", "cancelled", "shipped"]), n_orders,
                        p=[0.93, 0.03, 0.02, 0.02])

    # Lines: 1 + Poisson, adjusted to exactly ``lines``; 70 % from the basket's category.
    size = 1 + rng.poisson(max(lines / n_orders - 1, 0.0), n_orders)
    diff = lines - int(size.sum())
    if diff > 0:
        size += np.bincount(rng.integers(0, n_orders, diff), minlength=n_orders)
    while diff < 0:
        cut = rng.choice(np.flatnonzero(size > 1), min(-diff, int((size > 1).sum())), replace=False)
        size[cut] -= 1
        diff = lines - int(size.sum())
    line_order = np.repeat(np.arange(n_orders), size)
    line_no = np.arange(lines) - np.repeat(np.cumsum(size) - size, size) + 1
    basket_cat = rng.integers(0, CATEGORIES, n_orders)[line_order]
    global_pick = rng.choice(PRODUCTS, lines, p=popularity / popularity.sum())
    in_cat = rng.choice(PRODUCTS // CATEGORIES, lines,
                        p=(w := popularity.reshape(-1, CATEGORIES)[:, 0]) / w.sum())
    product = np.where(rng.random(lines) < 0.7, in_cat * CATEGORIES + basket_cat, global_pick)
    del basket_cat, global_pick, in_cat
    quantity = 1 + rng.poisson(0.3, lines)
    gross = price[product] * quantity
    discount = np.where(rng.random(lines) < 0.1, gross // 20, 0)
    cost = unit_cost[product] * quantity
    total = np.bincount(line_order, weights=gross - discount, minlength=n_orders).round().astype("int64")
    total_cost = np.bincount(line_order, weights=cost, minlength=n_orders).round().astype("int64")
    _write(paths["lines"], {
        "id": np.arange(1, lines + 1), "line_no": line_no.astype("int32"),
        "quantity": quantity.astype("int32"), "unit_price": _money(price[product]),
        "discount": _money(discount), "unit_cost": _money(unit_cost[product]),
        "order_id": oid[line_order], "product_id": product + 1,
    })
    del line_order, line_no, product, quantity, gross, discount, cost
    _write(paths["orders"], {
        "id": oid, "ref": _refs("O", oid), "ordered_at": _timestamps(order_time),
        "channel": pa.array(["web"] * n_orders), "currency": pa.array(["PLN"] * n_orders),
        "status": pa.array(status), "total_amount": _money(total), "total_cost": _money(total_cost),
        "party_id": order_party + 1,
    })

    # Interactions: two per customer on average, some customers far more (costly to serve).
    heavy = rng.random(customers) < 0.03
    per = rng.poisson(np.where(heavy, 20.0, 1.4))
    who = np.repeat(np.arange(customers), per)
    n_int = len(who)
    when = acquired[who] + (rng.random(n_int) * (end - 1 - acquired[who])).astype("int64")
    kind = rng.choice(4, n_int, p=[0.55, 0.25, 0.15, 0.05])
    _write(paths["interactions"], {
        "id": np.arange(1, n_int + 1), "channel": pa.array(INTERACTION_CHANNELS[kind]),
        "direction": pa.array(np.where(rng.random(n_int) < 0.5, "inbound", "outbound")),
        "occurred_at": _timestamps(when), "subject": pa.array([""] * n_int),
        "notes": pa.array([""] * n_int), "cost": _money(INTERACTION_COST_CENTS[kind]),
        "party_id": who + 1,
    })

    # Campaigns: monthly acquisition campaigns per channel plus some retention/add-on ones.
    months = np.arange(np.datetime64(int(start), "s").astype("datetime64[M]"),
                       END.astype("datetime64[M]") + 1)
    rows = []
    for m in months:
        for ch in CHANNELS[:4]:
            rows.append(("acquisition", ch, m))
        rows.append(("retention", "email", m))
        if m.astype(int) % 3 == 0:
            rows.append(("add_on", "email", m))
    n_c = len(rows)
    spend = (rng.lognormal(np.log(customers * 40), 0.4, n_c)).round().astype("int64")
    _write(paths["campaigns"], {
        "id": np.arange(1, n_c + 1), "name": _refs("Campaign ", np.arange(1, n_c + 1)),
        "kind": pa.array([r[0] for r in rows]), "channel": pa.array([r[1] for r in rows]),
        "budget": _money(spend), "spend": _money(spend), "currency": pa.array(["PLN"] * n_c),
        "starts_on": pa.array(np.array([r[2] for r in rows]).astype("datetime64[D]")),
        "message_body": pa.array([""] * n_c), "message_channel": pa.array(["email"] * n_c),
        "message_subject": pa.array([""] * n_c),
    })
    return paths


def scratch_database(url: str) -> str:
    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "clientela") + "_score_bench"
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql", path="/postgres"))


def _pg(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


def create_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}"')


def load(url: str, paths: dict[str, Path]) -> None:
    """COPY the CSV files into the migrated schema (foreign-key triggers off while loading)."""
    with psycopg.connect(_pg(url)) as conn:
        conn.execute("SET session_replication_role = replica")
        for key, (table, columns) in TABLES.items():
            t = time.perf_counter()
            with conn.cursor() as cur, paths[key].open("rb") as source:
                statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv)"
                with cur.copy(statement) as copy:
                    while chunk := source.read(1 << 22):
                        copy.write(chunk)
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))")
            print(f"  {table}: {cur.rowcount and 'loaded'} in {time.perf_counter() - t:.1f} s",
                  flush=True)
        conn.commit()
    with psycopg.connect(_pg(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


STAGE = re.compile(r"^\[timing\] (?P<stage>.+?): (?P<secs>[\d.]+) s; RSS (?P<rss>[\d.]+) MB, peak (?P<peak>[\d.]+) MB$")


def score(url: str, as_of: str) -> int:
    """Run ``clientela score`` in a child process; print its stages, wall time and peak RSS."""
    import tempfile

    env = dict(os.environ, CLIENTELA_DATABASE_URL=url, CLIENTELA_SCORE_TIMING="1")
    env.setdefault("CLIENTELA_SECRET_KEY", "score-bench-only")
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(["clientela", "score", "--as-of", as_of], env=env,
                                 stdout=out, stderr=err, text=True)
        # Reap the child ourselves: wait4 gives this child's own peak RSS (KB on Linux).
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    stages = [m.groupdict() for line in stderr.splitlines() if (m := STAGE.match(line.strip()))]
    print(stdout.rstrip())
    if child.returncode != 0:
        print(stderr[-4000:])
        print(f"clientela score failed with exit code {child.returncode}")
        return child.returncode
    print(f"\n{'stage':<58} {'seconds':>8} {'RSS MB':>8} {'peak MB':>8}")
    for s in stages:
        print(f"{s['stage']:<58} {float(s['secs']):8.1f} {float(s['rss']):8.0f} {float(s['peak']):8.0f}")
    print(f"\ntotal wall time (process start to exit): {wall:.1f} s  (target <= 300 s)")
    print(f"peak RSS of the child: {usage.ru_maxrss / 1024:,.0f} MB  (target <= 8192 MB)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--database-url", default=os.environ.get(
        "CLIENTELA_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clientela"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", action="store_true", help="score the kept database as it is")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("needs PostgreSQL: pass --database-url postgres://…")
    url = scratch_database(args.database_url)
    name = urlsplit(url).path.lstrip("/")
    if not args.reuse:
        t = time.perf_counter()
        paths = generate(args.customers, args.lines)
        print(f"data set ready in {time.perf_counter() - t:.1f} s ({paths['lines'].parent.name}, "
              f"{sum(p.stat().st_size for p in paths.values()) / 1e6:,.0f} MB of CSV)", flush=True)
        create_database(url)
        env = dict(os.environ, CLIENTELA_DATABASE_URL=url)
        env.setdefault("CLIENTELA_SECRET_KEY", "score-bench-only")
        t = time.perf_counter()
        subprocess.run(["clientela", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        load(url, paths)
        print(f"scratch database {name} migrated and loaded in {time.perf_counter() - t:.1f} s",
              flush=True)
    try:
        with psycopg.connect(_pg(url)) as conn:
            counts = conn.execute(
                "SELECT (SELECT count(*) FROM parties_party), (SELECT count(*) FROM commerce_order), "
                "(SELECT count(*) FROM commerce_orderline), (SELECT count(*) FROM engagement_interaction)"
            ).fetchone()
        assert counts is not None
        print(f"data set: {counts[0]:,} parties, {counts[1]:,} orders, {counts[2]:,} order lines, "
              f"{counts[3]:,} interactions", flush=True)
        load_before = os.getloadavg()
        code = score(url, str(END.astype("datetime64[D]")))
        print(f"load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; "
              f"after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}  ({os.cpu_count()} CPUs)")
        return code
    finally:
        if not args.keep:
            drop_database(url)
            print(f"scratch database {name} dropped")


if __name__ == "__main__":
    sys.exit(main())
