"""GDPR: what the import wizard keeps about a party — its earlier values in the undo
journals of imports that changed it, and the uploaded files not yet imported that name it.

Erasure drops the party's earlier values and its customer_ref from the journals (an undo
then leaves the party as it is) and empties the uploaded files that hold its e-mail address or customer_ref
(the import can no longer start: the file has to be uploaded again)."""

from __future__ import annotations

from typing import Any

from clientela.crm.imports import journal
from clientela.crm.imports.models import FileImport, ImportStatus


def _journaled(party: Any) -> list[tuple[FileImport, list[dict[str, Any]]]]:
    found = []
    for upload in FileImport.objects.filter(status=ImportStatus.IMPORTED).exclude(journal=None).only(
            "id", "file_name", "journal", "created_at"):
        entries = journal.loads(upload.journal)
        if any(row.get("id") == party.pk for e in entries for row in e.get("parties_changed", [])) or any(
                party.ref in e.get("parties_created", []) for e in entries):
            found.append((upload, entries))
    return found


def _needles(party: Any) -> list[bytes]:
    texts = [t for t in (getattr(party, "email", ""), getattr(party, "ref", "")) if t and len(t) >= 3]
    return [t.encode(encoding, errors="ignore") for t in texts for encoding in ("utf-8", "cp1250", "cp1251")]


def _files(party: Any) -> list[FileImport]:
    needles = _needles(party)
    pending = FileImport.objects.exclude(status__in=(ImportStatus.IMPORTED, ImportStatus.UNDONE)).exclude(data=b"")
    return [u for u in pending.only("id", "file_name", "data", "created_at")
            if any(n and n in bytes(u.data) for n in needles)]


def export(party: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for upload, entries in _journaled(party):
        earlier = [row for e in entries for row in e.get("parties_changed", []) if row.get("id") == party.pk]
        rows.append({"import": upload.pk, "file": upload.file_name, "created_at": upload.created_at.isoformat(),
                     "values_before_the_import": earlier})
    rows += [{"import": u.pk, "file": u.file_name, "created_at": u.created_at.isoformat(),
              "uploaded_file_names_the_person": True} for u in _files(party)]
    return rows


def erase(party: Any, actor: Any) -> int:
    changed = 0
    for upload, entries in _journaled(party):
        for entry in entries:
            entry["parties_changed"] = [r for r in entry.get("parties_changed", []) if r.get("id") != party.pk]
            entry["parties_created"] = [ref for ref in entry.get("parties_created", []) if ref != party.ref]
        kept = journal.Journal()
        kept.entries = entries
        FileImport.objects.filter(pk=upload.pk).update(journal=kept.dumps())
        changed += 1
    for upload in _files(party):
        FileImport.objects.filter(pk=upload.pk).update(data=b"", status=ImportStatus.FAILED,
                                                       problem="The file was removed by a personal data erasure.")
        changed += 1
    return changed
