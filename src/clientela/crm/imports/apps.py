from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "clientela.crm.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from clientela.crm.imports import personal_data
        from clientela.crm.privacy.registry import register

        register("imports", export=personal_data.export, erase=personal_data.erase)
