"""Points that follow the orders, and points that run out — without anyone clicking.

* ``credit_orders``: every order of a member, in the programme's currency, placed since
  the account was opened and paid for (paid, shipped or completed), earns its points
  once (``actions.earn_for_order``); an order that earned and was then returned or
  cancelled has its points taken back once (an ``adjust`` entry naming the order — at
  most what the balance still holds, since points already spent cannot be unspent).
  Called for the party when an order is stored through ``commerce.actions`` (the app and
  the API), and by the ``loyalty-points`` schedule for everything else (imports): an
  order imported twice earns once (a unique index on the ledger backs that up).
* ``expire_points``: in a programme whose points are valid ``points_valid_days``, the
  points earned before that many days ago and not yet spent (spending takes the oldest
  points first) expire, in one ``expire`` entry per account; run daily by the
  ``loyalty-expiry`` schedule. Running it twice expires nothing more.

Every entry goes through ``actions._post``: the balance always equals the sum of the
ledger and never goes below zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from clientela.crm.commerce.models import Order
from clientela.crm.loyalty import actions
from clientela.crm.loyalty.models import EntryKind, LoyaltyAccount, PointsEntry

EARNING_STATUSES = ("paid", "shipped", "completed")
TAKEN_BACK_STATUSES = ("returned", "cancelled")


def _accounts(party_ids: Iterable[int] | None) -> Any:
    accounts = LoyaltyAccount.objects.filter(programme__is_active=True).select_related("programme")
    if party_ids is not None:
        accounts = accounts.filter(party_id__in=list(party_ids))
    return accounts


def credit_orders(actor: Any, *, party_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Earn for the members' new orders and take back returned ones; counts of each."""
    counts = {"earned": 0, "taken_back": 0}
    for account in _accounts(party_ids).iterator():
        mine = Order.objects.filter(party_id=account.party_id, currency=account.programme.currency,
                                    ordered_at__gte=account.opened_at)
        earned = PointsEntry.objects.filter(account=account, order=OuterRef("pk"), kind=EntryKind.EARN)
        taken = PointsEntry.objects.filter(account=account, order=OuterRef("pk"), kind=EntryKind.ADJUST,
                                           points__lt=0)
        for order in mine.filter(status__in=EARNING_STATUSES).exclude(Exists(earned)).order_by("ordered_at", "id"):
            try:
                if actions.earn_for_order(actor, account, order) is not None:
                    counts["earned"] += 1
            except (IntegrityError, actions.LoyaltyError):
                continue  # another sweep got there first
        back = (mine.filter(status__in=TAKEN_BACK_STATUSES).filter(Exists(earned)).exclude(Exists(taken))
                .order_by("ordered_at", "id"))
        for order in back:
            if _take_back(actor, account, order):
                counts["taken_back"] += 1
    return counts


def _take_back(actor: Any, account: LoyaltyAccount, order: Order) -> bool:
    try:
        return actions.take_back_for_order(actor, account, order) is not None
    except (IntegrityError, actions.LoyaltyError):
        return False  # another sweep got there first


def expire_points(actor: Any, now: datetime | None = None) -> dict[str, int]:
    """Expire the unspent points older than each programme's validity; counts."""
    now = now or timezone.now()
    counts = {"accounts": 0, "points": 0}
    accounts = _accounts(None).filter(programme__points_valid_days__gt=0, balance__gt=0)
    for account in accounts.iterator():
        cutoff = now - timedelta(days=account.programme.points_valid_days)
        entries = PointsEntry.objects.filter(account=account)
        old_in = entries.filter(points__gt=0, occurred_at__lt=cutoff).aggregate(s=Sum("points"))["s"] or 0
        out = -(entries.filter(points__lt=0).aggregate(s=Sum("points"))["s"] or 0)
        due = min(int(old_in) - int(out), account.balance)
        if due <= 0:
            continue
        with transaction.atomic():
            locked = LoyaltyAccount.objects.select_for_update().get(pk=account.pk)
            if locked.balance < due:
                due = locked.balance
            if due <= 0:
                continue
            actions.expire(actor, locked, due, reason=f"points earned before {cutoff:%Y-%m-%d}", at=now)
        counts["accounts"] += 1
        counts["points"] += due
    return counts


def credit_all(actor: Any, now: datetime | None = None) -> dict[str, int]:
    """The ``loyalty-points`` schedule: ``credit_orders`` for every member."""
    return credit_orders(actor)

