from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "clientela.crm.loyalty"
    label = "loyalty"
    verbose_name = "Loyalty"
