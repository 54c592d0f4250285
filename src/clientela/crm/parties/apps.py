from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "clientela.crm.parties"
    label = "parties"
    verbose_name = "Parties"
