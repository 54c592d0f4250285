from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "clientela.crm.imports"
    label = "imports"
    verbose_name = "Imports"
