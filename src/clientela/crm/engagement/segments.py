"""Segments: which customers a saved filter selects in the current scoring run.

A segment definition combines five filters over ``scoring.CustomerScore`` of one run:
RFM segments, loyalty-ladder stages, next best actions, value tiers and a P(alive)
range. Within a filter the chosen values are alternatives (OR); the filters together
must all hold (AND); an empty filter selects everyone.

Value tiers rank the run's customers by CLV: ``top`` is the best 20 %, ``middle`` the
next 30 %, ``rest`` the remaining 50 %. The cut-offs are the CLV of the customer at
rank ⌈0.2·N⌉ and ⌈0.5·N⌉ (N = the run's scores); customers tied at a cut-off go to the
higher tier. They are read once per run (two index reads on ``(run, clv)`` and a count)
and kept in memory, as a run's scores never change.

Every read goes through the user's record scope (``scope_queryset`` on the score's
party), and touches only indexed columns of the run: a segment's size is one COUNT.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from clientela.crm.accounts.permissions import can_see, scope_queryset
from clientela.crm.errors import InvalidInput
from clientela.crm.parties.queries import outside_customer_base_ids
from clientela.crm.scoring.models import CustomerScore, ModelRun
from clientela.insight.vocabulary import ACTIONS, SEGMENTS, STAGES

VALUE_TIERS: tuple[str, ...] = ("top", "middle", "rest")
TIER_SHARES = {"top": 0.2, "middle": 0.5}  # cumulative share of customers at each tier's bottom

_CHOICES: dict[str, tuple[str, ...]] = {
    "rfm_segments": SEGMENTS,
    "ladder_stages": STAGES,
    "actions": ACTIONS,
    "value_tiers": VALUE_TIERS,
}


@dataclass(frozen=True)
class SegmentDefinition:
    """The filters of a segment; empty tuples and ``None`` bounds select everyone."""

    rfm_segments: tuple[str, ...] = ()
    ladder_stages: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    value_tiers: tuple[str, ...] = ()
    p_alive_min: float | None = None
    p_alive_max: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "rfm_segments": list(self.rfm_segments),
            "ladder_stages": list(self.ladder_stages),
            "actions": list(self.actions),
            "value_tiers": list(self.value_tiers),
            "p_alive_min": self.p_alive_min,
            "p_alive_max": self.p_alive_max,
        }

    @property
    def is_empty(self) -> bool:
        return not (self.rfm_segments or self.ladder_stages or self.actions or self.value_tiers
                    or self.p_alive_min is not None or self.p_alive_max is not None)

    @property
    def uses_value(self) -> bool:
        """Does the segment select by CLV (which some roles may not see)?"""
        return bool(self.value_tiers)

    def selects(self, score: CustomerScore, cutoffs: tuple[Decimal, Decimal] | None) -> bool:
        """Does the definition select this score row? The row-by-row twin of
        ``segment_scores``' filters, for one party whose score is loaded already."""
        if self.rfm_segments and score.rfm_segment not in self.rfm_segments:
            return False
        if self.ladder_stages and score.ladder_stage not in self.ladder_stages:
            return False
        if self.actions and score.next_best_action not in self.actions:
            return False
        if self.p_alive_min is not None and (score.p_alive is None or score.p_alive < self.p_alive_min):
            return False
        if self.p_alive_max is not None and (score.p_alive is None or score.p_alive > self.p_alive_max):
            return False
        if self.value_tiers and len(self.value_tiers) < len(VALUE_TIERS):
            return tier_of(score.clv, cutoffs) in self.value_tiers
        return True


def _codes(name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidInput({name: "a list of codes is expected"})
    allowed = _CHOICES[name]
    chosen = set()
    for code in value:
        if not isinstance(code, str) or code not in allowed:
            raise InvalidInput({name: f"unknown code {code!r}; one of {', '.join(allowed)}"})
        chosen.add(code)
    return tuple(c for c in allowed if c in chosen)  # the table's order, no duplicates


def _probability(name: str, value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput({name: "a number from 0 to 1 is expected"})
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput({name: "a number from 0 to 1 is expected"}) from None
    if not (0.0 <= number <= 1.0):  # also refuses NaN
        raise InvalidInput({name: "a number from 0 to 1 is expected"})
    return number


def parse_definition(data: Mapping[str, Any]) -> SegmentDefinition:
    """A definition from JSON-like data; ``InvalidInput`` names the bad field."""
    if not isinstance(data, Mapping):
        raise InvalidInput({"definition": "an object is expected"})
    unknown = sorted(set(data) - set(_CHOICES) - {"p_alive_min", "p_alive_max"})
    if unknown:
        raise InvalidInput({name: "unknown filter" for name in unknown})
    definition = SegmentDefinition(
        rfm_segments=_codes("rfm_segments", data.get("rfm_segments")),
        ladder_stages=_codes("ladder_stages", data.get("ladder_stages")),
        actions=_codes("actions", data.get("actions")),
        value_tiers=_codes("value_tiers", data.get("value_tiers")),
        p_alive_min=_probability("p_alive_min", data.get("p_alive_min")),
        p_alive_max=_probability("p_alive_max", data.get("p_alive_max")),
    )
    low, high = definition.p_alive_min, definition.p_alive_max
    if low is not None and high is not None and low > high:
        raise InvalidInput({"p_alive_max": "must not be below the minimum"})
    return definition


# --- value tiers ----------------------------------------------------------------------

_CUTOFFS: dict[tuple[int, str], tuple[Decimal, Decimal] | None] = {}


def tier_cutoffs(run: ModelRun) -> tuple[Decimal, Decimal] | None:
    """(lowest CLV of the top tier, lowest CLV of the middle tier) of ``run``; None when
    the run has no scores. Cached per run (a run's scores do not change)."""
    key = (run.pk, run.started_at.isoformat())
    if key in _CUTOFFS:
        return _CUTOFFS[key]
    scores = CustomerScore.objects.filter(run=run)
    total = scores.count()
    cutoffs: tuple[Decimal, Decimal] | None = None
    if total:
        by_value = scores.order_by("-clv").values_list("clv", flat=True)
        top_rank = max(math.ceil(TIER_SHARES["top"] * total), 1)
        middle_rank = max(math.ceil(TIER_SHARES["middle"] * total), 1)
        cutoffs = (by_value[top_rank - 1], by_value[middle_rank - 1])
    if len(_CUTOFFS) > 32:
        _CUTOFFS.clear()
    _CUTOFFS[key] = cutoffs
    return cutoffs


def _tier_condition(tiers: tuple[str, ...], cutoffs: tuple[Decimal, Decimal] | None) -> Q:
    if cutoffs is None:
        return Q(pk__in=[])
    top, middle = cutoffs
    parts = {
        "top": Q(clv__gte=top),
        "middle": Q(clv__gte=middle, clv__lt=top),
        "rest": Q(clv__lt=middle),
    }
    condition = Q(pk__in=[])
    for tier in tiers:
        condition |= parts[tier]
    return condition


def tier_of(clv: Decimal | None, cutoffs: tuple[Decimal, Decimal] | None) -> str:
    """The value tier of a CLV under the run's cut-offs ("" without them)."""
    if clv is None or cutoffs is None:
        return ""
    if clv >= cutoffs[0]:
        return "top"
    return "middle" if clv >= cutoffs[1] else "rest"


# --- members --------------------------------------------------------------------------


def segment_scores(user: Any, definition: SegmentDefinition, run: ModelRun) -> QuerySet[CustomerScore]:
    """The scores of ``run`` that the definition selects, among the parties ``user`` may
    see. A user who may not see CLV gets nothing for a segment that selects by value."""
    qs = scope_queryset(
        user, CustomerScore.objects.filter(run=run), entity="party",
        owner_field="party__owner", team_field="party__team",
    )
    if definition.uses_value and not can_see(user, "clv"):
        return qs.none()
    # Parties archived, or no longer customers, since the run: out of every segment.
    return filter_scores(qs.exclude(party_id__in=outside_customer_base_ids()), definition, run)


def filter_scores(qs: QuerySet[CustomerScore], definition: SegmentDefinition,
                  run: ModelRun) -> QuerySet[CustomerScore]:
    """``qs`` (scores of ``run``) narrowed by the definition's filters, no scope applied
    (``segment_scores`` applies the user's; playbooks act for the whole base)."""
    if definition.rfm_segments:
        qs = qs.filter(rfm_segment__in=definition.rfm_segments)
    if definition.ladder_stages:
        qs = qs.filter(ladder_stage__in=definition.ladder_stages)
    if definition.actions:
        qs = qs.filter(next_best_action__in=definition.actions)
    if definition.p_alive_min is not None:
        qs = qs.filter(p_alive__gte=definition.p_alive_min)
    if definition.p_alive_max is not None:
        qs = qs.filter(p_alive__lte=definition.p_alive_max)
    if definition.value_tiers and len(definition.value_tiers) < len(VALUE_TIERS):
        qs = qs.filter(_tier_condition(definition.value_tiers, tier_cutoffs(run)))
    return qs


SEGMENTS_CHECKED = 200  # saved segments a 360 looks through, by name


def segments_including(user: Any, party: Any, score: CustomerScore | None, run: ModelRun | None) -> list[Any]:
    """The saved segments (that ``user`` may see) whose members include ``party`` now: its
    score in ``run`` checked against each definition, as ``segment_scores`` would select it.
    One query for the segments (plus the run's tier cut-offs, cached, when a segment
    selects by value tier); none for a party without a score or outside the customer base."""
    from clientela.crm.engagement.access import visible_segments

    if score is None or run is None or not party.in_customer_base:
        return []
    show_value = can_see(user, "clv")
    found = []
    for segment in visible_segments(user).order_by("name", "id")[:SEGMENTS_CHECKED]:
        try:
            definition = parse_definition(segment.definition)
        except InvalidInput:
            continue
        if definition.uses_value and not show_value:
            continue
        tiered = definition.value_tiers and len(definition.value_tiers) < len(VALUE_TIERS)
        if definition.selects(score, tier_cutoffs(run) if tiered else None):
            found.append(segment)
    return found


def segment_size(user: Any, definition: SegmentDefinition, run: ModelRun | None) -> int:
    """How many customers the user may see does the segment select now (one COUNT)?"""
    if run is None:
        return 0
    return segment_scores(user, definition, run).count()
