"""Who may export or erase a person's data: holders of the ``gdpr`` capability."""

from __future__ import annotations

from typing import Any

from clientela.crm.accounts.permissions import has_capability
from clientela.crm.errors import NotPermitted
from clientela.crm.parties.access import access_party_by_id
from clientela.crm.parties.models import Party


def access_party_for_gdpr(user: Any, party_id: int) -> Party:
    # 404 when invisible; an archived person's data is exported and erased too.
    party = access_party_by_id(user, party_id, archived=True)
    if not has_capability(user, "gdpr"):
        raise NotPermitted("personal-data export and erasure need the gdpr capability")
    return party
