"""How large an import file may be (``CLIENTELA_IMPORT_MAX_MB``), checked by every face
with the upload's size before reading it."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from clientela.crm.errors import InvalidInput


def max_megabytes() -> int:
    return round(settings.IMPORT_MAX_BYTES / 1_000_000)


def check_size(size: int) -> None:
    """``InvalidInput`` for a file over the limit (CLIENTELA_IMPORT_MAX_MB) or empty: faces
    call it with the upload's size before reading it."""
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise InvalidInput({"file": _(
            "The file is %(size)s MB; at most %(limit)s MB can be imported at once. Split it into smaller files "
            "(orders by period, say) and import them one after another."
        ) % {"size": f"{size / 1_000_000:.0f}", "limit": f"{limit / 1_000_000:.0f}"}})
    if not size:
        raise InvalidInput({"file": _("The file is empty: expected a header line naming the columns.")})
