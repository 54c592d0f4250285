"""What a playbook's actions cost: each executed action priced from the administrator's
``ActionCosts`` (defaults until one is saved), recorded on its firing, and summed for the
outcome report (registered in ``crm.experiments.outcomes.COSTS`` by the app's ``ready``).

Only what was done costs: a suppressed mail (no consent), a held-out or failed action
costs nothing. A task costs its staff time (``task_minutes`` × ``hourly_cost`` / 60),
loyalty points their value (points × ``point_value``), a message the unit price of its
channel (e-mail or SMS), a case, a webhook event, a campaign membership or a tag their
price. Amounts are in the base currency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum

from clientela.crm.playbooks.models import ActionCosts, Firing

CENT = Decimal("0.01")


def action_costs() -> ActionCosts:
    """The administrator's prices (pk 1), or the defaults (unsaved) when none are set."""
    return ActionCosts.objects.filter(pk=1).first() or ActionCosts(pk=1)


class Pricing:
    """Prices read once for a batch of actions (one firing's)."""

    def __init__(self, costs: ActionCosts | None = None) -> None:
        self.costs = costs or action_costs()
        self._channels: dict[int, str] = {}

    def _channel(self, campaign_id: Any) -> str:
        from clientela.crm.engagement.models import Campaign

        if campaign_id not in self._channels:
            channel = (
                Campaign.objects.filter(pk=campaign_id)
                .values_list("message_channel", flat=True)
                .first()
            )
            self._channels[campaign_id] = str(channel or "email")
        return self._channels[campaign_id]

    def price(self, action: Mapping[str, Any], result: Mapping[str, Any]) -> Decimal:
        """What ``action`` cost, given its ``result`` (0 unless it was done)."""
        if result.get("status") != "done":
            return Decimal("0.0000")
        c = self.costs
        kind = action["kind"]
        if kind == "task":
            amount = Decimal(c.task_minutes) * c.hourly_cost / 60
        elif kind == "points":
            amount = Decimal(int(action["points"])) * c.point_value
        elif kind == "message":
            amount = c.sms if self._channel(result.get("ref")) == "sms" else c.email
        else:
            amount = {
                "case": c.case,
                "webhook": c.webhook,
                "campaign": c.campaign,
                "tag": c.tag,
            }.get(kind, Decimal("0"))
        return Decimal(amount).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    def priced(self, action: Mapping[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        """``result`` with its ``cost`` (a string, exact) added."""
        return result | {"cost": str(self.price(action, result))}


def firing_cost(results: Sequence[Mapping[str, Any]]) -> Decimal:
    """A firing's cost: its results' costs summed, to the cent."""
    total = sum((Decimal(str(r.get("cost") or "0")) for r in results), Decimal("0"))
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def playbook_cost(playbook_id: int) -> float:
    """What the playbook's actions have cost so far (base currency): the outcome report's cost."""
    total = Firing.objects.filter(playbook_id=playbook_id).aggregate(total=Sum("cost"))["total"]
    return float(total or 0)
