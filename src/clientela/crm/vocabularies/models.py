"""The words of each company vocabulary, in the order the company lists them.

A vocabulary with no stored word uses its defaults (``DEFAULTS``: the words Clientela
shipped with), so a fresh database and an emptied one behave alike. Words are codes:
stored lower-case, compared case-insensitively on import; ``label`` is what the pages show.
"""

from __future__ import annotations

from django.db import models

from clientela.crm.commerce.models import SalesChannel
from clientela.crm.parties.models import AcquisitionChannel


class VocabularyName(models.TextChoices):
    ACQUISITION_CHANNELS = "acquisition_channels", "Acquisition channels"
    SALES_CHANNELS = "sales_channels", "Sales channels"
    TAGS = "tags", "Tags"
    CASE_CATEGORIES = "case_categories", "Case categories"


DEFAULTS: dict[str, tuple[tuple[str, str], ...]] = {
    VocabularyName.ACQUISITION_CHANNELS: tuple(AcquisitionChannel.choices),
    VocabularyName.SALES_CHANNELS: tuple(SalesChannel.choices),
    VocabularyName.TAGS: (),
    VocabularyName.CASE_CATEGORIES: (
        ("question", "Question"),
        ("complaint", "Complaint"),
        ("return", "Return"),
        ("delivery", "Delivery"),
        ("billing", "Billing"),
        ("technical", "Technical problem"),
    ),
}
# Tags are free: the list holds the suggested ones, and any tag is accepted.
OPEN_VOCABULARIES = frozenset({VocabularyName.TAGS})
WORD_MAX_LENGTH = 20


class VocabularyWord(models.Model):
    vocabulary = models.CharField(max_length=24, choices=VocabularyName.choices)
    word = models.CharField(max_length=WORD_MAX_LENGTH, help_text="The code stored on records, lower-case")
    label = models.CharField(max_length=100, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["vocabulary", "position", "word"]
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "word"], name="vocabulary_word_unique"),
            models.CheckConstraint(condition=models.Q(word=models.functions.Lower("word")),
                                   name="vocabulary_word_lower"),
        ]

    def __str__(self) -> str:
        return f"{self.vocabulary}: {self.word}"
