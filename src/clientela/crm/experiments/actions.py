"""Every write to experiments' settings: the global holdout and an experiment's window.

Assignments are written by ``experiments.assignment`` (``experiment_for``, ``assign``),
the holdout's members by ``experiments.holdout`` as parties are met.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from clientela.crm.accounts.permissions import require
from clientela.crm.audit.actions import diff, record_change
from clientela.crm.errors import InvalidInput
from clientela.crm.experiments.assignment import _new_seed
from clientela.crm.experiments.holdout import HOLDOUT_PK, held_out_among, settings_row
from clientela.crm.experiments.models import Experiment, Holdout
from clientela.crm.parties.models import OUTSIDE_CUSTOMER_BASE, Party


def _share(value: Any, field: str) -> Decimal:
    try:
        share = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput({field: "must be a number between 0 and 0.5"}) from None
    if not share.is_finite() or not Decimal("0") <= share <= Decimal("0.5"):
        raise InvalidInput({field: "must be between 0 and 0.5"})
    return share.quantize(Decimal("0.001"))


@transaction.atomic
def configure_holdout(actor: Any, *, enabled: bool, share: Any, seed: int | None = None) -> Holdout:
    """Turn the global holdout on or off and set its share (a new seed when none is kept
    or given). Turning it on records the customers it holds out now."""
    require(actor, "campaign", "update")
    config = settings_row()
    before = {"enabled": config.enabled, "share": config.share, "seed": config.seed}
    config.enabled = bool(enabled)
    config.share = _share(share, "share")
    if seed is not None:
        if not 0 <= int(seed) < 2**63:
            raise InvalidInput({"seed": "must be a non-negative 63-bit integer"})
        config.seed = int(seed)
    elif not config.seed:
        config.seed = _new_seed()
    config.changed_at = timezone.now()
    config.changed_by_id = getattr(actor, "pk", None)
    config.pk = HOLDOUT_PK
    config.save()
    changes = diff(before, {"enabled": config.enabled, "share": config.share, "seed": config.seed})
    if changes:
        record_change(actor, entity="holdout", object_id=HOLDOUT_PK, action="update", changes=changes)
    if config.enabled:
        ids = Party.objects.exclude(OUTSIDE_CUSTOMER_BASE).values_list("id", flat=True)
        held_out_among(ids)
    return config


@transaction.atomic
def update_experiment(actor: Any, experiment: Experiment, *, measure_days: Any) -> Experiment:
    """Change the measurement window (days from each party's assignment)."""
    require(actor, "campaign", "update")
    try:
        days = int(measure_days)
    except (TypeError, ValueError):
        raise InvalidInput({"measure_days": "must be a whole number of days"}) from None
    if not 1 <= days <= 3650:
        raise InvalidInput({"measure_days": "must be between 1 and 3650 days"})
    before = experiment.measure_days
    if days != before:
        experiment.measure_days = days
        experiment.save(update_fields=["measure_days"])
        record_change(actor, entity="experiment", object_id=experiment.pk, action="update",
                      changes={"measure_days": (before, days)})
    return experiment
