"""GDPR: the deals held about a party, with their notes and products (export), and their
free text (erase)."""

from __future__ import annotations

from typing import Any

from clientela.crm.sales.models import Deal, DealNote

ERASED = "[erased]"


def export(party: Any) -> list[dict[str, Any]]:
    return [
        {"id": d.pk, "name": d.name, "pipeline": d.pipeline.name, "stage": d.stage.name,
         "amount": str(d.amount), "currency": d.currency, "status": d.status,
         "close_reason": d.close_reason, "expected_close": d.expected_close and d.expected_close.isoformat(),
         "closed_at": d.closed_at and d.closed_at.isoformat(), "created_at": d.created_at.isoformat(),
         "products": [{"sku": line.product.sku, "quantity": line.quantity, "unit_price": str(line.unit_price)}
                      for line in d.lines.all()],
         "notes": [{"body": n.body, "created_at": n.created_at.isoformat()} for n in d.notes.all()]}
        for d in Deal.objects.filter(party=party).select_related("pipeline", "stage")
        .prefetch_related("lines__product", "notes")
    ]


def erase(party: Any, actor: Any) -> int:
    """Blank the deal names, close reasons and notes (they may name the person); amounts
    and products stay."""
    DealNote.objects.filter(deal__party=party).update(body=ERASED)
    return Deal.objects.filter(party=party).update(name=ERASED, close_reason="")
