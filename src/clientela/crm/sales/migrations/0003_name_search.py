"""On PostgreSQL, a trigram index on the folded name (``name__fold__contains``): the global
search's sales group scanned the whole table (ui_bench: 0.13-0.2 s). SQLite has no such
index and needs none at its sizes."""

from django.db import migrations

INDEX = "sales_deal_name_fold_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "sales_deal" USING gin (clientela_fold("name") gin_trgm_ops)'
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):

    dependencies = [
        ("sales", "0002_deal_lines_and_notes"),
        ("parties", "0006_accent_insensitive_search"),  # clientela_fold and pg_trgm
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
