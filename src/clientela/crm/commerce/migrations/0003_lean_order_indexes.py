"""Drop indexes that cost every order import and serve no query.

- order.status: five values; the status filter of the orders list always goes with the
  party or the date, whose indexes serve it.
- orderline (product): a second copy of the product FK's own index.
- order.party and orderline.order: prefixes of (party, ordered_at) and of the unique
  (order, line_no), which serve the same lookups.
- order.ref's varchar_pattern_ops ("_like") index on PostgreSQL: for LIKE 'prefix%',
  which nothing runs on order refs; the unique index serves equality.

On a 1M-line import these were 3.2 s of the 8.5 s of index rebuilding (benchmarks/README.md).
"""

import django.db.models.deletion
from django.db import migrations, models

LIKE_INDEX = "commerce_order_ref_89d6503e_like"


def drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{LIKE_INDEX}"')


def create_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{LIKE_INDEX}" ON "commerce_order" ("ref" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("commerce", "0002_initial"),
        ("parties", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(drop_like_index, create_like_index),
        migrations.RemoveIndex(
            model_name="order",
            name="commerce_or_status_ab9590_idx",
        ),
        migrations.RemoveIndex(
            model_name="orderline",
            name="commerce_or_product_37ed72_idx",
        ),
        migrations.AlterField(
            model_name="order",
            name="party",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="orders",
                to="parties.party",
            ),
        ),
        migrations.AlterField(
            model_name="orderline",
            name="order",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="lines",
                to="commerce.order",
            ),
        ),
    ]
