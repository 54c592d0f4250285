"""Who the company talks to, how often and on which channel: the interaction plan.

Costs follow the channel (``contacts.CHANNEL_COST``), so the planted high cost-to-serve
customers are the ones with many phone calls and meetings.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from clientela.demo.baskets import Baskets
from clientela.demo.contacts import InteractionLog, poisson_events
from clientela.demo.roster import STAFF, Roster

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

SERVICE_AGENTS = np.array([i for i, s in enumerate(STAFF) if s[3] == "service_agent"], dtype=np.int64)


def handler(rng: np.random.Generator, roster: Roster, parties: IntArray) -> IntArray:
    """The party's owner when it has one, else a service agent."""
    owners = np.array(roster.owner, dtype=np.int64)[parties]
    agents = SERVICE_AGENTS[rng.integers(len(SERVICE_AGENTS), size=len(parties))]
    return np.where(owners >= 0, owners, agents)


def owner_or_manager(roster: Roster, parties: IntArray) -> IntArray:
    owners = np.array(roster.owner, dtype=np.int64)[parties]
    return np.where(owners >= 0, owners, 0)


def order_contacts(
    rng: np.random.Generator,
    log: InteractionLog,
    roster: Roster,
    baskets: Baskets,
    *,
    horizon: int,
    is_org: NDArray[np.bool_],
) -> None:
    """Interactions around orders: shipping SMS, web visits, support, returns, invoices."""
    party = baskets.customer
    t = baskets.day + baskets.second / 86400.0
    has_phone = np.array([bool(x) for x in roster.phone], dtype=bool)[party]
    end = horizon - 1e-4

    def add(mask: NDArray[np.bool_], when: FloatArray, channel: str, direction: str, topic: str,
            staffed: bool = False) -> None:
        who = party[mask]
        user = handler(rng, roster, who) if staffed else None
        log.add(rng, party=who, time=np.clip(when[mask], 0, end), channel=channel,
                direction=direction, topic=topic, user=user)

    n = len(party)
    shipped = np.isin(baskets.status, ["completed", "returned", "shipped"])
    add(shipped & has_phone & (rng.random(n) < 0.4), t + rng.uniform(0.5, 2, n), "sms", "outbound", "shipped_sms")
    add(rng.random(n) < 0.6, t - rng.uniform(0, 3, n), "web", "inbound", "web")
    add(rng.random(n) < 0.08, t + rng.uniform(0.2, 6, n), "chat", "inbound", "chat", staffed=True)
    add(rng.random(n) < 0.04, t + rng.uniform(0.2, 10, n), "phone", "inbound", "support_call", staffed=True)
    returned = baskets.status == "returned"
    by_chat = rng.random(n) < 0.5
    add(returned & by_chat, t + rng.uniform(2, 7, n), "chat", "inbound", "return_chat", staffed=True)
    add(returned & ~by_chat, t + rng.uniform(2, 7, n), "phone", "inbound", "return_call", staffed=True)
    add(returned & (rng.random(n) < 0.6), t + rng.uniform(3, 8, n), "phone", "inbound", "return_call", staffed=True)
    add(returned, t + rng.uniform(3, 9, n), "letter", "outbound", "return_letter")
    add(baskets.status == "cancelled", t + rng.uniform(0.01, 1, n), "email", "outbound", "cancel_email")
    add(is_org[party] & (rng.random(n) < 0.3), t + rng.uniform(1, 5, n), "letter", "outbound", "invoice_letter")


def account_contacts(
    rng: np.random.Generator,
    log: InteractionLog,
    roster: Roster,
    *,
    customers: IntArray,
    acquired: FloatArray,
    horizon: int,
    is_org: NDArray[np.bool_],
    top: IntArray,
    costly: IntArray,
) -> None:
    """Account management for organisations and top customers; the planted costly ones."""
    end = np.full(len(customers), float(horizon) - 1e-4)
    orgs = customers[is_org]
    for per_year, channel, direction, topic in ((1.5, "meeting", "outbound", "account_meeting"),
                                                (4.0, "phone", "outbound", "account_call")):
        who, t = poisson_events(rng, orgs, acquired[orgs], end[orgs], per_year)
        log.add(rng, party=who, time=t, channel=channel, direction=direction, topic=topic,
                user=owner_or_manager(roster, who))
    who, t = poisson_events(rng, top, acquired[top], end[top], 1.0)
    log.add(rng, party=who, time=t, channel="letter", direction="outbound", topic="vip_letter")
    who, t = poisson_events(rng, top, acquired[top], end[top], 2.0)
    log.add(rng, party=who, time=t, channel="phone", direction="outbound", topic="account_call",
            user=handler(rng, roster, who))
    # The planted costly customers call often, chat at length and ask for visits.
    intensity = rng.uniform(0.6, 1.6, size=len(costly))
    for per_year, channel, topic in ((14.0, "phone", "costly_call"), (6.0, "chat", "costly_chat"),
                                     (1.2, "meeting", "costly_meeting")):
        who, t = poisson_events(rng, costly, acquired[costly], end[costly], per_year * intensity)
        log.add(rng, party=who, time=t, channel=channel,
                direction="outbound" if channel == "meeting" else "inbound", topic=topic,
                user=handler(rng, roster, who))


def other_party_contacts(
    rng: np.random.Generator,
    log: InteractionLog,
    roster: Roster,
    *,
    horizon: int,
    prospects: IntArray,
    lead_day: FloatArray,
) -> None:
    """Prospects being worked by sales; suppliers, partners and internal stakeholders."""
    kinds = np.array(roster.kind)
    end = np.full(len(prospects), float(horizon) - 1e-4)
    plan = ((2.0, "phone", "outbound", "prospect_call"), (3.0, "email", "outbound", "prospect_email"),
            (4.0, "web", "inbound", "web"))
    # Rates per year of being a lead; a lead is worked hardest in its first months.
    span_end = np.minimum(end, lead_day + 200)
    for per_year, channel, direction, topic in plan:
        who, t = poisson_events(rng, prospects, lead_day, span_end, per_year * 1.8)
        log.add(rng, party=who, time=t, channel=channel, direction=direction, topic=topic,
                user=handler(rng, roster, who) if channel != "web" else None)
    org_prospects = prospects[kinds[prospects] == "organisation"]
    org_lead = lead_day[kinds[prospects] == "organisation"]
    who, t = poisson_events(rng, org_prospects, org_lead, np.minimum(horizon - 1e-4, org_lead + 200), 2.5)
    log.add(rng, party=who, time=t, channel="meeting", direction="outbound", topic="prospect_meeting",
            user=owner_or_manager(roster, who))

    roles = np.array(roster.role)
    for role, plan_rows in (
        ("supplier", ((4, "meeting", "outbound"), (6, "phone", "outbound"), (12, "email", "outbound"),
                      (2, "letter", "inbound"))),
        ("partner", ((3, "meeting", "outbound"), (4, "phone", "inbound"), (10, "email", "outbound"),
                     (1, "letter", "outbound"))),
        ("internal", ((4, "meeting", "outbound"), (10, "email", "outbound"))),
    ):
        members = np.flatnonzero(roles == role).astype(np.int64)
        zeros = np.zeros(len(members))
        for per_year, channel, direction in plan_rows:
            who, t = poisson_events(rng, members, zeros, zeros + horizon - 1e-4, float(per_year))
            log.add(rng, party=who, time=t, channel=channel, direction=direction,
                    topic=f"{role}_{channel}", user=owner_or_manager(roster, who) if role != "internal"
                    else np.full(len(who), 3, dtype=np.int64))
