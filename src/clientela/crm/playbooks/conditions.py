"""A playbook's conditions: which of the customers a trigger met it acts on.

The segment filters are applied to the current scoring run's scores
(``engagement.segments.filter_scores``); owners, countries and consent to the parties.
Archived parties and those outside the customer base are never acted on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from clientela.crm.engagement.segments import filter_scores, parse_definition
from clientela.crm.parties.models import OUTSIDE_CUSTOMER_BASE, Consent, Party
from clientela.crm.playbooks.definition import SEGMENT_FILTERS
from clientela.crm.scoring.models import CustomerScore, ModelRun

CHUNK = 5000


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def matching(party_ids: Iterable[int], conditions: Mapping[str, Any], run: ModelRun | None) -> list[int]:
    """The parties of ``party_ids`` that meet ``conditions`` (scores of ``run``)."""
    ids = sorted(set(party_ids))
    segment = parse_definition({k: conditions.get(k) for k in SEGMENT_FILTERS})
    parties = Party.objects.exclude(OUTSIDE_CUSTOMER_BASE)
    if conditions.get("owners"):
        parties = parties.filter(owner__username__in=conditions["owners"])
    if conditions.get("countries"):
        parties = parties.filter(country__in=conditions["countries"])
    if conditions.get("consent"):
        consent = Consent.objects.filter(
            party=OuterRef("pk"), purpose="marketing", channel=conditions["consent"],
            given_at__lte=timezone.now(), withdrawn_at__isnull=True)
        parties = parties.filter(Exists(consent))
    found: list[int] = []
    for chunk in _chunks(ids):
        if segment.is_empty:
            found += parties.filter(pk__in=chunk).values_list("pk", flat=True)
        elif run is not None:
            scores = filter_scores(CustomerScore.objects.filter(run=run, party_id__in=chunk), segment, run)
            found += parties.filter(pk__in=scores.values("party_id")).values_list("pk", flat=True)
    return sorted(found)
