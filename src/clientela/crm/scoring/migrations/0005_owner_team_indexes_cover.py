"""A representative's and a team's ``(run, owner|team, -clv, party)`` indexes carry the
score's id, P(alive) and churn risk (PostgreSQL INCLUDE): their customer list sorted by
P(alive) or churn risk reads the user's scores from that range alone and sorts them,
instead of walking the run's whole ``(run, p_alive)`` index for the 1 % (or 10 %) that are
theirs (a manager's page 187: 173 ms at 1M parties; benchmarks/README, issue 6). SQLite
gets the plain four-column indexes, as before.

The ``(run, p_alive)`` and ``(run, churn_risk)`` indexes become ``(run, -p_alive, party)``
and ``(run, -churn_risk, party)`` carrying the id, owner and team: the list's order exactly
(no incremental sort of ties), and a manager's walk through them filters on the team
without reading table rows (79,000 rows walked for page 141, 24,000 buffers read)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0004_score_party_run_cover"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="customerscore", name="score_run_owner_clv"),
        migrations.RemoveIndex(model_name="customerscore", name="score_run_team_clv"),
        migrations.RemoveIndex(model_name="customerscore", name="scoring_cus_run_id_dd57c7_idx"),
        migrations.RemoveIndex(model_name="customerscore", name="scoring_cus_run_id_e9782c_idx"),
        migrations.AddIndex(
            model_name="customerscore",
            index=models.Index(
                fields=["run", "-p_alive", "party"], include=("id", "owner", "team"),
                name="score_run_p_alive_cover",
            ),
        ),
        migrations.AddIndex(
            model_name="customerscore",
            index=models.Index(
                fields=["run", "-churn_risk", "party"], include=("id", "owner", "team"),
                name="score_run_churn_cover",
            ),
        ),
        migrations.AddIndex(
            model_name="customerscore",
            index=models.Index(
                fields=["run", "owner", "-clv", "party"], include=("id", "p_alive", "churn_risk"),
                name="score_run_owner_clv_cover",
            ),
        ),
        migrations.AddIndex(
            model_name="customerscore",
            index=models.Index(
                fields=["run", "team", "-clv", "party"], include=("id", "p_alive", "churn_risk"),
                name="score_run_team_clv_cover",
            ),
        ),
    ]
