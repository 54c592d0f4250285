"""Limits on a JSON request body, checked on its bytes before it is parsed.

A body is refused (with the reason, for a problem document) when it is larger than
``MAX_BODY_BYTES``, nested deeper than ``MAX_DEPTH`` arrays and objects, or holds more
than ``MAX_KEYS`` object members or ``MAX_ITEMS`` values. The largest body the API takes
(an order of 500 lines) is far inside every limit; a body outside them would only cost
CPU and memory to parse and validate (a body 400 levels deep overflows the parser's
stack; 200,000 unknown keys take seconds and answer megabytes of errors).

The scan is a handful of regular-expression passes in C, linear in the body's size:
strings are blanked first (a bracket, comma or colon inside one is text), then the
brackets are counted and their nesting measured by removing the innermost pairs, one
level per pass, for at most ``MAX_DEPTH`` passes.
"""

from __future__ import annotations

import re

MAX_BODY_BYTES = 1 << 20
MAX_DEPTH = 32
MAX_KEYS = 5_000
MAX_ITEMS = 20_000

# A JSON string: a quote, then runs of plain characters and escapes, then a quote.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_INNERMOST = re.compile(rb"\[\]|\{\}")


class BodyTooLarge(ValueError):
    """The body is larger than ``MAX_BODY_BYTES`` (413)."""


def check_size(length: int) -> None:
    if length > MAX_BODY_BYTES:
        raise BodyTooLarge(f"body: larger than {MAX_BODY_BYTES} bytes")


def shape_problem(body: bytes) -> str | None:
    """Why ``body`` is refused before parsing (depth, keys, values), or ``None``."""
    check_size(len(body))
    text = _STRING.sub(b'""', body)
    keys = text.count(b":")
    if keys > MAX_KEYS:
        return f"body: more than {MAX_KEYS} object members"
    if text.count(b",") + 1 > MAX_ITEMS:
        return f"body: more than {MAX_ITEMS} values"
    brackets = _NOT_BRACKET.sub(b"", text)
    for _ in range(MAX_DEPTH):
        if not brackets:
            return None
        brackets, removed = _INNERMOST.subn(b"", brackets)
        if not removed:
            return "body: not valid JSON (its brackets do not match)"
    if brackets:
        return f"body: nested deeper than {MAX_DEPTH} levels"
    return None
