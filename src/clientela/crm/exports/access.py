"""Who may fetch a stored export: the user who asked for it, and administrators."""

from __future__ import annotations

from typing import Any

from clientela.crm.accounts.permissions import has_capability
from clientela.crm.errors import RecordNotFound
from clientela.crm.exports.models import ExportFile


def visible_exports(user: Any) -> Any:
    """The exports the user asked for (newest first)."""
    if getattr(user, "pk", None) is None:
        return ExportFile.objects.none()
    return ExportFile.objects.filter(created_by=user).order_by("-created_at", "-id")


def access_export_by_id(user: Any, export_id: int) -> ExportFile:
    """The export, for its owner or an administrator; ``RecordNotFound`` for anyone else
    (another user's export is not revealed) and once it has expired."""
    export = ExportFile.objects.filter(pk=export_id).first()
    if export is None:
        raise RecordNotFound("export")
    if not getattr(user, "is_active", False):
        raise RecordNotFound("export")
    if export.created_by_id == user.pk:
        return export
    if has_capability(user, "audit"):  # administrators (who also read the audit trail)
        return export
    raise RecordNotFound("export")
