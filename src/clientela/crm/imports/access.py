"""Who may use the import wizard (the ``import`` capability), and which imports they reach.

An import being prepared holds a user's file: only the one who uploaded it opens it. The
history (imports started) is shared by everyone who may import. An import is undone by
the one who ran it, or by an administrator (the ``restore`` capability).
"""

from __future__ import annotations

from typing import Any

from clientela.crm.accounts.permissions import has_capability
from clientela.crm.errors import NotPermitted, RecordNotFound
from clientela.crm.imports.models import FileImport, ImportStatus


def may_import(user: Any) -> bool:
    return has_capability(user, "import")


def require_import(user: Any) -> None:
    """``NotPermitted`` unless the user may import files."""
    if not may_import(user):
        raise NotPermitted("import")


def access_import(user: Any, import_id: int) -> FileImport:
    """The import ``import_id`` for ``user``, or ``RecordNotFound``."""
    require_import(user)
    found = FileImport.objects.filter(pk=import_id).select_related("created_by", "job").first()
    if found is None:
        raise RecordNotFound("import")
    if found.status == ImportStatus.DRAFT and found.created_by_id != user.pk:
        raise RecordNotFound("import")
    return found


def require_undo(user: Any, file_import: FileImport) -> None:
    """``NotPermitted`` unless the user ran the import or is an administrator."""
    if file_import.created_by_id == user.pk:
        return
    if has_capability(user, "restore"):
        return
    raise NotPermitted("undo import")
