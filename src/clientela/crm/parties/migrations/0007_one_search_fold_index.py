"""One trigram index for the customer search on PostgreSQL, on the expression
``parties.queries.search_text`` compares: ``clientela_fold(name || U+001F || email ||
U+001F || ref)``, instead of 0006's three (``clientela_fold(name)``, email, ref).

Every row a search tests itself (the recheck of the trigram matches, the first matches
read in table order for a representative or manager, the walk of the CLV index testing
each party) paid three calls of ``clientela_fold`` (a PL/pgSQL function, ~0.5 µs each
beyond its work); with one call the broad searches of benchmarks/ui_bench.py are as fast
as the ``UPPER()`` search before 0006, with three they were 5-10 % slower on average
(interleaved runs, 1M parties). The folded lookups of single columns (the admin's
search, contacts) are not indexed; the admin's party search scanned before 0006 too, as
its phone condition has no index.

Also sets ``clientela_fold``'s planner cost to 2 on databases that applied 0006 before it
said so (PL/pgSQL's default of 100 chose parallel plans for small rechecks).
"""

from django.db import migrations

FIELDS = ("name", "email", "ref")
SEARCH_INDEX = "parties_party_search_fold_trgm"
# The expression of parties.queries.search_text, written as PostgreSQL parses it back.
SEARCH_EXPRESSION = """clientela_fold("name" || E'\\x1f' || "email" || E'\\x1f' || "ref")"""


def one_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER FUNCTION clientela_fold(text) COST 2")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{SEARCH_INDEX}" ON "parties_party" '
        f"USING gin (({SEARCH_EXPRESSION}) gin_trgm_ops)"
    )
    for field in FIELDS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "parties_party_{field}_fold_trgm"')


def three_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for field in FIELDS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "parties_party_{field}_fold_trgm" ON "parties_party" '
            f'USING gin (clientela_fold("{field}") gin_trgm_ops)'
        )
    schema_editor.execute(f'DROP INDEX IF EXISTS "{SEARCH_INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0006_accent_insensitive_search"),
    ]

    operations = [
        migrations.RunPython(one_index, three_indexes),
    ]
