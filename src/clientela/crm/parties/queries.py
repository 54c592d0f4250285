"""Reads of parties, contacts and consents that pages and the API share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Replace
from django.db.models.lookups import Contains

from clientela.crm.parties.access import (
    archived_parties,
    visible_consents,
    visible_contacts,
    visible_parties,
)
from clientela.crm.parties.fold import Fold, fold
from clientela.crm.parties.models import (
    OTHER_ROLES,
    OUTSIDE_CUSTOMER_BASE,
    Consent,
    ContactPerson,
    Party,
)
from clientela.crm.query_filters import filter_given

DUPLICATES_SHOWN = 5
PHONE_DIGITS_COMPARED = 9  # the subscriber number, whatever the country prefix

SEARCHED_FIELDS = ("name", "email", "ref")
# Between the searched columns: U+001F (unit separator) is in no name, address or
# reference, and a term would need one to match across two columns.
SEPARATOR = "\x1f"


class _Joined(Func):
    """The expressions joined with ``||``."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = TextField()


def search_text(*, prefix: str = "") -> Fold:
    """``clientela_fold(name || U+001F || email || U+001F || ref)``: the text the search
    looks in, folded with one call per row (one call per column made the broad searches
    of ui_bench 5-10 % slower). Parties migration 0007 indexes this exact expression."""
    parts: list[Any] = []
    for field in SEARCHED_FIELDS:
        parts += [F(f"{prefix}{field}"), Value(SEPARATOR)]
    return Fold(_Joined(*parts[:-1]))


def text_match(q: str, *, prefix: str = "") -> Q:
    """Name, e-mail or reference containing ``q``, ignoring case and accents ("Lodz" finds
    "Łódź" and the other way round; ``parties.fold``), trigram-indexed on PostgreSQL.
    ``prefix`` reaches the party from another model. ``Fold`` is bilateral: the term is
    folded by the same database function (on PostgreSQL once, when planning)."""
    return Q(Contains(search_text(prefix=prefix), q))


def list_parties(
    user: Any,
    *,
    q: str | None = None,
    kind: str | None = None,
    country: str | None = None,
    is_customer: bool | None = None,
    owner_id: int | None = None,
) -> QuerySet[Party]:
    qs = visible_parties(user)
    if q:
        qs = qs.filter(text_match(q))
    return filter_given(qs, kind=kind, country=country.upper() if country else None, is_customer=is_customer,
                        owner_id=owner_id)


def list_contacts(user: Any, *, party_id: int | None = None, q: str | None = None) -> QuerySet[ContactPerson]:
    qs = visible_contacts(user)
    if party_id is not None:
        qs = qs.filter(organisation_id=party_id)
    if q:
        qs = qs.filter(Q(name__fold__contains=q) | Q(email__fold__contains=q))
    return qs


def list_consents(
    user: Any,
    *,
    party_id: int | None = None,
    purpose: str | None = None,
    channel: str | None = None,
    active: bool | None = None,
) -> QuerySet[Consent]:
    return filter_given(visible_consents(user), party_id=party_id, purpose=purpose, channel=channel,
                        withdrawn_at__isnull=active)


def customer_base(qs: QuerySet[Party]) -> QuerySet[Party]:
    """``qs`` without the parties outside the customer base (``OUTSIDE_CUSTOMER_BASE``)."""
    return qs.exclude(OUTSIDE_CUSTOMER_BASE)


def outside_customer_base_ids() -> QuerySet[Party]:
    """Ids of the parties outside the customer base, for ``party_id__in`` exclusions of
    score rows (a partial index holds exactly these rows)."""
    return Party.objects.filter(OUTSIDE_CUSTOMER_BASE).values("pk")


def other_parties(user: Any, *, role: str = "", archived: bool = False) -> QuerySet[Party]:
    """The list of ``/parties/``: suppliers, partners or internal stakeholders (``role``;
    empty: all three), or with ``archived`` the archived parties of any role."""
    qs = archived_parties(user) if archived else visible_parties(user)
    if role in OTHER_ROLES:
        qs = qs.filter(**{f"is_{role}": True})
    elif not archived:
        qs = qs.filter(Q(is_supplier=True) | Q(is_partner=True) | Q(is_internal=True))
    return qs.select_related("owner").order_by("name", "id")


@dataclass(frozen=True)
class Duplicate:
    party: Party
    reasons: tuple[str, ...]  # "name", "email", "phone"


def _phone_digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())[-PHONE_DIGITS_COMPARED:]


def possible_duplicates(
    user: Any, *, name: str = "", email: str = "", phone: str = "", exclude_id: int | None = None
) -> list[Duplicate]:
    """Parties the user may see with the same folded name (``fold``: case and accents
    ignored), the same e-mail (case ignored) or the same phone number (its last nine
    digits), at most ``DUPLICATES_SHOWN``. Each condition is one an index answers on
    PostgreSQL: the trigram index of the search text narrows the name and the e-mail
    (then compared exactly), the trigram index of the phone digits the phone."""
    name, email, phone = name.strip(), email.strip(), _phone_digits(phone)
    match = Q()
    if len(name) >= 3:
        # The trigram index finds the candidates, the exact folded name decides.
        match |= Q(Contains(search_text(), name)) & Q(name__fold=name)
    if "@" in email:
        match |= Q(Contains(search_text(), email)) & Q(email__iexact=email)
    qs = visible_parties(user)
    if len(phone) >= 6:
        qs = qs.annotate(phone_digits=Replace(
            Replace(Replace(F("phone"), Value(" ")), Value("-")), Value("+")
        ))
        match |= Q(phone_digits__endswith=phone)
    if not match:
        return []
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    found = []
    for party in qs.filter(match).order_by("name", "id")[:DUPLICATES_SHOWN]:
        reasons = []
        if len(name) >= 3 and fold(party.name) == fold(name):
            reasons.append("name")
        if "@" in email and party.email.lower() == email.lower():
            reasons.append("email")
        if len(phone) >= 6 and _phone_digits(party.phone).endswith(phone):
            reasons.append("phone")
        found.append(Duplicate(party, tuple(reasons)))
    return found
