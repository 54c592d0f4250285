from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "clientela.crm.tasks"
    label = "tasks"
    verbose_name = "Tasks"
