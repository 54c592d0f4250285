"""/loyalty-accounts and their append-only ledger (the programmes: ``loyalty_config``)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from clientela.api.conditional import representation_etag
from clientela.api.fields import MAX_ID, PathId, Text
from clientela.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of
from clientela.api.responses import answers, created, with_etag
from clientela.api.schemas.operations import (
    AccountCreate,
    AccountOut,
    EntryCreate,
    EntryKindValue,
    EntryOut,
)
from clientela.crm.accounts.permissions import require
from clientela.crm.errors import InvalidInput
from clientela.crm.loyalty import access, actions, queries
from clientela.crm.loyalty.models import LoyaltyAccount, PointsEntry
from clientela.crm.parties.access import access_party_for_child
from clientela.crm.query_filters import filter_given

router = Router(tags=["loyalty"])




def _account_out(a: LoyaltyAccount) -> AccountOut:
    tier = queries.current_tier(a)
    return AccountOut(id=a.pk, party_id=a.party_id, programme_id=a.programme_id, balance=a.balance,
                      lifetime_points=a.lifetime_points, lifetime_spend=a.lifetime_spend,
                      tier=tier.name if tier else None, opened_at=a.opened_at)


def _entry_out(e: PointsEntry) -> EntryOut:
    return EntryOut(id=e.pk, account_id=e.account_id, kind=e.kind, points=e.points,
                    balance_after=e.balance_after, occurred_at=e.occurred_at, reason=e.reason,
                    order_id=e.order_id)


@router.get("/loyalty-accounts", response=answers(200, Page[AccountOut]))
def list_accounts(
    request: HttpRequest,
    party_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    programme_id: int | None = Query(None, ge=1, le=MAX_ID),  # noqa: B008
    ordering: Literal["opened_at", "-opened_at", "balance", "-balance"] = "-opened_at",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[AccountOut]:
    """Loyalty accounts of the parties you may see, with balance and tier."""
    require(request.auth, "loyalty_account")
    qs = access.visible_accounts(request.auth).select_related("programme").prefetch_related("programme__tiers")
    qs = filter_given(qs, party_id=party_id, programme_id=programme_id)
    return page_of(
        Page[AccountOut], qs, _account_out,
        ordering=ordering, allowed=("opened_at", "balance"), cursor=cursor, limit=limit,
    )


@router.post("/loyalty-accounts", response=answers(201, AccountOut))
def open_account(request: HttpRequest, response: HttpResponse, payload: AccountCreate) -> Status[AccountOut]:
    """Enrol a party you may see in an active programme (422 naming ``programme_id`` when there is none); a party enrolled already gets its existing account."""
    user = request.auth
    party = access_party_for_child(user, payload.party_id, entity="loyalty_account", op="create")
    programme = access.visible_programmes(user).filter(pk=payload.programme_id, is_active=True).first()
    if programme is None:
        raise InvalidInput({"programme_id": "no such active programme"})
    return created(response, _account_out(actions.open_account(request.auth, party, programme)), "/api/v1/loyalty-accounts")


@router.get("/loyalty-accounts/{account_id}", response=answers(200, AccountOut))
def get_account(request: HttpRequest, response: HttpResponse, account_id: PathId) -> AccountOut:
    """One loyalty account with its balance, tier and ``ETag``."""
    return with_etag(response, _account_out(access.access_account_by_id(request.auth, account_id)))


@router.get("/loyalty-accounts/{account_id}/entries", response=answers(200, Page[EntryOut]))
def list_entries(
    request: HttpRequest,
    account_id: PathId,
    kind: EntryKindValue | None = None,
    ordering: Literal["occurred_at", "-occurred_at"] = "-occurred_at",
    cursor: Text(1000) | None = None,  # type: ignore[valid-type]
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),  # noqa: B008
) -> Page[EntryOut]:
    """The points ledger of one account, newest first: earn, redeem, expire and adjust entries
    (append-only)."""
    account = access.access_account_by_id(request.auth, account_id)
    require(request.auth, "loyalty_entry")
    qs = PointsEntry.objects.filter(account=account)
    qs = filter_given(qs, kind=kind)
    return page_of(
        Page[EntryOut], qs, _entry_out,
        ordering=ordering, allowed=("occurred_at",), cursor=cursor, limit=limit,
    )


@router.post("/loyalty-accounts/{account_id}/entries", response=answers(201, EntryOut))
def post_entry(
    request: HttpRequest, response: HttpResponse, account_id: PathId, payload: EntryCreate
) -> Status[EntryOut]:
    """Earn, redeem, expire or adjust. A redeem or expire beyond the balance answers 422."""
    user = request.auth
    account = access.access_account_for_entry(user, account_id)
    entry = actions.post_entry(
        user, account, kind=payload.kind, points=payload.points, reason=payload.reason, reward=payload.reward or ""
    )
    out = _entry_out(entry)
    response["ETag"] = representation_etag(out)
    response["Location"] = f"/api/v1/loyalty-accounts/{account_id}/entries"
    return Status(201, out)
