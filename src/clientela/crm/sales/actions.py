"""Every write to pipelines, stages and deals. Each function owns its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from clientela.crm.accounts.models import Team, User
from clientela.crm.accounts.queries import owner_and_team
from clientela.crm.audit.actions import audit_change, audit_create, audit_delete, record_change
from clientela.crm.commerce.models import Product
from clientela.crm.errors import Conflict, InvalidInput, StaleRecord
from clientela.crm.parties.models import Party
from clientela.crm.record_writes import save_versioned
from clientela.crm.sales.models import (
    Deal,
    DealLine,
    DealNote,
    DealStageChange,
    DealStatus,
    Pipeline,
    Stage,
)
from clientela.crm.webhooks.events import emit


class SalesError(InvalidInput):
    """A sales write was refused; the message starts with the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: message})
        self.field = field


@dataclass(frozen=True)
class StageSpec:
    name: str
    win_probability: Decimal
    is_won: bool = False
    is_lost: bool = False


def _probability(value: Any, field: str = "win_probability") -> Decimal:
    try:
        p = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise SalesError(field, f"{value!r} is not a number") from exc
    if not p.is_finite() or p < 0 or p > 1:
        raise SalesError(field, "must be between 0 and 1")
    return p


def _money(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise SalesError(field, f"{value!r} is not a decimal amount") from exc
    if not amount.is_finite() or amount < 0:
        raise SalesError(field, "must be a non-negative amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise SalesError(field, "at most two decimal places")
    if amount >= Decimal("1e12"):
        raise SalesError(field, "too large")
    return amount


def _currency(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise SalesError("currency", "must be a three-letter ISO 4217 code")
    return code


@transaction.atomic
def create_pipeline(actor: User | None, name: str, stages: Iterable[StageSpec]) -> Pipeline:
    """Create a pipeline with its stages in the given order (order numbers 1, 2, …)."""
    name = name.strip()
    if not name:
        raise SalesError("name", "must not be empty")
    if Pipeline.objects.filter(name=name).exists():
        raise SalesError("name", f"a pipeline named {name!r} already exists")
    specs = list(stages)
    if not specs:
        raise SalesError("stages", "a pipeline needs at least one stage")
    names = [s.name.strip() for s in specs]
    if len(set(names)) != len(names) or not all(names):
        raise SalesError("stages", "stage names must be non-empty and distinct")
    pipeline = Pipeline.objects.create(name=name)
    audit_create(actor, pipeline, ["name"])
    for order, spec in enumerate(specs, start=1):
        _check_stage_flags(spec.is_won, spec.is_lost)
        stage = Stage.objects.create(
            pipeline=pipeline,
            name=spec.name.strip(),
            order=order,
            win_probability=_probability(spec.win_probability),
            is_won=spec.is_won,
            is_lost=spec.is_lost,
        )
        audit_create(actor, stage, STAGE_FIELDS)
    return pipeline


STAGE_FIELDS = ("pipeline_id", "name", "order", "win_probability", "is_won", "is_lost")


def _check_stage_flags(is_won: bool, is_lost: bool) -> None:
    if is_won and is_lost:
        raise SalesError("is_won", "a stage cannot be both won and lost")


@transaction.atomic
def add_stage(
    actor: User | None,
    pipeline: Pipeline,
    *,
    name: str,
    win_probability: Decimal,
    order: int | None = None,
    is_won: bool = False,
    is_lost: bool = False,
) -> Stage:
    """Add a stage; without ``order`` it goes last."""
    Pipeline.objects.select_for_update().get(pk=pipeline.pk)
    _check_stage_flags(is_won, is_lost)
    name = name.strip()
    if not name:
        raise SalesError("name", "must not be empty")
    if pipeline.stages.filter(name=name).exists():
        raise SalesError("name", f"the pipeline already has a stage named {name!r}")
    last = pipeline.stages.order_by("-order").values_list("order", flat=True).first() or 0
    if order is None:
        order = last + 1
    if order < 1:
        raise SalesError("order", "must be 1 or more")
    if pipeline.stages.filter(order=order).exists():
        raise SalesError("order", f"the pipeline already has a stage at position {order}")
    stage = Stage.objects.create(
        pipeline=pipeline,
        name=name,
        order=order,
        win_probability=_probability(win_probability),
        is_won=is_won,
        is_lost=is_lost,
    )
    audit_create(actor, stage, STAGE_FIELDS)
    return stage


@transaction.atomic
def update_stage(actor: User | None, stage: Stage, **changes: Any) -> Stage:
    """Rename a stage or change its probability or position."""
    stage = Stage.objects.select_for_update().get(pk=stage.pk)
    before = {f: getattr(stage, f) for f in STAGE_FIELDS}
    if "name" in changes:
        name = str(changes["name"]).strip()
        if not name:
            raise SalesError("name", "must not be empty")
        if Stage.objects.filter(pipeline_id=stage.pipeline_id, name=name).exclude(pk=stage.pk).exists():
            raise SalesError("name", f"the pipeline already has a stage named {name!r}")
        stage.name = name
    if "win_probability" in changes:
        stage.win_probability = _probability(changes["win_probability"])
    if "order" in changes:
        order = int(changes["order"])
        if order < 1:
            raise SalesError("order", "must be 1 or more")
        if Stage.objects.filter(pipeline_id=stage.pipeline_id, order=order).exclude(pk=stage.pk).exists():
            raise SalesError("order", f"the pipeline already has a stage at position {order}")
        stage.order = order
    stage.save()
    audit_change(actor, stage, before, {f: getattr(stage, f) for f in STAGE_FIELDS})
    return stage


@transaction.atomic
def delete_stage(actor: User | None, stage: Stage) -> None:
    """Delete a stage no deal has ever been in."""
    if stage.deals.exists() or stage.entries.exists():
        raise Conflict("deals have been in this stage; it cannot be deleted")
    audit_delete(actor, stage, STAGE_FIELDS)
    stage.delete()


def _first_open_stage(pipeline: Pipeline) -> Stage:
    stage = pipeline.stages.filter(is_won=False, is_lost=False).order_by("order").first()
    if stage is None:
        raise SalesError("pipeline", "the pipeline has no open stage")
    return stage


@transaction.atomic
def create_deal(
    actor: User | None,
    *,
    party: Party,
    name: str,
    pipeline: Pipeline,
    amount: Decimal | str | int = Decimal("0"),
    currency: str = "PLN",
    stage: Stage | None = None,
    expected_close: date | None = None,
    owner: User | None = None,
    team: Team | None = None,
    at: datetime | None = None,
) -> Deal:
    """Open a deal in ``stage`` (default: the pipeline's first open stage)."""
    name = name.strip()
    if not name:
        raise SalesError("name", "must not be empty")
    if stage is None:
        stage = _first_open_stage(pipeline)
    elif stage.pipeline_id != pipeline.pk:
        raise SalesError("stage", "belongs to another pipeline")
    if stage.is_closed:
        raise SalesError("stage", "a new deal starts in an open stage")
    at = at or timezone.now()
    deal = Deal.objects.create(
        pipeline=pipeline,
        stage=stage,
        party=party,
        name=name,
        amount=_money(amount),
        currency=_currency(currency),
        expected_close=expected_close,
        owner=owner,
        team=team if team is not None else (owner.team if owner is not None else None),
    )
    DealStageChange.objects.create(deal=deal, from_stage=None, to_stage=stage, changed_at=at, changed_by=actor)
    audit_create(actor, deal, ["name", "party_id", "pipeline_id", "stage_id", "amount", "currency",
                              "expected_close", "owner_id", "team_id", "status"])
    return deal


def _lock(deal: Deal, expected_version: int | None) -> Deal:
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord(f"version: the record is at version {locked.version}")
    return locked


DEAL_EDITABLE = ("name", "amount", "currency", "expected_close", "owner", "team", "party")


@transaction.atomic
@transaction.atomic
def patch_deal(actor: User | None, deal: Deal, changes: dict[str, Any]) -> Deal:
    """One change of a deal as the API sends it, in one transaction: plain fields
    (``update_deal``), ``owner_id`` / ``team_id``, and ``stage_id`` with ``close_reason``
    (``move_deal``). The caller has checked that the user may assign the owner and team."""
    changes = dict(changes)
    stage_id = changes.pop("stage_id", None)
    reason = changes.pop("close_reason", None)
    if "owner_id" in changes or "team_id" in changes:
        changes["owner"], changes["team"] = owner_and_team(
            changes.pop("owner_id", deal.owner_id), changes.pop("team_id", deal.team_id)
        )
    if changes:
        deal = update_deal(actor, deal, **changes)
    if stage_id is not None:
        stage = Stage.objects.filter(pk=stage_id, pipeline_id=deal.pipeline_id).first()
        if stage is None:
            raise SalesError("stage_id", "not a stage of this deal's pipeline")
        deal = move_deal(actor, deal, stage, reason=reason or "")
    elif reason is not None:
        raise SalesError("close_reason", "give it together with stage_id")
    return deal


def update_deal(
    actor: User | None, deal: Deal, *, expected_version: int | None = None, **changes: Any
) -> Deal:
    """Change a deal's plain fields (not its stage: see ``move_deal``)."""
    unknown = set(changes) - set(DEAL_EDITABLE)
    if unknown:
        raise SalesError(sorted(unknown)[0], "cannot be changed here")
    locked = _lock(deal, expected_version)
    if "name" in changes:
        changes["name"] = str(changes["name"]).strip()
        if not changes["name"]:
            raise SalesError("name", "must not be empty")
    if "amount" in changes:
        changes["amount"] = _money(changes["amount"])
    if "currency" in changes:
        changes["currency"] = _currency(changes["currency"])
    return save_versioned(actor, locked, changes)


@transaction.atomic
def move_deal(
    actor: User | None,
    deal: Deal,
    stage: Stage,
    *,
    expected_version: int | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> Deal:
    """Move a deal to another stage of its pipeline; a won or lost stage closes it, and
    closing needs the reason (at most 300 characters) — from the pages, the board and the
    API alike.

    Moving a closed deal back to an open stage reopens it. Every move is kept in
    ``DealStageChange`` for the velocity figures.
    """
    if stage.is_closed and not reason.strip():
        raise SalesError("reason", "a won or lost deal needs a reason")
    if stage.is_closed and len(reason.strip()) > 300:
        raise SalesError("reason", "at most 300 characters")
    locked = _lock(deal, expected_version)
    if stage.pipeline_id != locked.pipeline_id:
        raise SalesError("stage", "belongs to another pipeline")
    if stage.pk == locked.stage_id:
        return locked
    at = at or timezone.now()
    before = {"stage_id": locked.stage_id, "status": locked.status, "close_reason": locked.close_reason}
    previous = locked.stage_id
    locked.stage = stage
    if stage.is_won:
        locked.status, locked.closed_at = DealStatus.WON, at
        locked.close_reason = reason.strip()
    elif stage.is_lost:
        locked.status, locked.closed_at = DealStatus.LOST, at
        locked.close_reason = reason.strip()
    else:
        locked.status, locked.closed_at, locked.close_reason = DealStatus.OPEN, None, ""
    locked.version += 1
    locked.save()
    DealStageChange.objects.create(
        deal=locked, from_stage_id=previous, to_stage=stage, changed_at=at, changed_by=actor
    )
    audit_change(
        actor,
        locked,
        before,
        {"stage_id": locked.stage_id, "status": locked.status, "close_reason": locked.close_reason},
    )
    payload = {
        "deal_id": locked.pk, "party_id": locked.party_id, "pipeline_id": locked.pipeline_id,
        "from_stage_id": previous, "stage_id": stage.pk, "stage": stage.name, "status": locked.status,
        "amount": locked.amount, "currency": locked.currency, "owner_id": locked.owner_id,
    }
    emit("deal.stage_changed", payload, at=at)
    if stage.is_won or stage.is_lost:
        emit("deal.won" if stage.is_won else "deal.lost", payload, at=at)
    return locked


def _closing_stage(deal: Deal, *, won: bool) -> Stage:
    stages = Stage.objects.filter(pipeline_id=deal.pipeline_id)
    stage = stages.filter(is_won=True).first() if won else stages.filter(is_lost=True).first()
    if stage is None:
        kind = "won" if won else "lost"
        raise SalesError("pipeline", f"the pipeline has no {kind} stage")
    return stage


def win_deal(
    actor: User | None, deal: Deal, *, expected_version: int | None = None, reason: str = ""
) -> Deal:
    """Move a deal to its pipeline's won stage."""
    return move_deal(actor,
        deal, _closing_stage(deal, won=True), expected_version=expected_version, reason=reason
    )


def lose_deal(
    actor: User | None, deal: Deal, *, reason: str, expected_version: int | None = None
) -> Deal:
    """Move a deal to its pipeline's lost stage, with the reason it was lost."""
    return move_deal(actor,
        deal, _closing_stage(deal, won=False), expected_version=expected_version, reason=reason
    )


@transaction.atomic
def delete_deal(actor: User | None, deal: Deal, *, expected_version: int | None = None) -> None:
    locked = _lock(deal, expected_version)
    audit_delete(actor, locked)
    locked.delete()


@transaction.atomic
def update_pipeline(actor: User | None, pipeline: Pipeline, **changes: Any) -> Pipeline:
    """Rename a pipeline or (de)activate it."""
    before = {"name": pipeline.name, "is_active": pipeline.is_active}
    unknown = set(changes) - {"name", "is_active"}
    if unknown:
        raise SalesError(sorted(unknown)[0], "cannot be changed here")
    if "name" in changes:
        name = str(changes["name"]).strip()
        if not name:
            raise SalesError("name", "must not be empty")
        if Pipeline.objects.filter(name=name).exclude(pk=pipeline.pk).exists():
            raise SalesError("name", f"a pipeline named {name!r} already exists")
        pipeline.name = name
    if "is_active" in changes:
        pipeline.is_active = bool(changes["is_active"])
    pipeline.save()
    audit_change(actor, pipeline, before, {"name": pipeline.name, "is_active": pipeline.is_active})
    return pipeline


@transaction.atomic
def delete_pipeline(actor: User | None, pipeline: Pipeline) -> None:
    """Delete a pipeline that has never held a deal."""
    if pipeline.deals.exists():
        raise Conflict("the pipeline has deals; deactivate it instead")
    audit_delete(actor, pipeline, ["name"])
    pipeline.delete()


# -- the front office's rules on top ------------------------------------------------------
# The deal page and the board call these, which add the front office's rules.


def _reopen_stage(deal: Deal) -> Stage:
    """The open stage a closed deal goes back to: the one it was closed from, else the
    pipeline's first open stage."""
    last = (
        DealStageChange.objects.filter(deal=deal, to_stage_id=deal.stage_id, from_stage__is_won=False,
                                       from_stage__is_lost=False)
        .order_by("-changed_at", "-id").select_related("from_stage").first()
    )
    if last is not None and last.from_stage is not None:
        return last.from_stage
    return _first_open_stage(deal.pipeline)


def reopen_deal(actor: User, deal: Deal, *, expected_version: int | None = None) -> Deal:
    """Reopen a won or lost deal in the stage it was closed from."""
    if deal.status == DealStatus.OPEN:
        raise SalesError("status", "the deal is open already")
    return move_deal(actor, deal, _reopen_stage(deal), expected_version=expected_version)


def _quantity(value: Any) -> int:
    try:
        quantity = int(str(value))
    except ValueError as exc:
        raise SalesError("quantity", f"{value!r} is not a whole number") from exc
    if not 1 <= quantity <= 1_000_000:
        raise SalesError("quantity", "must be between 1 and 1,000,000")
    return quantity


@transaction.atomic
def add_deal_line(
    actor: User, deal: Deal, *, product: Product, quantity: Any = 1, unit_price: Any = None
) -> DealLine:
    """Add a product to a deal. Without ``unit_price`` the product's list price is used,
    which needs the product to be priced in the deal's currency."""
    if not product.is_active:
        raise SalesError("product", "the product is no longer sold")
    if unit_price in (None, ""):
        if product.currency != deal.currency:
            raise SalesError("unit_price", f"give the price in {deal.currency}: the product is priced in "
                                           f"{product.currency}")
        unit_price = product.list_price
    line = DealLine.objects.create(
        deal=deal, product=product, quantity=_quantity(quantity), unit_price=_money(unit_price, "unit_price")
    )
    record_change(
        actor, entity="deal_line", object_id=line.pk, action="create", party_id=deal.party_id,
        changes={"deal_id": (None, deal.pk), "product_id": (None, product.pk),
                 "quantity": (None, line.quantity), "unit_price": (None, line.unit_price)},
    )
    return line


@transaction.atomic
def remove_deal_line(actor: User, line: DealLine) -> None:
    party_id = Deal.objects.filter(pk=line.deal_id).values_list("party_id", flat=True).first()
    record_change(
        actor, entity="deal_line", object_id=line.pk, action="delete", party_id=party_id,
        changes={"deal_id": (line.deal_id, None), "product_id": (line.product_id, None),
                 "quantity": (line.quantity, None), "unit_price": (line.unit_price, None)},
    )
    line.delete()


@transaction.atomic
def add_deal_note(actor: User, deal: Deal, *, body: str, at: datetime | None = None) -> DealNote:
    """Write a note on a deal."""
    body = (body or "").strip()
    if not body:
        raise SalesError("body", "must not be empty")
    if len(body) > 5000:
        raise SalesError("body", "at most 5,000 characters")
    note = DealNote.objects.create(deal=deal, author=actor, body=body, created_at=at or timezone.now())
    record_change(
        actor, entity="deal_note", object_id=note.pk, action="create", party_id=deal.party_id,
        changes={"deal_id": (None, deal.pk), "body": (None, body)},
    )
    return note
