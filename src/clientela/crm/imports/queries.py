"""Reads of the import wizard: the history, a source's remembered mapping, parties by e-mail."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Lower

from clientela.crm.imports.models import FileImport, ImportStatus, SavedMapping


def history() -> QuerySet[FileImport]:
    """Imports started (not those being prepared), newest first."""
    return (FileImport.objects.exclude(status=ImportStatus.DRAFT).select_related("created_by", "undone_by")
            .defer("data", "journal").order_by("-created_at", "-id"))


def drafts_of(user: object) -> QuerySet[FileImport]:
    return (FileImport.objects.filter(status=ImportStatus.DRAFT, created_by=user).defer("data", "journal")
            .order_by("-created_at", "-id"))


def saved_mapping(signature: str) -> SavedMapping | None:
    return SavedMapping.objects.filter(signature=signature).first()


def party_refs_by_email(emails: list[str]) -> dict[str, str]:
    """Lower-cased e-mail address → the ref of a party with that address (the oldest)."""
    from clientela.crm.parties.models import Party

    found: dict[str, str] = {}
    for start in range(0, len(emails), 500):
        chunk = [e.lower() for e in emails[start:start + 500]]
        rows = (Party.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=chunk)
                .order_by("id").values_list("email_lower", "ref"))
        for email, ref in rows:
            found.setdefault(email, ref)
    return found
