from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "clientela.crm.audit"
    label = "audit"
    verbose_name = "Audit trail"
