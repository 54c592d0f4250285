from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "clientela.crm.jobs"
    label = "jobs"
    verbose_name = "Jobs"
