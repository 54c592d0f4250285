from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "clientela.crm.tasks"
    label = "tasks"
    verbose_name = "Tasks"

    def ready(self) -> None:
        from clientela.crm.privacy.registry import register
        from clientela.crm.tasks import personal_data

        register("tasks", export=personal_data.export, erase=personal_data.erase)
