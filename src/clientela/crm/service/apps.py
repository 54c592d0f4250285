from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "clientela.crm.service"
    label = "service"
    verbose_name = "Service"

    def ready(self) -> None:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from clientela.crm.service.sla import check_hours_table

        try:
            check_hours_table(getattr(settings, "SERVICE_SLA_HOURS", {}))
        except ValueError as exc:
            raise ImproperlyConfigured(f"CLIENTELA_SLA_HOURS: {exc}") from None
        from clientela.crm.privacy.registry import register
        from clientela.crm.service import personal_data

        register("cases", export=personal_data.export, erase=personal_data.erase)
