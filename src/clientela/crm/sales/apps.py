from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "clientela.crm.sales"
    label = "sales"
    verbose_name = "Sales"
