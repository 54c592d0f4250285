"""GDPR: the deals held about a party (export) and their free text (erase)."""

from __future__ import annotations

from typing import Any

from clientela.crm.sales.models import Deal

ERASED = "[erased]"


def export(party: Any) -> list[dict[str, Any]]:
    return [
        {"id": d.pk, "name": d.name, "pipeline": d.pipeline.name, "stage": d.stage.name,
         "amount": str(d.amount), "currency": d.currency, "status": d.status,
         "close_reason": d.close_reason, "expected_close": d.expected_close and d.expected_close.isoformat(),
         "closed_at": d.closed_at and d.closed_at.isoformat(), "created_at": d.created_at.isoformat()}
        for d in Deal.objects.filter(party=party).select_related("pipeline", "stage")
    ]


def erase(party: Any, actor: Any) -> int:
    """Blank the deal names and close reasons (they may name the person); amounts stay."""
    return Deal.objects.filter(party=party).update(name=ERASED, close_reason="")
