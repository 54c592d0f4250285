"""The canonical CSV columns of every record kind, what each cell may hold, and each kind's key.

This module is the one declaration of the files: import reads these columns, export
writes them in this order (so a file round-trips), the browser import wizard offers
them as the fields a column may be mapped to, and docs/import-export.md describes
them. A column that names another record (``refers_to``) holds that record's key —
a party's ref, a user's username, a team's name, a product's SKU, an order's ref —
and import resolves it before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from clientela.crm.commerce.models import OrderStatus
from clientela.crm.engagement.models import Direction
from clientela.crm.feedback.models import SurveyKind
from clientela.crm.loyalty.models import EntryKind
from clientela.crm.parties.models import Channel, ConsentPurpose, LawfulBasis, PartyKind
from clientela.crm.sales.models import DealStatus


class Kind(StrEnum):
    PARTIES = "parties"
    # The same file as parties; export writes only the customer base (customers and
    # prospects, archived ones left out), each party's roles written as they are.
    CUSTOMERS = "customers"
    CONSENTS = "consents"
    CONTACTS = "contacts"
    PRODUCTS = "products"
    EXCHANGE_RATES = "exchange_rates"
    ORDERS = "orders"
    INTERACTIONS = "interactions"
    DEALS = "deals"
    SURVEY_ANSWERS = "survey_answers"
    LOYALTY = "loyalty"


# ``clientela export all`` / ``import all``: one file per kind, named KIND.csv, imported in
# this order (a kind's references are loaded before it).
ALL_KINDS: tuple[Kind, ...] = (
    Kind.PRODUCTS,
    Kind.EXCHANGE_RATES,
    Kind.PARTIES,
    Kind.CONSENTS,
    Kind.CONTACTS,
    Kind.ORDERS,
    Kind.INTERACTIONS,
    Kind.DEALS,
    Kind.SURVEY_ANSWERS,
    Kind.LOYALTY,
)


class CellType(StrEnum):
    TEXT = "text"  # free text, trimmed, un-neutralised (see csv_export.neutralise)
    PHONE = "phone"  # text; export also protects a leading digit from spreadsheets
    EMAIL = "email"
    COUNTRY = "country"  # ISO 3166-1 alpha-2, stored upper-case
    CURRENCY = "currency"  # ISO 4217 code, stored upper-case
    CHOICE = "choice"  # one of ``choices`` (or the company's ``vocabulary``), stored lower-case
    WORDS = "words"  # a list of words separated by ";" (tags, roles)
    DATETIME = "datetime"  # ISO-8601 date or date-time; naive means UTC; an event: not in the future
    DATE = "date"  # ISO-8601 date, any year 1900-2999 (rates, expected close)
    BOOLEAN = "boolean"  # true/false, yes/no, 1/0; stored as true or false
    QUANTITY = "quantity"  # whole number > 0
    INTEGER = "integer"  # whole number between ``minimum`` and ``maximum``
    AMOUNT = "amount"  # non-negative decimal, "." or "," separator, <= ``decimals`` decimals


class Ref(StrEnum):
    """What a ``refers_to`` column names, by its key."""

    PARTY = "party"  # Party.ref
    USER = "user"  # User.username
    TEAM = "team"  # Team.name (created when missing)
    ORDER = "order"  # Order.ref


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: CellType
    required: bool = True  # the cell must not be empty
    optional_column: bool = False  # the header may leave the column out (the field is then untouched)
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    default: str | None = None  # value used for an empty cell (choices, amounts)
    vocabulary: str | None = None  # CHOICE/WORDS: the company's editable list (crm/vocabularies)
    refers_to: Ref | None = None
    decimals: int = 4  # AMOUNT: at most this many decimals
    integer_digits: int = 10  # AMOUNT: at most this many digits before the point
    minimum: int | None = None  # INTEGER
    maximum: int | None = None  # INTEGER
    label: str = ""  # a short description for the wizard and the docs


# Largest value a PostgreSQL integer column (OrderLine.quantity) holds.
MAX_QUANTITY = 2_147_483_647
# Amounts are numeric(14, 4) unless a column says otherwise.
AMOUNT_INTEGER_DIGITS = 10
AMOUNT_DECIMALS = 4

ROLES = ("customer", "prospect", "supplier", "partner", "internal")


def _ref(name: str, label: str = "the party's ref", **kw: object) -> ColumnSpec:
    return ColumnSpec(name, CellType.TEXT, max_length=64, label=label, **kw)  # type: ignore[arg-type]


def _opt(spec: ColumnSpec) -> ColumnSpec:
    """``spec`` as an optional column with optional cells."""
    return ColumnSpec(**{**spec.__dict__, "required": False, "optional_column": True})


PARTY_COLUMNS: tuple[ColumnSpec, ...] = (
    _ref("customer_ref", refers_to=None),
    ColumnSpec("name", CellType.TEXT, max_length=200),
    ColumnSpec("kind", CellType.CHOICE, required=False, choices=tuple(PartyKind.values),
               default=PartyKind.PERSON.value),
    ColumnSpec("email", CellType.EMAIL, required=False, max_length=254),
    ColumnSpec("phone", CellType.PHONE, required=False, max_length=40),
    ColumnSpec("country", CellType.COUNTRY, required=False),
    ColumnSpec("acquired_at", CellType.DATETIME, required=False),
    ColumnSpec("acquisition_channel", CellType.CHOICE, required=False, vocabulary="acquisition_channels",
               default=""),
    # Absent: the party gets the customer role and keeps its others (the customers file
    # of old). Present: exactly these roles; an empty cell means none.
    _opt(ColumnSpec("roles", CellType.WORDS, choices=ROLES, label="customer;prospect;supplier;partner;internal")),
    _opt(ColumnSpec("street", CellType.TEXT, max_length=200)),
    _opt(ColumnSpec("postal_code", CellType.TEXT, max_length=20)),
    _opt(ColumnSpec("city", CellType.TEXT, max_length=100)),
    _opt(ColumnSpec("language", CellType.TEXT, max_length=8)),
    _opt(ColumnSpec("preferred_channel", CellType.CHOICE, choices=tuple(Channel.values), default="")),
    _opt(ColumnSpec("owner", CellType.TEXT, max_length=150, refers_to=Ref.USER, label="a username")),
    _opt(ColumnSpec("team", CellType.TEXT, max_length=120, refers_to=Ref.TEAM, label="a team's name")),
    _opt(ColumnSpec("tags", CellType.WORDS, vocabulary="tags", max_length=100)),
    _opt(ColumnSpec("referred_by", CellType.TEXT, max_length=64, refers_to=Ref.PARTY,
                    label="the ref of the party who referred this one (this file or stored)")),
    _opt(ColumnSpec("archived_at", CellType.DATETIME)),
)

CONSENT_COLUMNS: tuple[ColumnSpec, ...] = (
    _ref("customer_ref", refers_to=Ref.PARTY),
    ColumnSpec("purpose", CellType.CHOICE, choices=tuple(ConsentPurpose.values)),
    ColumnSpec("channel", CellType.CHOICE, choices=tuple(Channel.values)),
    ColumnSpec("lawful_basis", CellType.CHOICE, required=False, choices=tuple(LawfulBasis.values),
               default=LawfulBasis.CONSENT.value),
    ColumnSpec("source", CellType.TEXT, required=False, max_length=120),
    ColumnSpec("given_at", CellType.DATETIME),
    ColumnSpec("withdrawn_at", CellType.DATETIME, required=False),
)

CONTACT_COLUMNS: tuple[ColumnSpec, ...] = (
    _ref("organisation_ref", "the organisation's ref", refers_to=Ref.PARTY),
    ColumnSpec("name", CellType.TEXT, max_length=200),
    ColumnSpec("job_title", CellType.TEXT, required=False, max_length=120),
    ColumnSpec("email", CellType.EMAIL, required=False, max_length=254),
    ColumnSpec("phone", CellType.PHONE, required=False, max_length=40),
    ColumnSpec("is_primary", CellType.BOOLEAN, required=False, default="false"),
    ColumnSpec("consent_email", CellType.BOOLEAN, required=False, default="false"),
    ColumnSpec("consent_phone", CellType.BOOLEAN, required=False, default="false"),
    _opt(_ref("person_ref", "the ref of the same person as a party", refers_to=Ref.PARTY)),
)

PRODUCT_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("sku", CellType.TEXT, max_length=64),
    ColumnSpec("name", CellType.TEXT, max_length=200),
    ColumnSpec("category", CellType.TEXT, required=False, max_length=100),
    ColumnSpec("list_price", CellType.AMOUNT, required=False, default="0"),
    ColumnSpec("unit_cost", CellType.AMOUNT, required=False, default="0"),
    ColumnSpec("currency", CellType.CURRENCY),
    ColumnSpec("is_active", CellType.BOOLEAN, required=False, default="true"),
)

EXCHANGE_RATE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("date", CellType.DATE),
    ColumnSpec("currency", CellType.CURRENCY),
    ColumnSpec("rate", CellType.AMOUNT, decimals=8, integer_digits=10,
               label="units of the base currency one unit bought that day"),
)

ORDER_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("order_ref", CellType.TEXT, max_length=64),
    _ref("customer_ref"),
    ColumnSpec("ordered_at", CellType.DATETIME),
    ColumnSpec("sku", CellType.TEXT, max_length=64),
    ColumnSpec("quantity", CellType.QUANTITY),
    ColumnSpec("unit_price", CellType.AMOUNT),
    ColumnSpec("currency", CellType.CURRENCY),
    # Empty or absent: the product's unit cost (0 for a product the import creates).
    ColumnSpec("unit_cost", CellType.AMOUNT, required=False, optional_column=True),
    ColumnSpec("discount", CellType.AMOUNT, required=False, optional_column=True, default="0"),
    # The order's header: every line of an order carries the same values.
    _opt(ColumnSpec("channel", CellType.CHOICE, vocabulary="sales_channels", default="web")),
    _opt(ColumnSpec("status", CellType.CHOICE, choices=tuple(OrderStatus.values),
                    default=OrderStatus.COMPLETED.value)),
    _opt(ColumnSpec("returned_at", CellType.DATETIME)),
)
ORDER_HEADER = ("customer_ref", "ordered_at", "currency", "channel", "status", "returned_at")

INTERACTION_COLUMNS: tuple[ColumnSpec, ...] = (
    _ref("customer_ref"),
    ColumnSpec("occurred_at", CellType.DATETIME),
    ColumnSpec("channel", CellType.CHOICE, choices=tuple(Channel.values)),
    ColumnSpec("direction", CellType.CHOICE, choices=tuple(Direction.values)),
    ColumnSpec("subject", CellType.TEXT, required=False, max_length=200),
    _opt(ColumnSpec("cost", CellType.AMOUNT, decimals=2, integer_digits=8, default="0",
                    label="cost to serve, base currency")),
    _opt(ColumnSpec("notes", CellType.TEXT, max_length=20000)),
    _opt(ColumnSpec("user", CellType.TEXT, max_length=150, refers_to=Ref.USER, label="a username")),
)

DEAL_COLUMNS: tuple[ColumnSpec, ...] = (
    _ref("customer_ref", refers_to=Ref.PARTY),
    ColumnSpec("name", CellType.TEXT, max_length=200),
    ColumnSpec("pipeline", CellType.TEXT, max_length=120, label="the pipeline's name (created when missing)"),
    ColumnSpec("stage", CellType.TEXT, max_length=120, label="the stage's name (added when missing)"),
    ColumnSpec("amount", CellType.AMOUNT, required=False, default="0", decimals=2, integer_digits=12),
    ColumnSpec("currency", CellType.CURRENCY),
    ColumnSpec("expected_close", CellType.DATE, required=False),
    ColumnSpec("status", CellType.CHOICE, required=False, choices=tuple(DealStatus.values),
               default=DealStatus.OPEN.value),
    ColumnSpec("closed_at", CellType.DATETIME, required=False, label="required for won and lost deals"),
    ColumnSpec("close_reason", CellType.TEXT, required=False, max_length=300),
    _opt(ColumnSpec("owner", CellType.TEXT, max_length=150, refers_to=Ref.USER, label="a username")),
    _opt(ColumnSpec("team", CellType.TEXT, max_length=120, refers_to=Ref.TEAM, label="a team's name")),
    _opt(ColumnSpec("created_at", CellType.DATETIME,
                    label="when the deal was opened; tells apart deals of one party with the same name")),
)

SURVEY_ANSWER_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("survey", CellType.TEXT, max_length=200, label="the survey's name (created when missing)"),
    ColumnSpec("survey_kind", CellType.CHOICE, choices=tuple(SurveyKind.values)),
    ColumnSpec("customer_ref", CellType.TEXT, required=False, max_length=64, refers_to=Ref.PARTY,
               label="the party who answered (empty: anonymous)"),
    ColumnSpec("score", CellType.INTEGER, minimum=0, maximum=10, label="NPS 0-10, CSAT 1-5"),
    ColumnSpec("comment", CellType.TEXT, required=False, max_length=20000),
    ColumnSpec("answered_at", CellType.DATETIME),
    _opt(ColumnSpec("choice", CellType.TEXT, max_length=100, label="the option chosen in the survey's choice question")),
)

LOYALTY_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("programme", CellType.TEXT, max_length=120, label="the programme's name (created when missing)"),
    _ref("customer_ref", refers_to=Ref.PARTY),
    ColumnSpec("kind", CellType.CHOICE, choices=tuple(EntryKind.values),
               label="earn, redeem, expire, adjust (an opening balance is an adjust)"),
    ColumnSpec("points", CellType.INTEGER, minimum=-MAX_QUANTITY, maximum=MAX_QUANTITY,
               label="earn > 0; redeem, expire < 0; adjust either; never 0"),
    ColumnSpec("occurred_at", CellType.DATETIME),
    ColumnSpec("reason", CellType.TEXT, required=False, max_length=300),
    _opt(ColumnSpec("order_ref", CellType.TEXT, max_length=64, refers_to=Ref.ORDER)),
)

COLUMNS: dict[Kind, tuple[ColumnSpec, ...]] = {
    Kind.PARTIES: PARTY_COLUMNS,
    Kind.CUSTOMERS: PARTY_COLUMNS,
    Kind.CONSENTS: CONSENT_COLUMNS,
    Kind.CONTACTS: CONTACT_COLUMNS,
    Kind.PRODUCTS: PRODUCT_COLUMNS,
    Kind.EXCHANGE_RATES: EXCHANGE_RATE_COLUMNS,
    Kind.ORDERS: ORDER_COLUMNS,
    Kind.INTERACTIONS: INTERACTION_COLUMNS,
    Kind.DEALS: DEAL_COLUMNS,
    Kind.SURVEY_ANSWERS: SURVEY_ANSWER_COLUMNS,
    Kind.LOYALTY: LOYALTY_COLUMNS,
}

# The upsert key of each kind: the columns that name one record. A second row with the
# same key in one file is an error naming both lines (orders: the key is the order_ref
# plus the line's position among its rows).
KEYS: dict[Kind, tuple[str, ...]] = {
    Kind.PARTIES: ("customer_ref",),
    Kind.CUSTOMERS: ("customer_ref",),
    Kind.CONSENTS: ("customer_ref", "purpose", "channel", "given_at"),
    Kind.CONTACTS: ("organisation_ref", "name"),
    Kind.PRODUCTS: ("sku",),
    Kind.EXCHANGE_RATES: ("date", "currency"),
    Kind.ORDERS: ("order_ref",),
    Kind.INTERACTIONS: ("customer_ref", "occurred_at", "channel", "direction", "subject"),
    # An empty created_at matches the party's first deal of that name in that pipeline.
    Kind.DEALS: ("customer_ref", "pipeline", "name", "created_at"),
    Kind.SURVEY_ANSWERS: ("survey", "customer_ref", "answered_at"),
    Kind.LOYALTY: ("programme", "customer_ref", "occurred_at", "kind", "points"),
}

# ``--map COLUMN=-`` drops a column the file has but the import does not use.
IGNORE_FIELD = "-"
# Separator of the words of a WORDS cell.
WORD_SEPARATOR = ";"


def column_names(kind: Kind | str) -> list[str]:
    """The canonical header of ``kind``, in file order."""
    return [spec.name for spec in COLUMNS[Kind(kind)]]


def spec_of(kind: Kind | str, name: str) -> ColumnSpec:
    """The column ``name`` of ``kind``."""
    for spec in COLUMNS[Kind(kind)]:
        if spec.name == name:
            return spec
    raise KeyError(name)
