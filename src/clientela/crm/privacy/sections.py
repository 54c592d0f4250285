"""The personal-data sections of the core apps: parties, commerce, engagement, audit,
and the Django admin's own log."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q

from clientela.crm.audit.actions import REDACTED, redact_party
from clientela.crm.audit.models import AuditEntry
from clientela.crm.commerce.models import Order
from clientela.crm.engagement.models import CampaignMember, Interaction
from clientela.crm.parties.models import Consent, ContactPerson, Party
from clientela.crm.privacy.registry import register


def _row(instance: Model, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in exclude
    }


def _export_party(party: Party) -> list[dict[str, Any]]:
    return [_row(party)]


def _erase_party(party: Party, actor: Any) -> int:
    # Version increments so API clients holding the old ETag cannot overwrite the erasure.
    from django.db.models import F

    return Party.objects.filter(pk=party.pk).update(
        ref=f"erased-{party.pk}", name=f"Erased party {party.pk}", email="", phone="", street="", postal_code="", city="",
        language="", version=F("version") + 1,
    )


def _export_contacts(party: Party) -> list[dict[str, Any]]:
    return [_row(c) for c in ContactPerson.objects.filter(organisation=party)]


def _erase_contacts(party: Party, actor: Any) -> int:
    return ContactPerson.objects.filter(organisation=party).update(
        name="Erased contact", job_title="", email="", phone=""
    )


def _export_consents(party: Party) -> list[dict[str, Any]]:
    return [_row(c) for c in Consent.objects.filter(party=party)]


def _erase_consents(party: Party, actor: Any) -> int:
    # The consent record itself (purpose, basis, dates) stays as evidence; free text goes.
    return Consent.objects.filter(party=party).update(source="")


def _export_orders(party: Party) -> list[dict[str, Any]]:
    orders = Order.objects.filter(party=party).prefetch_related("lines")
    return [_row(o) | {"lines": [_row(line) for line in o.lines.all()]} for o in orders]


def _erase_orders(party: Party, actor: Any) -> int:
    # Orders hold no personal fields beyond the link to the (now anonymous) party; they
    # stay so that revenue, CLV history and every aggregate are unchanged.
    return 0


def _export_interactions(party: Party) -> list[dict[str, Any]]:
    return [_row(i) for i in Interaction.objects.filter(party=party)]


def _erase_interactions(party: Party, actor: Any) -> int:
    return Interaction.objects.filter(party=party).update(subject="", notes="")


def _export_memberships(party: Party) -> list[dict[str, Any]]:
    return [_row(m) for m in CampaignMember.objects.filter(party=party)]


def _erase_memberships(party: Party, actor: Any) -> int:
    members = CampaignMember.objects.filter(party=party)
    free_text = [f.name for f in CampaignMember._meta.concrete_fields if f.name == "send_reason"]
    return members.update(**{name: "" for name in free_text}) if free_text else 0


def _export_audit(party: Party) -> list[dict[str, Any]]:
    return [_row(e) for e in AuditEntry.objects.filter(party_id=party.pk).order_by("at", "id")]


def _erase_audit(party: Party, actor: Any) -> int:
    return redact_party(party.pk)


def _admin_log_rows(party: Party) -> Any:
    """The admin log's entries about the party and every row that points at it (its
    contacts, consents, orders, deals, cases …), found by content type and id: the log
    quotes each object's name (``object_repr``) and inline rows' names in
    ``change_message`` (issue 20, F4)."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    match = Q(content_type=ContentType.objects.get_for_model(Party), object_id=str(party.pk))
    for relation in Party._meta.related_objects:
        if not relation.field.concrete:
            continue
        model = relation.related_model
        ids = [str(pk) for pk in model._default_manager.filter(**{relation.field.name: party.pk})
               .values_list("pk", flat=True)]
        if ids:
            match |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    return LogEntry.objects.filter(match)


def _export_admin_log(party: Party) -> list[dict[str, Any]]:
    return [_row(e) for e in _admin_log_rows(party).order_by("action_time", "id")]


def _erase_admin_log(party: Party, actor: Any) -> int:
    # Mentions elsewhere in the log (another record quoting the name) go with the
    # scan of every text column (mentions.py), which reads the log like any table.
    return int(_admin_log_rows(party).update(object_repr=REDACTED, change_message=""))


def register_core_sections() -> None:
    register("party", export=_export_party, erase=_erase_party)
    register("contacts", export=_export_contacts, erase=_erase_contacts)
    register("consents", export=_export_consents, erase=_erase_consents)
    register("orders", export=_export_orders, erase=_erase_orders)
    register("interactions", export=_export_interactions, erase=_erase_interactions)
    register("campaign_memberships", export=_export_memberships, erase=_erase_memberships)
    register("audit_entries", export=_export_audit, erase=_erase_audit)
    register("admin_log", export=_export_admin_log, erase=_erase_admin_log)
