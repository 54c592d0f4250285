"""The ``(party, run)`` index carries the score's id and sort keys (CLV, P(alive), churn
risk) on PostgreSQL, so a customer search matching a few thousand parties reads their
scores and sorts them from the index alone (an index-only scan) instead of fetching a
table row per match: 60-170 ms for 1,000-5,000 matches at 1M parties (benchmarks/README,
ui_bench, issue 6). SQLite gets the plain two-column index, as before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0003_score_owner_team"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="customerscore", name="scoring_cus_party_i_01cab8_idx"),
        migrations.AddIndex(
            model_name="customerscore",
            index=models.Index(
                fields=["party", "run"], include=("id", "clv", "p_alive", "churn_risk"),
                name="score_party_run_cover",
            ),
        ),
    ]
