"""Formula neutralisation of CSV text cells (OWASP "CSV injection"), shared by every export.

A cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return — after any
run of single quotes — gets one more leading ``'``; a phone also when it starts with a
digit (a spreadsheet would read it as a number). Import drops exactly that one quote
(validation.NEUTRALISED, NEUTRALISED_PHONE). No heavy imports: list pages use it.
"""

from __future__ import annotations

import re

FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")
PHONE_START = re.compile(r"^'*[=+\-@\t\r0-9]")


def neutralise(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would read as a formula."""
    return "'" + text if FORMULA_START.match(text) else text


def neutralise_phone(text: str) -> str:
    """Prefix ``'`` to a phone a spreadsheet would read as a formula or a number."""
    return "'" + text if PHONE_START.match(text) else text
