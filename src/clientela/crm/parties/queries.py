"""Reads of parties, contacts and consents that pages and the API share."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.lookups import Contains

from clientela.crm.parties.access import visible_consents, visible_contacts, visible_parties
from clientela.crm.parties.fold import Fold
from clientela.crm.parties.models import Consent, ContactPerson, Party

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
    if kind:
        qs = qs.filter(kind=kind)
    if country:
        qs = qs.filter(country=country.upper())
    if is_customer is not None:
        qs = qs.filter(is_customer=is_customer)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    return qs


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
    qs = visible_consents(user)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    if purpose:
        qs = qs.filter(purpose=purpose)
    if channel:
        qs = qs.filter(channel=channel)
    if active is not None:
        qs = qs.filter(withdrawn_at__isnull=active)
    return qs
