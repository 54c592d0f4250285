from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clientela.crm.accounts"
    label = "accounts"
    verbose_name = "Accounts"
