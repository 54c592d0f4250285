"""Errors the system of record raises; every face maps them to its own form.

The REST API turns them into RFC 9457 problem documents (see ``clientela.api.problems``),
the CLI into a message and a non-zero exit.
"""

from __future__ import annotations


class RecordNotFound(LookupError):
    """The record does not exist, or the user may not see it (answered as 404, never 403)."""


class NotPermitted(PermissionError):
    """The user sees the record (or the collection) but may not do this to it (403)."""


class StaleRecord(Exception):
    """The caller's version of the record is not the current one (412)."""


class InvalidInput(ValueError):
    """Input that breaks a business rule; ``errors`` maps field names to reasons (422)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class Conflict(Exception):
    """The change clashes with the stored state, e.g. a duplicate reference (409)."""
