from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "clientela.api"
    label = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from clientela.crm.privacy.registry import register

        register("api_idempotency_keys", export=_export_nothing, erase=_forget_responses)


def _export_nothing(party: object) -> list[dict[str, object]]:
    return []


def _forget_responses(party: object, actor: object) -> int:
    """Stored POST responses may quote the person (e.g. a created party): drop those."""
    from clientela.api.models import IdempotencyKey

    needles = [
        str(v).encode("utf-8")
        for v in (getattr(party, "name", ""), getattr(party, "email", ""), getattr(party, "phone", ""),
                  getattr(party, "ref", ""))
        if v
    ]
    doomed = [
        row.pk
        for row in IdempotencyKey.objects.only("pk", "body").iterator()
        if row.body and any(n in bytes(row.body) for n in needles)
    ]
    IdempotencyKey.objects.filter(pk__in=doomed).delete()
    return len(doomed)
