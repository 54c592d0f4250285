"""The dashboard's NPS tile aggregates two years of NPS answers by ``kind`` and
``answered_at``: an index on both that carries ``score`` (PostgreSQL's INCLUDE; SQLite
gets the plain two-column index) serves it without touching the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="surveyresponse",
            index=models.Index(
                fields=["kind", "answered_at"], include=("score",), name="feedback_kind_answered_idx"
            ),
        ),
    ]
