"""Who may read which scores: the scores of the parties a user may see, current run only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.errors import RecordNotFound
from clientela.crm.parties.access import access_party_by_id, visible_parties
from clientela.crm.scoring.models import CustomerScore
from clientela.crm.scoring.queries import current_scores


def visible_scores(user: Any) -> QuerySet[CustomerScore]:
    """Current-run scores of the parties the user may see (none when there is no run)."""
    return current_scores().filter(party__in=visible_parties(user))


def access_score_by_party(user: Any, party_id: int) -> CustomerScore:
    """The current score of a party the user may see; 404 for an invisible party or no score."""
    party = access_party_by_id(user, party_id)
    score = current_scores().filter(party=party).first()
    if score is None:
        raise RecordNotFound(f"party {party_id} has no score yet: run `clientela score`")
    return score
