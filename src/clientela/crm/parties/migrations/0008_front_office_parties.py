"""Front office parties: address (street, postal code), tags, archiving (soft delete,
restorable), a contact person's own consents and its link to a party of its own; partial
indexes for the parties outside the customer base (``models.OUTSIDE_CUSTOMER_BASE``) and
for the lists of other roles and of archived parties. Every step is reversible (columns
added with constant defaults, indexes dropped on the way back)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_apitoken'),
        ('engagement', '0006_campaign_send_stop'),
        ('parties', '0007_one_search_fold_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='contactperson',
            name='consent_email',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='contactperson',
            name='consent_phone',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='contactperson',
            name='person',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='contact_roles', to='parties.party'),
        ),
        migrations.AddField(
            model_name='party',
            name='archived_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='party',
            name='archived_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='archived_parties', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='party',
            name='postal_code',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name='party',
            name='street',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name='party',
            name='tags',
            field=models.JSONField(blank=True, default=list, help_text='Free labels, a list of texts'),
        ),
        migrations.AddIndex(
            model_name='party',
            index=models.Index(condition=models.Q(('archived_at__isnull', False), models.Q(models.Q(('is_supplier', True), ('is_partner', True), ('is_internal', True), _connector='OR'), ('is_customer', False), ('is_prospect', False)), _connector='OR'), fields=['id'], name='party_outside_base'),
        ),
        migrations.AddIndex(
            model_name='party',
            index=models.Index(condition=models.Q(('is_supplier', True), ('is_partner', True), ('is_internal', True), _connector='OR'), fields=['name', 'id'], name='party_other_role_name'),
        ),
        migrations.AddIndex(
            model_name='party',
            index=models.Index(condition=models.Q(('archived_at__isnull', False)), fields=['name', 'id'], name='party_archived_name'),
        ),
    ]
