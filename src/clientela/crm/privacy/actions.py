"""GDPR export and erasure of one party; both audited.

Bulk CSV imports and the demo builder write without per-row audit entries (performance);
everything else that changes personal data goes through audited actions.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.db import transaction

from clientela.crm.audit.actions import record_change
from clientela.crm.parties.models import Party
from clientela.crm.privacy.mentions import matcher_for, redact_mentions
from clientela.crm.privacy.registry import sections


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


@transaction.atomic
def export_party(actor: Any, party: Party) -> dict[str, Any]:
    """Everything held about ``party``, as JSON-able data, by section."""
    record_change(actor, entity="party", object_id=party.pk, action="export", party_id=party.pk)
    data = {section.name: section.export(party) for section in sections()}
    text = json.dumps(data, default=_jsonable, sort_keys=True)
    return {"party_id": party.pk, "exported_at": dt.datetime.now(dt.UTC).isoformat(),
            "sections": json.loads(text)}


@transaction.atomic
def erase_party(actor: Any, party: Party) -> dict[str, int]:
    """Anonymise every personal field about ``party`` in every registered section.

    Rows stay (orders above all, so revenue totals do not move); the party keeps its id,
    kind, roles, country and dates. Mentions of the person's name, email, phone or ref in
    every other text column of every table — declined, unaccented, in any case or
    Unicode form, the phone in any format — are replaced by ``[erased]`` (mentions.py,
    matching.py). Returns the rows touched per section.
    """
    party = Party.objects.select_for_update().get(pk=party.pk)
    matcher = matcher_for(party)
    counts = {section.name: section.erase(party, actor) for section in sections()}
    counts["mentions"] = redact_mentions(matcher, party_id=party.pk)
    record_change(actor, entity="party", object_id=party.pk, action="erase", party_id=party.pk)
    return counts
