from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "clientela.crm.loyalty"
    label = "loyalty"
    verbose_name = "Loyalty"

    def ready(self) -> None:
        from clientela.crm.loyalty import personal_data
        from clientela.crm.privacy.registry import register

        register("loyalty", export=personal_data.export, erase=personal_data.erase)
