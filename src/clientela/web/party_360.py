"""What the front-office parts of the customer 360 add: its buttons (edit, archive,
restore, new contact), the organisation's contact persons, the organisations a person
is a contact of, and when the party became a customer. A fixed number of queries."""

from __future__ import annotations

from typing import Any

from clientela.crm.accounts.permissions import can, has_capability
from clientela.crm.parties.access import visible_contacts, visible_parties
from clientela.crm.parties.models import Party, PartyKind
from clientela.crm.playbooks.access import party_firings
from clientela.crm.playbooks.queries import history
from clientela.web import queries
from clientela.web.playbooks import with_labels


def party_context(user: Any, party: Party) -> dict[str, Any]:
    contacts: list[Any] = []
    contact_of: list[Any] = []
    if party.kind == PartyKind.ORGANISATION:
        visible = visible_parties(user)
        contacts = list(
            visible_contacts(user).filter(organisation=party).select_related("person")
            .order_by("-is_primary", "name", "id")
        )
        # The linked people the user may open: one query for all of them.
        linked = {c.person_id for c in contacts if c.person_id}
        openable = set(visible.filter(pk__in=linked).values_list("pk", flat=True)) if linked else set()
        for c in contacts:
            c.person_openable = c.person_id in openable
    else:
        contact_of = list(
            visible_contacts(user).filter(person=party)
            .filter(organisation__in=visible_parties(user)).select_related("organisation")
            .order_by("organisation__name")
        )
    return {
        "archived": party.archived_at is not None,
        "in_customer_base": party.in_customer_base,
        "customer_since": queries.customer_since(user, party),
        "can_edit": can(user, "party", "update") and party.archived_at is None,
        "can_archive": can(user, "party", "delete") and party.archived_at is None,
        "can_restore": has_capability(user, "restore") and party.archived_at is not None,
        "can_erase": has_capability(user, "gdpr"),
        "contacts": contacts,
        "contact_of": contact_of,
        "can_add_contact": can(user, "contact", "create") and party.kind == PartyKind.ORGANISATION,
        "can_edit_contact": can(user, "contact", "update"),
        "can_delete_contact": can(user, "contact", "delete"),
        # Every playbook that met the customer: acted on, or held out as its control group.
        "playbook_history": with_labels(history(party_firings(user, party))),
    }
