from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "clientela.crm.scoring"
    label = "scoring"
    verbose_name = "Scoring"
