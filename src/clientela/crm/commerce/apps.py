from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "clientela.crm.commerce"
    label = "commerce"
    verbose_name = "Commerce"
