"""A content hash of the company's data, to prove a build is reproducible.

Rows are read in an order given by their business keys (refs, names, times), never by
database ids, and values are normalised (decimals without trailing zeros, datetimes in
UTC ISO form), so the same data gives the same digest on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from clientela.crm.commerce.models import ExchangeRate, Order, OrderLine, Product
from clientela.crm.engagement.models import Campaign, CampaignMember, Interaction
from clientela.crm.feedback.models import Survey, SurveyResponse
from clientela.crm.parties.models import Consent, ContactPerson, Party
from clientela.crm.sales.models import Deal, DealStageChange
from clientela.crm.service.models import Case
from clientela.demo.models import CustomerTruth, DemoFact, PlantedTrait


def _norm(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


def _feed(digest: Any, name: str, rows: Iterable[tuple[Any, ...]]) -> None:
    digest.update(name.encode())
    for row in rows:
        digest.update(repr(tuple(_norm(v) for v in row)).encode())


TABLES: dict[str, tuple[Any, tuple[str, ...], tuple[str, ...]]] = {
    # name: (model, columns, ordering)
    "party": (Party, ("ref", "kind", "name", "email", "phone", "country", "city", "language",
                      "preferred_channel", "is_customer", "is_prospect", "is_supplier", "is_partner",
                      "is_internal", "owner__username", "team__name", "acquired_at",
                      "acquisition_channel", "acquisition_campaign__name", "referred_by__ref"), ("ref",)),
    "contact": (ContactPerson, ("organisation__ref", "name", "job_title", "email", "phone", "is_primary"),
                ("organisation__ref", "name", "email")),
    "consent": (Consent, ("party__ref", "purpose", "channel", "lawful_basis", "source", "given_at",
                          "withdrawn_at", "recorded_by__username"), ("party__ref", "purpose", "channel")),
    "product": (Product, ("sku", "name", "category", "list_price", "unit_cost", "currency"), ("sku",)),
    "rate": (ExchangeRate, ("date", "currency", "rate"), ("date", "currency")),
    "order": (Order, ("ref", "party__ref", "ordered_at", "channel", "currency", "status",
                      "total_amount", "total_cost"), ("ref",)),
    "line": (OrderLine, ("order__ref", "line_no", "product__sku", "quantity", "unit_price", "discount",
                         "unit_cost"), ("order__ref", "line_no")),
    "interaction": (Interaction, ("party__ref", "occurred_at", "channel", "direction", "subject",
                                  "user__username", "cost", "notes"),
                    ("party__ref", "occurred_at", "channel", "direction", "subject", "user__username")),
    "campaign": (Campaign, ("name", "kind", "channel", "budget", "spend", "starts_on", "ends_on"),
                 ("name", "starts_on")),
    "member": (CampaignMember, ("campaign__name", "party__ref", "sent_at", "responded_at",
                                "converting_order__ref"), ("campaign__name", "party__ref")),
    "trait": (PlantedTrait, ("party__ref", "trait", "detail"), ("party__ref", "trait")),
    "truth": (CustomerTruth, ("party__ref", "purchase_rate_per_day", "dropout_probability",
                              "alive_at_end", "revenue", "net_contribution"), ("party__ref",)),
    "fact": (DemoFact, ("key", "value"), ("key",)),
    "survey": (Survey, ("name", "kind", "question", "created_at"), ("name",)),
    "response": (SurveyResponse, ("survey__name", "party__ref", "answered_at", "kind", "score", "comment"),
                 ("party__ref", "answered_at", "survey__name", "score", "comment")),
    "case": (Case, ("party__ref", "opened_at", "subject", "priority", "status", "sla_due_at", "resolved_at",
                    "closed_at", "resolution", "owner__username", "team__name"),
             ("party__ref", "opened_at", "subject", "priority", "status", "resolved_at")),
    "deal": (Deal, ("pipeline__name", "party__ref", "created_at", "name", "stage__name", "amount", "status",
                    "close_reason", "closed_at", "expected_close", "owner__username"),
             ("party__ref", "created_at", "name", "amount", "stage__name")),
    "stage_change": (DealStageChange, ("deal__party__ref", "deal__created_at", "deal__name", "deal__amount",
                                       "to_stage__name", "changed_at"),
                     ("deal__party__ref", "deal__created_at", "deal__name", "deal__amount", "changed_at",
                      "to_stage__order")),
}


def content_digest() -> str:
    """SHA-256 over every demo table's rows in business-key order."""
    digest = hashlib.sha256()
    for name, (model, columns, ordering) in TABLES.items():
        rows = model._default_manager.order_by(*ordering).values_list(*columns)
        _feed(digest, name, rows.iterator(chunk_size=5000))
    return digest.hexdigest()
