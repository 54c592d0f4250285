"""Every write to the loyalty programme. Each function owns its transaction, takes the
acting user first (``None`` for the system: the nightly expiry, an import) and writes its
audit entry.

Ledger writes follow one pattern (``_post``): lock the account row
(``SELECT … FOR UPDATE``), compute the new balance, refuse with ``LoyaltyError``
before writing anything if it would be negative, then insert the entry and
store the new running balance. Concurrent redeems therefore serialise on the
account, and the ``balance >= 0`` check constraints are the last line of defence.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from clientela.crm.accounts.models import User
from clientela.crm.audit.actions import audit_create, audit_delete
from clientela.crm.commerce.models import Order
from clientela.crm.errors import InvalidInput
from clientela.crm.loyalty.models import (
    EntryKind,
    LoyaltyAccount,
    PointsEntry,
    Programme,
    Redemption,
    Referral,
    Tier,
    TierBasis,
)
from clientela.crm.parties.models import Party
from clientela.crm.record_writes import save_audited

MAX_POINTS = 1_000_000_000


class LoyaltyError(InvalidInput):
    """A loyalty write was refused and nothing was written; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: message})
        self.field = field


def _points(value: Any, field: str = "points") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LoyaltyError(field, "must be a whole number")
    if value <= 0:
        raise LoyaltyError(field, "must be positive")
    if value > MAX_POINTS:
        raise LoyaltyError(field, "too large")
    return value


def _refuse_unknown(changes: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise LoyaltyError(sorted(unknown)[0], "cannot be changed")


def _name(value: Any) -> str:
    name = str(value).strip()
    if not name:
        raise LoyaltyError("name", "must not be empty")
    return name


def _non_negative(value: Any, field: str) -> Decimal:
    """``value`` as a finite decimal of zero or more, or ``LoyaltyError`` naming ``field``."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise LoyaltyError(field, "must be a number") from None
    if not number.is_finite() or number < 0:
        raise LoyaltyError(field, "must be zero or more")
    return number


@transaction.atomic
def create_programme(
    actor: User | None,
    *,
    name: str,
    currency: str = "PLN",
    points_per_unit: Decimal | str | int = Decimal("1"),
    tier_basis: str = TierBasis.POINTS,
    referral_points: int = 0,
    points_valid_days: int = 0,
) -> Programme:
    name = _name(name)
    if Programme.objects.filter(name=name).exists():
        raise LoyaltyError("name", "a programme with this name exists")
    rate = _non_negative(points_per_unit, "points_per_unit")
    if tier_basis not in TierBasis.values:
        raise LoyaltyError("tier_basis", f"must be one of {', '.join(TierBasis.values)}")
    if referral_points < 0:
        raise LoyaltyError("referral_points", "must be zero or more")
    if points_valid_days < 0:
        raise LoyaltyError("points_valid_days", "must be zero or more")
    programme = Programme.objects.create(
        name=name,
        currency=currency.upper(),
        points_per_unit=rate,
        tier_basis=tier_basis,
        referral_points=referral_points,
        points_valid_days=points_valid_days,
    )
    audit_create(actor, programme, PROGRAMME_FIELDS)
    return programme


PROGRAMME_FIELDS = ["name", "currency", "points_per_unit", "tier_basis", "referral_points", "points_valid_days",
                    "is_active"]


@transaction.atomic
def update_programme(actor: User | None, programme: Programme, **changes: Any) -> Programme:
    """Change a programme's earn rule, referral reward, validity, name or whether it is
    active; its currency and tier basis stay (balances and tiers were counted in them)."""
    allowed = {"name", "points_per_unit", "referral_points", "points_valid_days", "is_active"}
    _refuse_unknown(changes, allowed)
    if "name" in changes:
        changes["name"] = _name(changes["name"])
        if Programme.objects.filter(name=changes["name"]).exclude(pk=programme.pk).exists():
            raise LoyaltyError("name", "a programme with this name exists")
    if "points_per_unit" in changes:
        changes["points_per_unit"] = _non_negative(changes["points_per_unit"], "points_per_unit")
    for field in ("referral_points", "points_valid_days"):
        if field in changes and int(changes[field]) < 0:
            raise LoyaltyError(field, "must be zero or more")
    return save_audited(actor, programme, changes, PROGRAMME_FIELDS)


@transaction.atomic
def add_tier(
    actor: User | None, programme: Programme, *, name: str, threshold: Decimal | int, benefits: str = ""
) -> Tier:
    name = _name(name)
    threshold = _non_negative(threshold, "threshold")
    if programme.tiers.filter(name=name).exists():
        raise LoyaltyError("name", "the programme has a tier with this name")
    if programme.tiers.filter(threshold=threshold).exists():
        raise LoyaltyError("threshold", "the programme has a tier at this threshold")
    tier = Tier.objects.create(programme=programme, name=name, threshold=threshold, benefits=benefits)
    audit_create(actor, tier, TIER_FIELDS)
    return tier


TIER_FIELDS = ["programme_id", "name", "threshold", "benefits"]


@transaction.atomic
def delete_programme(actor: User | None, programme: Programme) -> None:
    """Delete a programme nobody has joined (its tiers go with it); one with members is
    refused: deactivate it instead (their ledgers are the record of their points)."""
    if programme.accounts.exists():
        raise LoyaltyError("programme", "has members; deactivate it instead")
    audit_delete(actor, programme, PROGRAMME_FIELDS)
    programme.delete()


@transaction.atomic
def update_tier(actor: User | None, tier: Tier, **changes: Any) -> Tier:
    """Rename a tier, move its threshold or change its benefits (its programme stays)."""
    _refuse_unknown(changes, {"name", "threshold", "benefits"})
    if "name" in changes:
        changes["name"] = _name(changes["name"])
        if Tier.objects.filter(programme_id=tier.programme_id, name=changes["name"]).exclude(pk=tier.pk).exists():
            raise LoyaltyError("name", "the programme has a tier with this name")
    if "threshold" in changes:
        changes["threshold"] = _non_negative(changes["threshold"], "threshold")
        if (Tier.objects.filter(programme_id=tier.programme_id, threshold=changes["threshold"])
                .exclude(pk=tier.pk).exists()):
            raise LoyaltyError("threshold", "the programme has a tier at this threshold")
    return save_audited(actor, tier, changes, TIER_FIELDS)


@transaction.atomic
def delete_tier(actor: User | None, tier: Tier) -> None:
    """Remove a tier: members' tiers are computed from the thresholds left, nothing else changes."""
    audit_delete(actor, tier, TIER_FIELDS)
    tier.delete()


@transaction.atomic
def open_account(actor: User | None, party: Party, programme: Programme) -> LoyaltyAccount:
    """The party's account in the programme, created (and audited) when missing."""
    account, created = LoyaltyAccount.objects.get_or_create(party=party, programme=programme)
    if created:
        audit_create(actor, account, ["party_id", "programme_id"])
    return account


def _post(
    account: LoyaltyAccount,
    *,
    kind: str,
    points: int,
    reason: str = "",
    at: datetime | None = None,
    order: Order | None = None,
    actor: User | None = None,
    spend: Decimal = Decimal("0"),
) -> PointsEntry:
    """Append one entry under a row lock on the account. Call inside a transaction."""
    locked = LoyaltyAccount.objects.select_for_update().get(pk=account.pk)
    new_balance = locked.balance + points
    if new_balance < 0:
        raise LoyaltyError(
            "points", f"the account holds {locked.balance} points; {-points} cannot be taken"
        )
    entry = PointsEntry.objects.create(
        account=locked,
        kind=kind,
        points=points,
        balance_after=new_balance,
        occurred_at=at or timezone.now(),
        reason=reason[:300],
        order=order,
        created_by=actor,
    )
    locked.balance = new_balance
    if kind == EntryKind.EARN:
        locked.lifetime_points += points
    locked.lifetime_spend += spend
    locked.save(update_fields=["balance", "lifetime_points", "lifetime_spend"])
    account.balance = locked.balance
    account.lifetime_points = locked.lifetime_points
    account.lifetime_spend = locked.lifetime_spend
    audit_create(actor, entry, ["account_id", "kind", "points", "balance_after", "reason"])
    return entry


@transaction.atomic
def earn(
    actor: User | None,
    account: LoyaltyAccount,
    points: int,
    *,
    reason: str = "",
    at: datetime | None = None,
) -> PointsEntry:
    """Credit points (a bonus, a campaign gift)."""
    return _post(account, kind=EntryKind.EARN, points=_points(points), reason=reason, actor=actor, at=at)


def points_for(programme: Programme, amount: Decimal) -> int:
    """Points the earn rule gives for ``amount``: amount × rate, rounded down."""
    return int((amount * programme.points_per_unit).to_integral_value(rounding=ROUND_FLOOR))


@transaction.atomic
def earn_for_order(actor: User | None, account: LoyaltyAccount, order: Order) -> PointsEntry | None:
    """Credit the points an order earns under the programme's rule, once per order.

    The order must be in the programme's currency; an order earning 0 points
    adds to lifetime spend only through later orders (no zero entries).
    """
    programme = account.programme
    if order.party_id != account.party_id:
        raise LoyaltyError("order", "belongs to another party")
    if order.currency != programme.currency:
        raise LoyaltyError("order", f"is in {order.currency}, the programme counts {programme.currency}")
    if PointsEntry.objects.filter(account=account, order=order).exists():
        raise LoyaltyError("order", "has already earned points")
    points = points_for(programme, order.total_amount)
    if points <= 0:
        return None
    return _post(
        account,
        kind=EntryKind.EARN,
        points=points,
        reason=f"order {order.ref}",
        order=order,
        actor=actor,
        at=order.ordered_at,
        spend=order.total_amount,
    )


@transaction.atomic
def take_back_for_order(actor: User | None, account: LoyaltyAccount, order: Order) -> PointsEntry | None:
    """Take back, once, the points a returned or cancelled order earned — at most what the
    balance still holds (points already spent cannot be unspent); None when it holds none."""
    earned = PointsEntry.objects.filter(account=account, order=order, kind=EntryKind.EARN).first()
    if earned is None:
        raise LoyaltyError("order", "earned no points")
    if PointsEntry.objects.filter(account=account, order=order, kind=EntryKind.ADJUST, points__lt=0).exists():
        raise LoyaltyError("order", "its points were taken back already")
    balance = LoyaltyAccount.objects.select_for_update().get(pk=account.pk).balance
    points = min(earned.points, balance)
    if points <= 0:
        return None
    return _post(account, kind=EntryKind.ADJUST, points=-points, reason=f"order {order.ref} {order.status}",
                 order=order, actor=actor)


@transaction.atomic
def redeem(
    actor: User | None,
    account: LoyaltyAccount,
    points: int,
    *,
    reward: str,
    at: datetime | None = None,
) -> Redemption:
    """Spend points on a reward; refused when the balance is short."""
    points = _points(points)
    if not reward.strip():
        raise LoyaltyError("reward", "must not be empty")
    entry = _post(account, kind=EntryKind.REDEEM, points=-points, reason=reward, actor=actor, at=at)
    return Redemption.objects.create(
        account_id=account.pk, reward=reward.strip(), points=points, entry=entry,
        redeemed_at=entry.occurred_at,
    )


@transaction.atomic
def expire(
    actor: User | None, account: LoyaltyAccount, points: int, *, reason: str = "expiry",
    at: datetime | None = None,
) -> PointsEntry:
    """Remove points that have run out; refused when the balance is short."""
    return _post(account, kind=EntryKind.EXPIRE, points=-_points(points), reason=reason, actor=actor, at=at)


@transaction.atomic
def adjust(actor: User | None, account: LoyaltyAccount, points: int, *, reason: str) -> PointsEntry:
    """Correct the balance by ``points`` (either sign); needs a reason."""
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise LoyaltyError("points", "must be a non-zero whole number")
    if abs(points) > MAX_POINTS:
        raise LoyaltyError("points", "too large")
    if not reason.strip():
        raise LoyaltyError("reason", "an adjustment needs a reason")
    return _post(account, kind=EntryKind.ADJUST, points=points, reason=reason.strip(), actor=actor)


@transaction.atomic
def post_entry(
    actor: User | None, account: LoyaltyAccount, *, kind: str, points: int, reason: str = "", reward: str = ""
) -> PointsEntry:
    """One ledger entry of any kind, as the API posts it: ``earn``, ``redeem`` (``reward``,
    else the reason, names what was bought), ``expire`` or ``adjust``. The kind gives the
    direction, so only an adjustment takes a negative number of points."""
    if kind != EntryKind.ADJUST and (isinstance(points, bool) or not isinstance(points, int) or points <= 0):
        raise LoyaltyError("points", "must be positive (the kind gives the direction)")
    if kind == EntryKind.EARN:
        return earn(actor, account, points, reason=reason)
    if kind == EntryKind.REDEEM:
        return redeem(actor, account, points, reward=reward or reason).entry
    if kind == EntryKind.EXPIRE:
        return expire(actor, account, points, reason=reason or "expiry")
    if kind == EntryKind.ADJUST:
        return adjust(actor, account, points, reason=reason)
    raise LoyaltyError("kind", f"must be one of {', '.join(EntryKind.values)}")


@transaction.atomic
def record_referral(
    actor: User | None,
    programme: Programme,
    *,
    referrer: Party,
    referred: Party,
    at: datetime | None = None,
) -> Referral:
    """Record that ``referrer`` brought ``referred`` in, and credit the programme's
    referral points to the referrer's account."""
    if referrer.pk == referred.pk:
        raise LoyaltyError("referred", "a party cannot refer itself")
    if Referral.objects.filter(programme=programme, referred=referred).exists():
        raise LoyaltyError("referred", "this party's referral is already recorded")
    at = at or timezone.now()
    entry = None
    if programme.referral_points > 0:
        account = open_account(actor, referrer, programme)
        entry = _post(
            account, kind=EntryKind.EARN, points=programme.referral_points,
            reason=f"referral of party {referred.pk}", actor=actor, at=at,
        )
    referral = Referral.objects.create(
        programme=programme,
        referrer=referrer,
        referred=referred,
        rewarded_points=programme.referral_points,
        entry=entry,
        created_at=at,
    )
    audit_create(actor, referral, ["programme_id", "referrer_id", "referred_id", "rewarded_points"])
    return referral
