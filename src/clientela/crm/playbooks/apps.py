from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "clientela.crm.playbooks"
    label = "playbooks"
    verbose_name = "Playbooks"
