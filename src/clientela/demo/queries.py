"""Read the planted truth: what later analytics' tests compare their findings with."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.crm.parties.models import Party
from clientela.demo.models import DemoFact, PlantedTrait, Trait


def planted(trait: Trait | str) -> QuerySet[Party]:
    """Parties carrying a planted trait, e.g. ``planted(Trait.LOSS_MAKER)``."""
    if trait not in Trait.values:
        raise ValueError(f"trait: {trait!r} is not one of {', '.join(Trait.values)}")
    return Party.objects.filter(demo_traits__trait=trait)


def planted_refs(trait: Trait | str) -> set[str]:
    return set(planted(trait).values_list("ref", flat=True))


def trait_details(trait: Trait | str) -> dict[str, dict[str, Any]]:
    """``{party ref: detail}`` for one trait."""
    rows = PlantedTrait.objects.filter(trait=trait).values_list("party__ref", "detail")
    return dict(rows)


def fact(key: str) -> Any:
    """One truth fact's JSON value (``generator``, ``purchase_process``, ``concentration``…)."""
    try:
        return DemoFact.objects.get(key=key).value
    except DemoFact.DoesNotExist:
        raise KeyError(f"no demo fact {key!r}: is the demo company built?") from None
