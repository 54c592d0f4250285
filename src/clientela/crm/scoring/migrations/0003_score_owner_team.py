"""A copy of the party's owner and team on each score, indexed with the run and CLV, so a
sales representative's or a team's customer list reads its page in CLV order from an
index (see ``CustomerScore``; benchmarks/ui_bench.py, issue 6).

The current run's scores get the copy from their parties here (older runs are never
listed; their copy stays empty). Filled before the indexes are built: one UPDATE joining
the parties, about a minute for a million scores on PostgreSQL.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models



def copy_scope_of_current_run(apps, schema_editor):
    # IS DISTINCT FROM on PostgreSQL, IS NOT on SQLite: NULL-safe comparisons.
    differs = "IS DISTINCT FROM" if schema_editor.connection.vendor == "postgresql" else "IS NOT"
    schema_editor.execute(
        "UPDATE scoring_customerscore SET owner_id = p.owner_id, team_id = p.team_id "  # noqa: S608 (constants)
        "FROM parties_party p "
        "WHERE p.id = scoring_customerscore.party_id "
        "AND scoring_customerscore.run_id IN (SELECT id FROM scoring_modelrun WHERE is_current) "
        f"AND (p.owner_id {differs} NULL OR p.team_id {differs} NULL)"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_apitoken'),
        ('parties', '0003_owner_country_index'),
        ('scoring', '0002_drop_duplicate_fk_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='customerscore',
            name='owner',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, help_text="The party's owner when scored (kept in sync for the current run)", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='customerscore',
            name='team',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, help_text="The party's team when scored (kept in sync for the current run)", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.team'),
        ),
        migrations.RunPython(copy_scope_of_current_run, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='customerscore',
            index=models.Index(fields=['run', 'owner', '-clv', 'party'], name='score_run_owner_clv'),
        ),
        migrations.AddIndex(
            model_name='customerscore',
            index=models.Index(fields=['run', 'team', '-clv', 'party'], name='score_run_team_clv'),
        ),
    ]
