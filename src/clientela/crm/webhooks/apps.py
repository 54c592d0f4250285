from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "clientela.crm.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
