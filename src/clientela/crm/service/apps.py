from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "clientela.crm.service"
    label = "service"
    verbose_name = "Service"
