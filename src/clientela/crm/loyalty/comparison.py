"""Members against non-members of a programme, among the customers of the current
scoring run: how many, the share who bought more than once, mean P(alive), expected
purchases in the next year and mean CLV. An association: members may differ from the
others in ways that made them join; only a control group can say what the programme
itself does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q

from clientela.crm.commerce.models import Order
from clientela.crm.loyalty.models import LoyaltyAccount, Programme
from clientela.crm.parties.queries import outside_customer_base_ids
from clientela.crm.scoring.models import CustomerScore


@dataclass(frozen=True)
class Group:
    customers: int
    repeat_share: float | None
    p_alive: float | None
    expected_purchases_365: float | None
    clv: float | None


def compare(programme: Programme, run: Any, scored: Any = None) -> tuple[Group, Group]:
    """(members, non-members) of ``programme`` among the run's scored customers
    (``scored``: the user's visible scores, when given). Two queries."""
    scores = scored if scored is not None else CustomerScore.objects.filter(run=run)
    scores = scores.exclude(party_id__in=outside_customer_base_ids())
    member = Exists(LoyaltyAccount.objects.filter(programme=programme, party_id=OuterRef("party_id")))
    repeat = Exists(Order.objects.filter(party_id=OuterRef("party_id"), status="completed")
                    .values("party_id").annotate(n=Count("id")).filter(n__gte=2))
    out = []
    for side in (member, ~member):
        row = scores.filter(side).aggregate(n=Count("id"), repeat=Count("id", filter=Q(repeat)),
                                            p=Avg("p_alive"), e=Avg("expected_purchases_365"), clv=Avg("clv"))
        n = row["n"]
        out.append(Group(customers=n, repeat_share=row["repeat"] / n if n else None,
                         p_alive=row["p"], expected_purchases_365=row["e"],
                         clv=float(row["clv"]) if row["clv"] is not None else None))
    return out[0], out[1]
