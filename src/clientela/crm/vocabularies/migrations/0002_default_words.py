"""The shipped words as the company's starting lists, so the admin shows and edits them
(a vocabulary with no stored word uses the same defaults, see models.DEFAULTS)."""

from django.db import migrations

DEFAULTS = {
    "acquisition_channels": [
        ("search", "Paid search"), ("social", "Social media"), ("email", "Email"), ("referral", "Referral"),
        ("events", "Events and fairs"), ("direct", "Direct / organic"), ("partner", "Partner"),
        ("sales", "Field sales"),
    ],
    "sales_channels": [
        ("web", "Online shop"), ("store", "Store"), ("phone", "Phone"), ("sales_rep", "Sales representative"),
        ("marketplace", "Marketplace"), ("partner", "Partner"),
    ],
    "case_categories": [
        ("question", "Question"), ("complaint", "Complaint"), ("return", "Return"), ("delivery", "Delivery"),
        ("billing", "Billing"), ("technical", "Technical problem"),
    ],
}


def seed(apps, schema_editor):
    Word = apps.get_model("vocabularies", "VocabularyWord")
    for name, words in DEFAULTS.items():
        if not Word.objects.filter(vocabulary=name).exists():
            Word.objects.bulk_create(
                Word(vocabulary=name, word=w, label=label, position=i) for i, (w, label) in enumerate(words))


def unseed(apps, schema_editor):
    Word = apps.get_model("vocabularies", "VocabularyWord")
    for name, words in DEFAULTS.items():
        Word.objects.filter(vocabulary=name, word__in=[w for w, _ in words]).delete()


class Migration(migrations.Migration):
    dependencies = [("vocabularies", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
