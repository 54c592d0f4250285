"""The exports page (/exports/): ask for a CSV of the rows you may see — downloaded at
once when small, written by the worker when large (the page follows it) — and download
your exports until they expire. Users with the export capability."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clientela.crm import labels
from clientela.crm.accounts.permissions import has_capability
from clientela.crm.errors import InvalidInput, NotPermitted, RecordNotFound
from clientela.crm.exports import storage
from clientela.crm.exports.access import access_export_by_id, visible_exports
from clientela.crm.exports.actions import request_export
from clientela.crm.exports.models import ExportStatus
from clientela.crm.exports.sources import SOURCES
from clientela.web.layout import render_page

SHOWN = 50


@login_required
@require_http_methods(["GET", "POST"])
def export_list(request: HttpRequest) -> HttpResponse:
    if not has_capability(request.user, "export"):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            export, job = request_export(request.user, kind=request.POST.get("kind", ""))
        except NotPermitted:
            error = _("You may not export these records.")
        except InvalidInput as exc:
            error = _("There is nothing to export yet.") if "kind" in exc.errors and \
                request.POST.get("kind") in SOURCES else _("Choose what to export.")
        else:
            if job is None:  # small: the file is ready, download it now
                return HttpResponseRedirect(reverse("web:export-download", args=[export.pk]))
            return HttpResponseRedirect(reverse("web:exports") + f"?started={export.pk}")
    exports = list(visible_exports(request.user).select_related("job")[:SHOWN])
    pending = any(e.status == ExportStatus.PENDING for e in exports)
    return render_page(request, "web/exports/list.html", {
        "exports": exports, "kinds": [(k, labels.label(labels.EXPORT_KINDS, k)) for k in SOURCES],
        "labels": labels.EXPORT_KINDS, "error": error, "pending": pending,
        "started": request.GET.get("started", ""),
    }, section="exports", status=422 if error else 200)


@login_required
@require_GET
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    """The export's CSV, for the user who asked for it and administrators."""
    try:
        export = access_export_by_id(request.user, export_id)
    except RecordNotFound:
        raise Http404("no such export") from None
    if export.status != ExportStatus.READY:
        return HttpResponseRedirect(reverse("web:exports"))
    response = StreamingHttpResponse(storage.read(export), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    response["Cache-Control"] = "private, no-store"
    return response
