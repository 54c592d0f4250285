"""(owner, country) instead of (owner): the owner foreign key has its own index already,
and a sales representative's country filter list becomes an index-only DISTINCT
(it read ~9,000 scattered rows at 1M parties; benchmarks/ui_bench.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0002_search_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="party",
            name="parties_par_owner_i_4c6b9d_idx",
        ),
        migrations.AddIndex(
            model_name="party",
            index=models.Index(fields=["owner", "country"], name="parties_par_owner_i_3b0264_idx"),
        ),
    ]
