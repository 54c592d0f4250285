from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "clientela.crm.privacy"
    label = "privacy"
    verbose_name = "Personal data (GDPR)"

    def ready(self) -> None:
        from clientela.crm.privacy.sections import register_core_sections

        register_core_sections()
