"""(team, country) instead of the team foreign key's own index: a manager's country filter
list becomes a loose scan of this index for the team (one probe per country instead of a
DISTINCT over the team's ~100,000 parties at 1M parties; benchmarks/ui_bench.py), and it
serves lookups by team alone as the old index did."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_apitoken'),
        ('parties', '0003_owner_country_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='party',
            index=models.Index(fields=['team', 'country'], name='parties_par_team_id_f3beb6_idx'),
        ),
        migrations.AlterField(
            model_name='party',
            name='team',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='parties', to='accounts.team'),
        ),
    ]
