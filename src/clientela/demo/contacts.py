"""Consents and interactions on every channel. Pure NumPy; times in days from the window start.

Each channel has a cost to serve (base currency) in ``CHANNEL_COST``; interactions are
accumulated in an :class:`InteractionLog` and written in one go. Newsletters and
campaign messages go only to parties whose consent for that purpose and channel is
active at the moment of sending.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

CHANNEL_COST = {  # PLN per interaction
    "email": 0.50, "sms": 0.30, "phone": 12.00, "meeting": 120.00,
    "chat": 4.00, "web": 0.20, "letter": 6.00,
}
CHANNELS = tuple(CHANNEL_COST)
NEWSLETTER_EVERY_DAYS = 30.4

SUBJECTS: dict[str, tuple[str, ...]] = {
    "newsletter": ("Newsletter: autumn picks", "Newsletter: what's new this month",
                   "Newsletter: garden season", "Newsletter: gift ideas", "Newsletter: top sellers"),
    "shipped_sms": ("Your order has been shipped", "Parcel on its way — tracking link"),
    "web": ("Viewed product page", "Abandoned basket", "Account login", "Wishlist updated",
            "Searched the catalogue", "Contact form"),
    "chat": ("Chat: delivery time", "Chat: product question", "Chat: payment issue",
             "Chat: invoice request", "Chat: size and fit"),
    "support_call": ("Call: where is my parcel", "Call: product not working", "Call: change of address",
                     "Call: invoice correction", "Call: warranty question"),
    "return_chat": ("Chat: return request", "Chat: refund status"),
    "return_call": ("Call: return request", "Call: refund not received", "Call: courier pick-up for return"),
    "return_letter": ("Return label and instructions", "Refund confirmation letter"),
    "cancel_email": ("Order cancellation confirmed",),
    "invoice_letter": ("Invoice by post", "Delivery note and invoice"),
    "account_meeting": ("Account review meeting", "Quarterly business review", "Contract negotiation",
                        "Product presentation at client's office"),
    "account_call": ("Call: reorder reminder", "Call: quarterly check-in", "Call: price list update"),
    "vip_letter": ("VIP programme: annual statement", "Thank-you letter from the management"),
    "costly_call": ("Call: asks for advice before buying", "Call: complaint about delivery",
                    "Call: follow-up on previous complaint", "Call: product comparison",
                    "Call: asks for a better price"),
    "costly_chat": ("Chat: long product consultation", "Chat: complaint", "Chat: follow-up"),
    "costly_meeting": ("Showroom consultation", "Home visit: installation advice"),
    "prospect_call": ("Intro call", "Follow-up call after fair", "Call: needs analysis"),
    "prospect_email": ("Offer sent", "Catalogue sent", "Follow-up email", "Meeting invitation"),
    "prospect_meeting": ("Discovery meeting", "Product demo"),
    "supplier_meeting": ("Supplier review", "Annual terms negotiation", "Quality audit"),
    "supplier_phone": ("Call: delivery schedule", "Call: price change", "Call: stock availability"),
    "supplier_email": ("Purchase order sent", "Delivery confirmation", "Price list received"),
    "supplier_letter": ("Signed framework agreement", "Annual statement of account"),
    "partner_meeting": ("Partner review", "Joint marketing planning", "Partner training"),
    "partner_phone": ("Call: lead hand-over", "Call: commission question"),
    "partner_email": ("Partner newsletter", "Commission statement", "Referred lead details"),
    "partner_letter": ("Partnership agreement", "Commission statement by post"),
    "internal_meeting": ("Monthly sales review", "Key account planning", "Budget meeting"),
    "internal_email": ("Weekly KPI report", "Campaign results", "Customer feedback digest"),
    "complaint_call": ("Call: complaint about discount not applied", "Call: disputes the invoice",
                       "Call: demands compensation", "Call: second complaint on the same order"),
}
NOTES = ("", "", "", "Customer asked to be called back next week.",
         "Resolved on the first contact.", "Escalated to the team lead.",
         "Sent a follow-up e-mail with details.", "Customer satisfied with the answer.")


@dataclass
class InteractionLog:
    party: list[IntArray] = field(default_factory=list)
    channel: list[NDArray[np.object_]] = field(default_factory=list)
    direction: list[NDArray[np.object_]] = field(default_factory=list)
    time: list[FloatArray] = field(default_factory=list)
    subject: list[NDArray[np.object_]] = field(default_factory=list)
    user: list[IntArray] = field(default_factory=list)
    notes: list[NDArray[np.object_]] = field(default_factory=list)

    def add(
        self,
        rng: np.random.Generator,
        *,
        party: IntArray,
        time: FloatArray,
        channel: str,
        direction: str,
        topic: str,
        user: IntArray | None = None,
        subject: str | None = None,
    ) -> None:
        n = len(party)
        if not n:
            return
        pool = np.array(SUBJECTS[topic] if subject is None else (subject,), dtype=object)
        self.party.append(np.asarray(party, dtype=np.int64))
        self.channel.append(np.full(n, channel, dtype=object))
        self.direction.append(np.full(n, direction, dtype=object))
        self.time.append(np.asarray(time, dtype=np.float64))
        self.subject.append(pool[rng.integers(len(pool), size=n)])
        self.user.append(np.full(n, -1, dtype=np.int64) if user is None else np.asarray(user, dtype=np.int64))
        if channel in ("phone", "meeting", "chat"):
            self.notes.append(np.array(NOTES, dtype=object)[rng.integers(len(NOTES), size=n)])
        else:
            self.notes.append(np.full(n, "", dtype=object))

    def arrays(self) -> dict[str, np.ndarray]:
        out = {
            "party": np.concatenate(self.party),
            "channel": np.concatenate(self.channel),
            "direction": np.concatenate(self.direction),
            "time": np.concatenate(self.time),
            "subject": np.concatenate(self.subject),
            "user": np.concatenate(self.user),
            "notes": np.concatenate(self.notes),
        }
        out["cost"] = np.array([CHANNEL_COST[c] for c in out["channel"]])
        return out

    def cost_by_party(self, n_parties: int) -> FloatArray:
        a = self.arrays()
        return np.bincount(a["party"], weights=a["cost"], minlength=n_parties)


def poisson_events(
    rng: np.random.Generator,
    parties: IntArray,
    start: FloatArray,
    end: FloatArray,
    per_year: float | FloatArray,
) -> tuple[IntArray, FloatArray]:
    """Events at a yearly rate, uniformly over each party's span [start, end)."""
    span = np.maximum(end - start, 0.0)
    counts = rng.poisson(np.asarray(per_year) * span / 365.25)
    who = np.repeat(parties, counts)
    t = np.repeat(start, counts) + rng.random(counts.sum()) * np.repeat(span, counts)
    return who.astype(np.int64), t


@dataclass
class Consents:
    party: IntArray
    purpose: NDArray[np.object_]
    channel: NDArray[np.object_]
    basis: NDArray[np.object_]
    source: NDArray[np.object_]
    given: FloatArray
    withdrawn: FloatArray  # NaN when still active

    def active(self, purpose: str, channel: str, at: FloatArray, party: IntArray) -> NDArray[np.bool_]:
        """Whether each (party, time) pair has that consent active."""
        rows = np.flatnonzero((self.purpose == purpose) & (self.channel == channel))
        given = np.full(int(max(party.max(initial=0), self.party.max(initial=0))) + 1, np.inf)
        withdrawn = np.full_like(given, np.inf)
        given[self.party[rows]] = self.given[rows]
        withdrawn[self.party[rows]] = np.where(np.isnan(self.withdrawn[rows]), np.inf, self.withdrawn[rows])
        return (given[party] <= at) & (at < withdrawn[party])


PERSON_CONSENTS = (  # purpose, channel, probability
    ("newsletter", "email", 0.50), ("marketing", "email", 0.45), ("marketing", "sms", 0.30),
    ("surveys", "email", 0.35), ("marketing", "phone", 0.10), ("profiling", "web", 0.25),
)
SOURCES = ("web form", "checkout", "phone call", "trade fair", "newsletter sign-up", "shop counter")


def draw_consents(
    rng: np.random.Generator,
    *,
    parties: IntArray,
    is_org: NDArray[np.bool_],
    since: FloatArray,
    horizon: int,
    has_phone: NDArray[np.bool_],
) -> Consents:
    """Consents for customers and prospects; about 15 % withdrawn later."""
    rows: list[tuple[IntArray, str, str, str, FloatArray]] = []
    person = ~is_org
    for purpose, channel, prob in PERSON_CONSENTS:
        ok = person & (rng.random(len(parties)) < prob)
        if channel in ("sms", "phone"):
            ok &= has_phone
        rows.append((parties[ok], purpose, channel, "consent", since[ok]))
    for purpose, prob in (("marketing", 1.0), ("newsletter", 0.4)):
        ok = is_org & (rng.random(len(parties)) < prob)
        rows.append((parties[ok], purpose, "email", "legitimate_interest", since[ok]))
    party = np.concatenate([r[0] for r in rows])
    n = len(party)
    given = np.concatenate([r[4] for r in rows]) + rng.random(n) * 0.5
    given = np.minimum(given, horizon - 1e-3)
    withdrawn = np.full(n, np.nan)
    gone = rng.random(n) < 0.15
    withdrawn[gone] = given[gone] + rng.random(int(gone.sum())) * (horizon - given[gone])
    return Consents(
        party=party,
        purpose=np.concatenate([np.full(len(r[0]), r[1], dtype=object) for r in rows]),
        channel=np.concatenate([np.full(len(r[0]), r[2], dtype=object) for r in rows]),
        basis=np.concatenate([np.full(len(r[0]), r[3], dtype=object) for r in rows]),
        source=np.array(SOURCES, dtype=object)[rng.integers(len(SOURCES), size=n)],
        given=given,
        withdrawn=withdrawn,
    )


def newsletters(rng: np.random.Generator, log: InteractionLog, consents: Consents, horizon: int) -> None:
    """One e-mail per monthly issue to every party subscribed at the time."""
    sends = np.arange(3.4, horizon, NEWSLETTER_EVERY_DAYS) + 9 / 24
    rows = np.flatnonzero((consents.purpose == "newsletter") & (consents.channel == "email"))
    end = np.where(np.isnan(consents.withdrawn[rows]), horizon, consents.withdrawn[rows])
    first = np.searchsorted(sends, consents.given[rows], side="right")
    last = np.searchsorted(sends, end, side="left")
    counts = np.maximum(last - first, 0)
    who = np.repeat(consents.party[rows], counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    t = sends[np.repeat(first, counts) + offsets]
    log.add(rng, party=who, time=t, channel="email", direction="outbound", topic="newsletter")
