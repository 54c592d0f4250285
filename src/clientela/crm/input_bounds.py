"""The bounds every face holds input to: record ids, dates and times.

One rule for each, used by the REST API's field types, the web pages' forms and query
strings, and the CSV import, so a value one face takes is never refused by another:

* a record id is a whole number from 1 to ``MAX_ID`` (2**53: exact in JSON, inside every
  database's integer column; a larger number would overflow SQLite's);
* a date or time lies between ``EARLIEST`` and ``LATEST`` (1900-01-01 to 2999-12-31);
* the time of an *event* (an order, an interaction, a consent, an answer, an
  acquisition) does not lie in the future: at most ``EVENT_TOLERANCE`` after now, room
  for clocks out of step and for a date written in a time zone ahead of UTC.

The messages are lazy translations: a page shows them in the user's language.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**53
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
EVENT_TOLERANCE = dt.timedelta(days=1)

NOT_AN_ID = _("must be a whole number from 1 to 9007199254740992")
OUT_OF_RANGE = _("must lie between 1900-01-01 and 2999-12-31")
IN_THE_FUTURE = _("must not lie in the future")


class OutOfBounds(ValueError):
    """A value outside its bounds; ``str()`` is the reason, in the active language."""


def parse_id(text: str | None) -> int | None:
    """The record id ``text`` names (surrounding blanks allowed); ``None`` when it is
    empty. ``OutOfBounds`` for anything but a whole number from 1 to ``MAX_ID``."""
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 16 or not 1 <= int(text) <= MAX_ID:
        raise OutOfBounds(str(NOT_AN_ID))
    return int(text)


def check_date(value: dt.date) -> dt.date:
    """``value`` when it lies between 1900-01-01 and 2999-12-31, else ``OutOfBounds``."""
    if isinstance(value, dt.datetime):
        return check_time(value).date()
    if not EARLIEST.date() <= value <= LATEST.date():
        raise OutOfBounds(str(OUT_OF_RANGE))
    return value


def check_time(value: dt.datetime) -> dt.datetime:
    """``value`` in UTC (naive means UTC) when it lies between ``EARLIEST`` and ``LATEST``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        utc = value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise OutOfBounds(str(OUT_OF_RANGE)) from None
    if not EARLIEST <= utc <= LATEST:
        raise OutOfBounds(str(OUT_OF_RANGE))
    return utc


def event_window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The first and last time an event may have: ``EARLIEST`` and now + tolerance."""
    return EARLIEST, (now or timezone.now()) + EVENT_TOLERANCE


def check_event_time(value: dt.datetime, *, now: dt.datetime | None = None) -> dt.datetime:
    """``value`` in UTC when it may be the time of an event that has happened."""
    utc = check_time(value)
    if utc > event_window(now)[1]:
        raise OutOfBounds(str(IN_THE_FUTURE))
    return utc
