"""The importer's reasons for a bad cell, in the user's language.

The importer (``crm/transfer/validation.py``) words its reasons in English for the CLI
and the API; the wizard's page recognises each wording and shows its translation with
the same values. A reason not listed here is shown as the importer wrote it.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# (the importer's wording as a regular expression, the msgid with the same named values)
_REASONS: tuple[tuple[str, str], ...] = (
    (r"is empty", gettext_noop("is empty")),
    (r"is not an email address", gettext_noop("is not an email address")),
    (r"(?P<value>.+) is not an ISO 3166 country code", gettext_noop("%(value)s is not an ISO 3166 country code")),
    (r"(?P<value>.+) is not an ISO 4217 currency code",
     gettext_noop("%(value)s is not an ISO 4217 currency code (PLN, EUR, RUB …)")),
    (r"(?P<value>.+) is not one of (?P<allowed>.+)", gettext_noop("%(value)s is not one of %(allowed)s")),
    (r"(?P<value>.+) is not an ISO-8601 date or date-time \(YYYY-MM-DD\[THH:MM\[:SS\]\]\[±HH:MM\]\)",
     gettext_noop("%(value)s is not a date: write 2026-01-31, 2026-01-31 14:05 or 31.01.2026")),
    (r"(?P<value>.+) is not a valid date or is out of range",
     gettext_noop("%(value)s is not a date that exists")),
    (r"(?P<value>.+) is not a whole number", gettext_noop("%(value)s is not a whole number")),
    (r"(?P<value>.+) is too large", gettext_noop("%(value)s is too large")),
    (r"must be greater than 0 \(got (?P<value>.+)\)", gettext_noop("must be greater than 0 (got %(value)s)")),
    (r"(?P<value>.+) is not a number \(write 1234\.50 or 1234,50, without thousands separators\)",
     gettext_noop("%(value)s is not a number (write 1234.50 or 1234,50, without thousands separators)")),
    (r"must not be negative \(got (?P<value>.+)\)", gettext_noop("must not be negative (got %(value)s)")),
    (r"is (?P<value>\d+) characters long; at most (?P<limit>\d+) are allowed",
     gettext_noop("is %(value)s characters long; at most %(limit)s are allowed")),
    (r"the same customer_ref is on line (?P<line>\d+)", gettext_noop("the same customer_ref is on line %(line)s")),
    (r"differs from line (?P<line>\d+) of the same order_ref \(an order has one (?P<field>\w+)\)",
     gettext_noop("differs from line %(line)s of the same order (an order has one %(field)s)")),
    (r"no customer has this customer_ref .*",
     gettext_noop("no customer has this customer_ref: import the customers first, or tick "
                  "“Create customers that do not exist yet”")),
    (r"has (?P<value>\d+) fields, the header has (?P<limit>\d+)",
     gettext_noop("has %(value)s fields, the header has %(limit)s")),
    (r"is larger than quantity × unit_price", gettext_noop("is larger than quantity × unit_price")),
)
_COMPILED: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(f"^{p}$"), m) for p, m in _REASONS)


def translate_reason(reason: str) -> str:
    """``reason`` in the active language (as written when it is not recognised)."""
    for pattern, msgid in _COMPILED:
        match = pattern.match(reason)
        if match:
            return _(msgid) % match.groupdict()
    return reason
