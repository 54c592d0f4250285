from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "clientela.crm.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from clientela.crm.privacy.registry import register
        from clientela.crm.sales import personal_data

        register("deals", export=personal_data.export, erase=personal_data.erase)
