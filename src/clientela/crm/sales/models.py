"""Sales pipelines with configurable stages, deals and their stage history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class Pipeline(models.Model):
    """A sequence of stages a deal moves through; a company may run several."""

    name = models.CharField(max_length=120, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """One step of a pipeline. ``win_probability`` is a share in [0, 1].

    Won and lost stages close a deal; a stage cannot be both.
    """

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField()
    win_probability = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0"))
    is_won = models.BooleanField(default=False)
    is_lost = models.BooleanField(default=False)

    class Meta:
        ordering = ["pipeline", "order"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "order"], name="stage_unique_order"),
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name"),
            models.CheckConstraint(
                condition=Q(win_probability__gte=0) & Q(win_probability__lte=1),
                name="stage_probability_0_1",
            ),
            models.CheckConstraint(
                condition=~(Q(is_won=True) & Q(is_lost=True)), name="stage_not_won_and_lost"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pipeline_id}/{self.order} {self.name}"

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class DealStatus(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class Deal(models.Model):
    """A sales opportunity with one party. Closed deals carry ``closed_at``."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="deals")
    name = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="PLN")
    expected_close = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_deals",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    status = models.CharField(max_length=4, choices=DealStatus.choices, default=DealStatus.OPEN)
    close_reason = models.CharField(max_length=300, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic concurrency counter")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["pipeline", "status"]),
            models.Index(fields=["owner"]),
            models.Index(fields=["team"]),
            models.Index(fields=["expected_close"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_nonneg"),
            models.CheckConstraint(condition=Q(version__gte=1), name="deal_version_positive"),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_at__isnull=True))
                | (Q(status__in=["won", "lost"]) & Q(closed_at__isnull=False)),
                name="deal_closed_at_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DealStageChange(models.Model):
    """A deal entered ``to_stage`` at ``changed_at`` (the first row is its creation)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="entries")
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["deal", "changed_at", "id"]
        indexes = [models.Index(fields=["deal", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} -> {self.to_stage_id}"


class DealLine(models.Model):
    """A product offered in a deal: what the deal is about, with its quantity and price.

    The lines describe the offer; the deal's ``amount`` stays the figure its owner
    forecasts (a discount, a service fee or a multi-year term make the two differ), and
    the deal page shows both.
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("commerce.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deal", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="deal_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="deal_line_price_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.quantity} × {self.product_id}"

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


class DealNote(models.Model):
    """A note written on a deal (free text, shown as text, erased with the party's data)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["deal", "-created_at", "-id"]
        indexes = [models.Index(fields=["deal", "created_at"])]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.body[:40]}"
