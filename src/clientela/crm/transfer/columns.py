"""The canonical CSV columns for each record kind, and what each cell may hold.

Import reads these columns and export writes them, in this order, so a file
round-trips. See docs/import-export.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from clientela.crm.engagement.models import Direction
from clientela.crm.parties.models import AcquisitionChannel, Channel, PartyKind


class Kind(StrEnum):
    CUSTOMERS = "customers"
    ORDERS = "orders"
    INTERACTIONS = "interactions"


class CellType(StrEnum):
    TEXT = "text"  # free text, trimmed, un-neutralised (see neutralise.py)
    EMAIL = "email"
    COUNTRY = "country"  # ISO 3166-1 alpha-2, stored upper-case
    CURRENCY = "currency"  # ISO 4217 code, stored upper-case
    CHOICE = "choice"  # one of ``choices``, case-insensitive, stored lower-case
    DATETIME = "datetime"  # ISO-8601 date or date-time; naive means UTC
    QUANTITY = "quantity"  # whole number > 0
    AMOUNT = "amount"  # non-negative decimal, "." or "," separator, <= 4 decimals


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: CellType
    required: bool = True  # the cell must not be empty
    optional_column: bool = False  # the header may leave the column out
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    default: str | None = None  # value used for an empty cell (choices, amounts)


# Largest value a PostgreSQL integer column (OrderLine.quantity) holds.
MAX_QUANTITY = 2_147_483_647
# Amounts are numeric(14, 4): at most 10 digits before the point and 4 after.
AMOUNT_INTEGER_DIGITS = 10
AMOUNT_DECIMALS = 4

CUSTOMER_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("customer_ref", CellType.TEXT, max_length=64),
    ColumnSpec("name", CellType.TEXT, max_length=200),
    ColumnSpec(
        "kind",
        CellType.CHOICE,
        required=False,
        choices=tuple(PartyKind.values),
        default=PartyKind.PERSON.value,
    ),
    ColumnSpec("email", CellType.EMAIL, required=False, max_length=254),
    ColumnSpec("phone", CellType.TEXT, required=False, max_length=40),
    ColumnSpec("country", CellType.COUNTRY, required=False),
    ColumnSpec("acquired_at", CellType.DATETIME, required=False),
    ColumnSpec(
        "acquisition_channel",
        CellType.CHOICE,
        required=False,
        choices=tuple(AcquisitionChannel.values),
        default="",
    ),
)

ORDER_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("order_ref", CellType.TEXT, max_length=64),
    ColumnSpec("customer_ref", CellType.TEXT, max_length=64),
    ColumnSpec("ordered_at", CellType.DATETIME),
    ColumnSpec("sku", CellType.TEXT, max_length=64),
    ColumnSpec("quantity", CellType.QUANTITY),
    ColumnSpec("unit_price", CellType.AMOUNT),
    ColumnSpec("currency", CellType.CURRENCY),
    # Empty or absent: the product's unit cost (0 for a product the import creates).
    ColumnSpec("unit_cost", CellType.AMOUNT, required=False, optional_column=True),
    ColumnSpec(
        "discount", CellType.AMOUNT, required=False, optional_column=True, default="0"
    ),
)

INTERACTION_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("customer_ref", CellType.TEXT, max_length=64),
    ColumnSpec("occurred_at", CellType.DATETIME),
    ColumnSpec("channel", CellType.CHOICE, choices=tuple(Channel.values)),
    ColumnSpec("direction", CellType.CHOICE, choices=tuple(Direction.values)),
    ColumnSpec("subject", CellType.TEXT, required=False, max_length=200),
)

COLUMNS: dict[Kind, tuple[ColumnSpec, ...]] = {
    Kind.CUSTOMERS: CUSTOMER_COLUMNS,
    Kind.ORDERS: ORDER_COLUMNS,
    Kind.INTERACTIONS: INTERACTION_COLUMNS,
}

# ``--map COLUMN=-`` drops a column the file has but the import does not use.
IGNORE_FIELD = "-"


def column_names(kind: Kind) -> list[str]:
    """The canonical header of ``kind``, in file order."""
    return [spec.name for spec in COLUMNS[kind]]
