"""Indexes for the customer list at a million parties (benchmarks/ui_bench.py).

- On PostgreSQL, trigram (pg_trgm) GIN indexes for the substring search on name, email
  and reference. Django writes ``name__icontains`` as ``UPPER("name"::text) LIKE
  UPPER(%s)``, so the indexes are on that same expression; and one on the phone number
  with spaces, dashes and ``+`` removed, the expression the phone search compares. SQLite
  has no such index and keeps scanning (it is the small-install database).
- ``created_at``: the list sorted by a score reads the scores in index order and then
  only the parties created since the run started (every older party has a score).

pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
"""

from django.db import migrations, models

TRIGRAM_INDEXES = {
    "parties_party_name_trgm": 'UPPER("name"::text)',
    "parties_party_email_trgm": 'UPPER("email"::text)',
    "parties_party_ref_trgm": 'UPPER("ref"::text)',
    "parties_party_phone_digits_trgm": """REPLACE(REPLACE(REPLACE("phone", ' ', ''), '-', ''), '+', '')""",
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "parties_party" USING gin (({expression}) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    # The extension stays: other databases objects may use it, and it costs nothing.


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
        migrations.AddIndex(
            model_name="party",
            index=models.Index(fields=["created_at"], name="parties_par_created_b30877_idx"),
        ),
    ]
