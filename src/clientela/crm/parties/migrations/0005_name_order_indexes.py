"""The customer list sorted by name reads its page as an index range: ``(name, id)`` for
those who see every party, ``(owner, name, id)`` for a representative and ``(team, name,
id)`` (with the manager's own parties outside the team) for a manager. Before, a
representative's page 24 walked 120,000 entries of the name index to find 1,200 of their
own (300 ms at 1M parties; benchmarks/README, issue 6)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0004_team_country_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="party", name="parties_par_name_645a31_idx"),
        migrations.AddIndex(model_name="party", index=models.Index(fields=["name", "id"], name="party_name_id")),
        migrations.AddIndex(
            model_name="party", index=models.Index(fields=["owner", "name", "id"], name="party_owner_name")
        ),
        migrations.AddIndex(
            model_name="party", index=models.Index(fields=["team", "name", "id"], name="party_team_name")
        ),
    ]
