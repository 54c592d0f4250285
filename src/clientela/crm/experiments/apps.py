from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "clientela.crm.experiments"
    label = "experiments"
    verbose_name = "Experiments"

    def ready(self) -> None:
        from clientela.crm.experiments import personal_data
        from clientela.crm.privacy.registry import register

        register("experiments", export=personal_data.export, erase=personal_data.erase)
