"""Limits on a JSON request body, checked on its bytes before it is parsed.

A body is refused (with the reason, for a problem document) when it is larger than
``MAX_BODY_BYTES``, nested deeper than ``MAX_DEPTH`` arrays and objects, or holds more
than ``MAX_KEYS`` object members, ``MAX_CONTAINERS`` arrays and objects or ``MAX_ITEMS``
values. The largest body the API takes (an order of 500 lines, about 60 kB) is far
inside every limit; a body outside them would only cost CPU and memory to parse and
validate (a body 400 levels deep overflows the parser's stack; 200,000 unknown keys
take seconds and answer megabytes of errors).

The check costs little: first a few ``bytes.count`` calls (C, microseconds) give upper
bounds of the members, values and containers — counting the characters inside strings
too — and a body within every limit by those bounds (nearly every body) is done. Else
the strings are blanked by one regular expression (a bracket, comma or colon inside one
is text), the counts taken again, and the nesting measured by removing the innermost
bracket pairs, one level per pass, for at most ``MAX_DEPTH`` passes over at most
``2 * MAX_CONTAINERS`` brackets.
"""

from __future__ import annotations

import re

MAX_BODY_BYTES = 256 * 1024
MAX_DEPTH = 32
MAX_KEYS = 5_000
MAX_CONTAINERS = 5_000
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


def _count_problem(text: bytes) -> tuple[str | None, int]:
    """The first count over its limit in ``text`` (or ``None``), and its containers."""
    containers = text.count(b"[") + text.count(b"{")
    if text.count(b":") > MAX_KEYS:
        return f"body: more than {MAX_KEYS} object members", containers
    if containers > MAX_CONTAINERS:
        return f"body: more than {MAX_CONTAINERS} arrays and objects", containers
    if text.count(b",") + 1 > MAX_ITEMS:
        return f"body: more than {MAX_ITEMS} values", containers
    return None, containers


def shape_problem(body: bytes) -> str | None:
    """Why ``body`` is refused before parsing (depth, members, values), or ``None``."""
    check_size(len(body))
    problem, containers = _count_problem(body)  # upper bounds: strings counted too
    if problem is None and containers <= MAX_DEPTH:
        return None
    # Each string is a member's name or a value: at least this many strings (a quote
    # after a backslash may be an escaped one) is more than the limits allow, and
    # blanking them would cost a regular-expression match each.
    if (body.count(b'"') - body.count(b'\\"')) // 2 > MAX_KEYS + MAX_ITEMS:
        return f"body: more than {MAX_ITEMS} values"
    text = _STRING.sub(b'""', body)
    problem, _containers = _count_problem(text)
    if problem is not None:
        return problem
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
