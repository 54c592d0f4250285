from django.apps import AppConfig


class BrandingConfig(AppConfig):
    name = "clientela.crm.branding"
    label = "branding"
    verbose_name = "Company profile"
