"""The demo company's planted truth, kept so later analytics can be measured against it.

Three tables, all prefixed ``demo_truth_``:

* ``DemoFact`` — one JSON value per key: the seed, the window, the true generating
  parameters of the purchase process, channel costs, the definition of net
  contribution, realised concentration figures.
* ``PlantedTrait`` — one row per (party, trait): which parties were planted as what
  (see :class:`Trait`), with the figures behind it in ``detail``.
* ``CustomerTruth`` — one row per customer: the purchase rate and dropout probability
  it was simulated with, whether it was still alive at the end of the window, and its
  realised revenue, cost to serve and net contribution in the base currency.
"""

from __future__ import annotations

from django.db import models


class Trait(models.TextChoices):
    TOP_CUSTOMER = "top_customer", "Top customer (planted high value)"
    HEAVY_DISCOUNTER = "heavy_discounter", "Heavy discounter"
    HEAVY_RETURNER = "heavy_returner", "Heavy returner"
    HIGH_COST_TO_SERVE = "high_cost_to_serve", "High cost to serve"
    LOSS_MAKER = "loss_maker", "Loss-maker (negative net contribution)"
    PROMOTER = "promoter", "Promoter who refers friends"
    REFERRED = "referred", "Referred by a promoter"
    PROSPECT = "prospect", "Prospect who never bought"
    PARTNER = "partner", "Partner organisation"
    SUPPLIER = "supplier", "Supplier organisation"
    INTERNAL = "internal", "Internal stakeholder"


class DemoFact(models.Model):
    key = models.CharField(max_length=64, unique=True)
    value = models.JSONField()

    class Meta:
        db_table = "demo_truth_fact"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class PlantedTrait(models.Model):
    party = models.ForeignKey(
        "parties.Party", on_delete=models.CASCADE, related_name="demo_traits"
    )
    trait = models.CharField(max_length=24, choices=Trait.choices)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "demo_truth_trait"
        ordering = ["trait", "party"]
        constraints = [
            models.UniqueConstraint(fields=["party", "trait"], name="demo_trait_unique"),
        ]
        indexes = [models.Index(fields=["trait"])]

    def __str__(self) -> str:
        return f"{self.party_id}:{self.trait}"


class CustomerTruth(models.Model):
    party = models.OneToOneField(
        "parties.Party", on_delete=models.CASCADE, related_name="demo_truth"
    )
    purchase_rate_per_day = models.FloatField(help_text="Poisson rate while alive (lambda)")
    dropout_probability = models.FloatField(help_text="Chance of dying after each repeat purchase (p)")
    alive_at_end = models.BooleanField()
    dropped_out_at = models.DateTimeField(null=True, blank=True)
    mean_order_value = models.FloatField(help_text="Customer's mean basket before discounts, PLN")
    orders = models.PositiveIntegerField(help_text="All orders, any status")
    revenue = models.DecimalField(max_digits=14, decimal_places=2, help_text="Kept orders, PLN")
    cost_of_goods = models.DecimalField(max_digits=14, decimal_places=2)
    cost_to_serve = models.DecimalField(max_digits=14, decimal_places=2)
    net_contribution = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        db_table = "demo_truth_customer"
        ordering = ["party"]

    def __str__(self) -> str:
        return f"truth:{self.party_id}"
