from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "clientela.crm.experiments"
    label = "experiments"
    verbose_name = "Experiments"
