from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API. Its stored idempotent responses (``IdempotencyKey.body``) are
    scrubbed by GDPR erasure like every other text column (``crm/privacy/mentions.py``)
    and deleted after 24 h by the ``purge-idempotency-keys`` schedule."""

    name = "clientela.api"
    label = "api"
    verbose_name = "REST API"
