from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "clientela.crm.service"
    label = "service"
    verbose_name = "Service"

    def ready(self) -> None:
        from clientela.crm.privacy.registry import register
        from clientela.crm.service import personal_data

        register("cases", export=personal_data.export, erase=personal_data.erase)
