"""The role decides the admin flags (issue 20, F1): administrators are staff and
superusers, every other role is neither. Existing rows are made consistent; a superuser
whose role is not admin (a demotion done in the admin before this release) loses the
flag. Reversing keeps the flags as they are (they were consistent or wrong before)."""

import clientela.crm.accounts.models
from django.db import migrations


def role_decides_flags(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("accounts", "User")
    User.objects.filter(role="admin").update(is_staff=True, is_superuser=True)
    User.objects.exclude(role="admin").update(is_staff=False, is_superuser=False)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_apitoken'),
    ]

    operations = [
        migrations.AlterModelManagers(
            name='user',
            managers=[
                ('objects', clientela.crm.accounts.models.ClientelaUserManager()),
            ],
        ),
        migrations.RunPython(role_decides_flags, migrations.RunPython.noop),
    ]
