"""Survey invitations share engagement's SendStatus, which gained ``sending`` (the claim a
running campaign send puts on a member, engagement 0005). Choices only: no schema change."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_nps_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="surveyinvitation",
            name="send_status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("suppressed", "Suppressed (no consent)"),
                    ("failed", "Failed"),
                ],
                default="queued",
                max_length=10,
            ),
        ),
    ]
