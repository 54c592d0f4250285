"""Accent-insensitive customer search on PostgreSQL (``parties.fold``).

- The ``unaccent`` extension, trusted since PostgreSQL 13 (the database owner may create
  it, as pg_trgm in 0002).
- ``clientela_fold(text)``: ``lower(unaccent(text))``. ``unaccent()`` is only STABLE
  (its dictionary could be changed), and an index expression must be IMMUTABLE, so the
  wrapper is declared IMMUTABLE; it names the dictionary and the function with their
  schema, so it gives the same result whatever the search_path (pg_restore empties it).
  PL/pgSQL, not SQL: an IMMUTABLE SQL function calling a STABLE one is never inlined,
  and each call then costs 1.8 µs against PL/pgSQL's 0.85 µs (200,000 names; UPPER()
  0.45 µs), which counts where a search tests rows one by one (a recheck, the walk of
  the CLV index in web/queries.py). Its planner cost is 2 (UPPER's is 1), not the
  default 100 of a PL/pgSQL function: at 100 the recheck of a few thousand matches
  looked dear enough for a parallel plan, whose start-up made an 8 ms search take 28 ms.
  Changing unaccent's rules file later needs a REINDEX of the three indexes below.
- The trigram (pg_trgm) GIN indexes on ``UPPER(name)``, ``UPPER(email)`` and
  ``UPPER(ref)`` from 0002 become indexes on ``clientela_fold(name)`` and so on, the
  expression ``name__fold__contains`` compares. The phone index stays.

SQLite has no such index: ``clientela_fold`` is a Python function registered on each
connection (``parties.fold.register_sqlite_fold``), and this migration does nothing there.
"""

from django.db import migrations

FIELDS = ("name", "email", "ref")


def create_fold_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(n.nspname), quote_literal(quote_ident(n.nspname) || '.unaccent') "
            "FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
        schema, dictionary = cursor.fetchone()
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION clientela_fold(text) RETURNS text "
        "LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 2 "
        f"AS $$ BEGIN RETURN lower({schema}.unaccent({dictionary}::regdictionary, $1)); END $$"
    )
    for field in FIELDS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "parties_party_{field}_trgm"')
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "parties_party_{field}_fold_trgm" ON "parties_party" '
            f'USING gin (clientela_fold("{field}") gin_trgm_ops)'
        )


def drop_fold_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for field in FIELDS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "parties_party_{field}_fold_trgm"')
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "parties_party_{field}_trgm" ON "parties_party" '
            f'USING gin ((UPPER("{field}"::text)) gin_trgm_ops)'
        )
    schema_editor.execute("DROP FUNCTION IF EXISTS clientela_fold(text)")
    # The extension stays, as pg_trgm in 0002: other database objects may use it.


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0005_name_order_indexes"),
    ]

    operations = [
        migrations.RunPython(create_fold_search, drop_fold_search),
    ]
