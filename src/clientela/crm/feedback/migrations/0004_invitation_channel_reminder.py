"""Survey invitations sent as jobs: the channel each went by, and the one reminder (issue
13). Two added nullable/defaulted columns and a partial index over the invitations still
waiting for a reminder: no table rewrite."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_survey_send_status_sending"),
    ]

    operations = [
        migrations.AddField(
            model_name="surveyinvitation",
            name="channel",
            field=models.CharField(default="email", help_text="email or sms: how it was sent", max_length=10),
        ),
        migrations.AddField(
            model_name="surveyinvitation",
            name="reminded_at",
            field=models.DateTimeField(
                blank=True, null=True,
                help_text="When the one reminder was sent (set before it may be delivered)"),
        ),
        migrations.AddIndex(
            model_name="surveyinvitation",
            index=models.Index(
                condition=models.Q(answered_at__isnull=True, reminded_at__isnull=True),
                fields=["send_status", "sent_at"], name="feedback_inv_reminder_idx"),
        ),
    ]
