from django.contrib import admin

from clientela.crm.admin_bases import ConfigurationAdmin
from clientela.crm.vocabularies.models import VocabularyWord


@admin.register(VocabularyWord)
class VocabularyWordAdmin(ConfigurationAdmin):
    list_display = ("vocabulary", "word", "label", "position")
    list_filter = ("vocabulary",)
    ordering = ("vocabulary", "position", "word")
