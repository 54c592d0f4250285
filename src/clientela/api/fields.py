"""Field types the API schemas share: bounded text, money, aware timestamps, ids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Path
from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

from clientela.crm import input_bounds
from clientela.crm.input_bounds import MAX_ID

__all__ = ["MAX_ID", "Country", "Currency", "Day", "Email", "EventTime", "Money", "PathId", "RefId",
           "Text", "Timestamp", "UnitMoney"]


def _in_range(value: dt.datetime) -> dt.datetime:
    return input_bounds.check_time(value)


def _event(value: dt.datetime) -> dt.datetime:
    return input_bounds.check_event_time(value)


def _date_in_range(value: dt.date) -> dt.date:
    return input_bounds.check_date(value)


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


# Times and dates within input_bounds (1900 to 2999); an EventTime, the time something
# happened, is not in the future either.
Timestamp = Annotated[AwareDatetime, AfterValidator(_in_range)]
EventTime = Annotated[AwareDatetime, AfterValidator(_event)]
Day = Annotated[dt.date, AfterValidator(_date_in_range)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Country = Annotated[str, StringConstraints(pattern=r"^([A-Z]{2})?$")]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
UnitMoney = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=4)]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
