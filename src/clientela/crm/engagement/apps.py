from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "clientela.crm.engagement"
    label = "engagement"
    verbose_name = "Engagement"
