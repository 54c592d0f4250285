"""Case notes (``CaseNote``); ``opened_at`` defaults to now (with ``Case.save`` filling
``sla_due_at``, no path stores a case without its SLA due time: the admin's add form
failed with NOT NULL on sla_due_at); and, on PostgreSQL, a trigram index on the folded
subject, the expression the global search compares (``subject__fold__contains``).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


SUBJECT_INDEX = "service_case_subject_fold_trgm"


def subject_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{SUBJECT_INDEX}" ON "service_case" '
        'USING gin (clientela_fold("subject") gin_trgm_ops)'
    )


def drop_subject_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{SUBJECT_INDEX}"')


class Migration(migrations.Migration):

    dependencies = [
        ('service', '0001_initial'),
        ('parties', '0006_accent_insensitive_search'),  # clientela_fold and pg_trgm
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='opened_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.CreateModel(
            name='CaseNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('body', models.TextField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notes', to='service.case')),
            ],
            options={
                'ordering': ['created_at', 'id'],
                'indexes': [models.Index(fields=['case', 'created_at'], name='service_cas_case_id_2da414_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('body', ''), _negated=True), name='case_note_body_not_empty')],
            },
        ),
        migrations.RunPython(subject_index, drop_subject_index),
    ]
