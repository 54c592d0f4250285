"""Loyalty programme: earn rule, tiers, accounts, an append-only points ledger, referrals.

The balance lives twice, on purpose: ``LoyaltyAccount.balance`` (the running
balance, checked ``>= 0`` by the database) and the sum of the account's
``PointsEntry.points``. Every entry is written by ``loyalty.actions`` under a
row lock on the account, together with the new balance, so the two agree; each
entry also stores ``balance_after`` (``>= 0``), which makes the history
auditable line by line. Entries are never updated or deleted: a mistake is
corrected by an *adjust* entry.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NoReturn

from django.db import models
from django.db.models import Q


class TierBasis(models.TextChoices):
    POINTS = "points", "Lifetime points earned"
    SPEND = "spend", "Lifetime spend"


class Programme(models.Model):
    name = models.CharField(max_length=120, unique=True)
    currency = models.CharField(max_length=3, default="PLN")
    points_per_unit = models.DecimalField(
        max_digits=8, decimal_places=4, default=Decimal("1"),
        help_text="Points earned per unit of currency spent (rounded down)",
    )
    tier_basis = models.CharField(max_length=6, choices=TierBasis.choices, default=TierBasis.POINTS)
    referral_points = models.PositiveIntegerField(default=0, help_text="Points for the referrer")
    points_valid_days = models.PositiveIntegerField(
        default=0, help_text="Days after which earned points expire, oldest first (0: never)",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(points_per_unit__gte=0), name="programme_rate_nonneg"),
        ]

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    """A level reached when the basis (points or spend) is at least ``threshold``."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(max_length=60)
    threshold = models.DecimalField(max_digits=14, decimal_places=2)
    benefits = models.TextField(blank=True)

    class Meta:
        ordering = ["programme", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="tier_unique_name"),
            models.UniqueConstraint(fields=["programme", "threshold"], name="tier_unique_threshold"),
            models.CheckConstraint(condition=Q(threshold__gte=0), name="tier_threshold_nonneg"),
        ]

    def __str__(self) -> str:
        return self.name


class LoyaltyAccount(models.Model):
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="loyalty_accounts")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="accounts")
    balance = models.IntegerField(default=0)
    lifetime_points = models.IntegerField(default=0, help_text="Points ever earned")
    lifetime_spend = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "party"]
        constraints = [
            models.UniqueConstraint(fields=["party", "programme"], name="loyalty_account_unique"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="loyalty_balance_nonneg"),
            models.CheckConstraint(condition=Q(lifetime_points__gte=0), name="loyalty_lifetime_nonneg"),
            models.CheckConstraint(condition=Q(lifetime_spend__gte=0), name="loyalty_spend_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.party_id}"


class EntryKind(models.TextChoices):
    EARN = "earn", "Earn"
    REDEEM = "redeem", "Redeem"
    EXPIRE = "expire", "Expire"
    ADJUST = "adjust", "Adjust"


class AppendOnlyQuerySet(models.QuerySet["PointsEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("points entries are append-only: add an adjust entry instead")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise TypeError("points entries are append-only: add an adjust entry instead")


class PointsEntry(models.Model):
    """One line of the ledger. Earn is positive, redeem and expire negative, adjust either."""

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=6, choices=EntryKind.choices)
    points = models.IntegerField()
    balance_after = models.IntegerField()
    occurred_at = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    order = models.ForeignKey(
        "commerce.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["account", "id"]
        verbose_name_plural = "points entries"
        indexes = [models.Index(fields=["account", "occurred_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="entry_points_nonzero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="entry_balance_nonneg"),
            # An order earns once per account, and is taken back once (a return or a
            # cancellation after it earned): loyalty.earning's sweeps may run twice at once.
            models.UniqueConstraint(fields=["account", "order"], condition=Q(kind="earn"),
                                    name="entry_order_earns_once"),
            models.UniqueConstraint(fields=["account", "order"], condition=Q(kind="adjust", points__lt=0),
                                    name="entry_order_taken_back_once"),
            models.CheckConstraint(
                condition=Q(kind="earn", points__gt=0)
                | Q(kind__in=["redeem", "expire"], points__lt=0)
                | Q(kind="adjust"),
                name="entry_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("points entries are append-only: add an adjust entry instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise TypeError("points entries are append-only: add an adjust entry instead")


class Redemption(models.Model):
    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="redemptions")
    reward = models.CharField(max_length=200)
    points = models.PositiveIntegerField()
    entry = models.OneToOneField(PointsEntry, on_delete=models.PROTECT, related_name="redemption")
    redeemed_at = models.DateTimeField()

    class Meta:
        ordering = ["-redeemed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="redemption_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reward} ({self.points})"


class Referral(models.Model):
    """A party brought another one in; the referrer may be rewarded with points."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="referrals")
    referrer = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="+")
    referred = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="+")
    rewarded_points = models.PositiveIntegerField(default=0)
    entry = models.OneToOneField(
        PointsEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="referral"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "referred"], name="referral_once_per_party"),
            models.CheckConstraint(
                condition=~Q(referrer=models.F("referred")), name="referral_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referrer_id} -> {self.referred_id}"
