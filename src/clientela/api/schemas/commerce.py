"""Input and output schemas of products and orders.

Cost and margin fields are ``null`` for roles that may not see them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from clientela.api.fields import Currency, EventTime, RefId, Text, UnitMoney
from clientela.api.schemas.parties import Strict

# A word of the company's sales channels (GET /vocabularies/sales_channels), checked by the action.
SalesChannelValue = Text(20)
OrderStatusValue = Literal["placed", "paid", "shipped", "completed", "cancelled", "returned"]
Quantity = Annotated[int, Field(ge=1, le=1_000_000)]


class ProductCreate(Strict):
    sku: Text(64, min_length=1)  # type: ignore[valid-type]
    name: Text(200, min_length=1)  # type: ignore[valid-type]
    category: Text(100) = ""  # type: ignore[valid-type]
    list_price: UnitMoney = Decimal("0")
    unit_cost: UnitMoney = Decimal("0")
    currency: Currency = "PLN"
    is_active: bool = True


class ProductUpdate(Strict):
    sku: Text(64, min_length=1) | None = None  # type: ignore[valid-type]
    name: Text(200, min_length=1) | None = None  # type: ignore[valid-type]
    category: Text(100) | None = None  # type: ignore[valid-type]
    list_price: UnitMoney | None = None
    unit_cost: UnitMoney | None = None
    currency: Currency | None = None
    is_active: bool | None = None


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    category: str
    list_price: Decimal
    unit_cost: Decimal | None = Field(None, description="null when your role may not see cost")
    margin_rate: Decimal | None = Field(None, description="null when your role may not see margin")
    currency: str
    is_active: bool


class OrderLineIn(Strict):
    product_id: RefId
    quantity: Quantity
    unit_price: UnitMoney | None = Field(None, description="default: the product's list price")
    discount: UnitMoney = Decimal("0")
    unit_cost: UnitMoney | None = Field(None, description="default: the product's unit cost")


class OrderCreate(Strict):
    ref: Text(64, min_length=1)  # type: ignore[valid-type]
    party_id: RefId
    ordered_at: EventTime
    channel: SalesChannelValue = "web"  # type: ignore[valid-type]
    currency: Currency = "PLN"
    status: OrderStatusValue = "completed"
    lines: list[OrderLineIn] = Field(..., min_length=1, max_length=500)


class OrderUpdate(Strict):
    ref: Text(64, min_length=1) | None = None  # type: ignore[valid-type]
    ordered_at: EventTime | None = None
    channel: SalesChannelValue | None = None  # type: ignore[valid-type]
    currency: Currency | None = None
    status: OrderStatusValue | None = None
    lines: list[OrderLineIn] | None = Field(None, min_length=1, max_length=500,
                                            description="replaces all lines when given")


class OrderLineOut(Schema):
    line_no: int
    product_id: int
    quantity: int
    unit_price: Decimal
    discount: Decimal
    unit_cost: Decimal | None = None
    net_amount: Decimal


class OrderOut(Schema):
    id: int
    ref: str
    party_id: int
    ordered_at: dt.datetime
    channel: str
    currency: str
    status: str
    total_amount: Decimal
    total_cost: Decimal | None = None
    lines: list[OrderLineOut]
