from django.apps import AppConfig


class VocabulariesConfig(AppConfig):
    name = "clientela.crm.vocabularies"
    label = "vocabularies"
    verbose_name = "Vocabularies"
