"""Benchmark GDPR erasure (``privacy.actions.erase_party``) on a demo company.

Builds a demo company of ``--customers`` parties (``clientela.demo.build``, seed 7) in a
scratch database — a SQLite file under benchmarks/.cache/, or with ``--database-url
postgres://…`` a database ``<name>_erasure_bench`` on that server, dropped at the end —
then erases ``--people`` persons one after another (each in its own transaction, as
`clientela gdpr erase` does) and prints each erasure's wall time against a reference
measured in the same run: one read of every column the erasure scans
(``privacy.mentions.scanned_columns``), all rows, into Python — the floor of matching
every row in Python instead of finding candidates in the database first.

    python benchmarks/erasure_bench.py                      # SQLite, 20,000 customers
    python benchmarks/erasure_bench.py --customers 5000 --people 3
    python benchmarks/erasure_bench.py --database-url postgres://postgres@127.0.0.1:5432/clientela
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

CACHE = Path(__file__).resolve().parent / ".cache"


def _scratch_url(url: str | None) -> tuple[str, str | None]:
    """The database URL to use, and the PostgreSQL admin URL to drop it with (or None)."""
    if not url:
        CACHE.mkdir(exist_ok=True)
        path = CACHE / "erasure_bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", None
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'clientela'}_erasure_bench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), admin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--people", type=int, default=5, help="persons erased, one after another")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    url, admin = _scratch_url(args.database_url)
    os.environ["CLIENTELA_DATABASE_URL"] = url
    os.environ.setdefault("CLIENTELA_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from clientela.crm.engagement.models import Interaction
    from clientela.crm.parties.models import Party
    from clientela.crm.privacy.actions import erase_party
    from clientela.crm.privacy.mentions import scanned_columns
    from clientela.demo.build import build_demo_company

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        build_demo_company(customers=args.customers, seed=7, today=date(2026, 11, 23))
        print(f"{connection.vendor}: {Party.objects.count():,} parties, {Interaction.objects.count():,} "
              f"interactions, built in {time.perf_counter() - started:.1f} s", flush=True)

        by_table: dict[str, list[str]] = {}
        for model, field in scanned_columns():
            by_table.setdefault(model._meta.db_table, []).append(field.column)
        started = time.perf_counter()
        rows = 0
        with connection.cursor() as cursor:
            for table, columns in by_table.items():
                quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
                cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
                rows += len(cursor.fetchall())
        reference = time.perf_counter() - started
        print(f"reference: read every scanned column ({sum(map(len, by_table.values()))} columns of "
              f"{len(by_table)} tables, {rows:,} rows) into Python: {reference:.2f} s", flush=True)

        people = list(Party.objects.filter(kind="person").exclude(phone="").order_by("pk")[:args.people])
        times = []
        for party in people:
            started = time.perf_counter()
            counts = erase_party(None, party)
            elapsed = time.perf_counter() - started
            times.append(elapsed)
            print(f"erase party {party.pk}: {elapsed:.2f} s = {elapsed / reference:.2f}x the reference; "
                  f"mentions {counts['mentions']}; load {os.getloadavg()[0]:.2f}", flush=True)
        median = statistics.median(times)
        print(f"median erasure {median:.2f} s = {median / reference:.2f}x the reference")
    finally:
        connection.close()
        if admin is not None:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
