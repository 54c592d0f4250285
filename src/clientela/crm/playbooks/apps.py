from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "clientela.crm.playbooks"
    label = "playbooks"
    verbose_name = "Playbooks"

    def ready(self) -> None:
        from clientela.crm.experiments.outcomes import COSTS
        from clientela.crm.playbooks import costs, personal_data
        from clientela.crm.privacy.registry import register

        register("playbooks", export=personal_data.export, erase=personal_data.erase)
        COSTS["playbook"] = costs.playbook_cost  # the outcome report's cost of a playbook
