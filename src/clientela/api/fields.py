"""Field types the API schemas share: bounded text, money, aware timestamps, ids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Path
from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

MAX_ID = 2**53  # ids fit JSON numbers exactly and every database's integer types

EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2999, 12, 31, tzinfo=dt.UTC)


def _in_range(value: dt.datetime) -> dt.datetime:
    try:
        utc = value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("must be between 1900 and 2999") from None
    if not EARLIEST <= utc <= LATEST:
        raise ValueError("must be between 1900 and 2999")
    return utc


def _date_in_range(value: dt.date) -> dt.date:
    if not 1900 <= value.year <= 2999:
        raise ValueError("must be between 1900 and 2999")
    return value


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("not a valid email address") from None
    return value


def Text(max_length: int, *, min_length: int = 0) -> type[str]:  # noqa: N802 - a type factory
    """A string of at most ``max_length`` characters, surrounding blanks stripped."""
    return Annotated[  # type: ignore[return-value]
        str, StringConstraints(strip_whitespace=True, max_length=max_length, min_length=min_length)
    ]


Timestamp = Annotated[AwareDatetime, AfterValidator(_in_range)]
Day = Annotated[dt.date, AfterValidator(_date_in_range)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Country = Annotated[str, StringConstraints(pattern=r"^([A-Z]{2})?$")]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
UnitMoney = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=4)]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
