"""The import wizard (/import/): upload a CSV or XLSX file, check how it is read and how its
columns map onto fields, see the first rows as they will be stored and every bad row,
start the import (a job, with a progress bar), follow the history and undo an import.

The writes are ``crm.imports.actions``; what the page shows is ``crm.imports.plan.inspect``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.crm import labels
from clientela.crm.errors import Conflict, InvalidInput, NotPermitted, RecordNotFound
from clientela.crm.imports import actions, journal, limits, recipes, sources
from clientela.crm.imports.access import access_import, require_import, require_undo
from clientela.crm.imports.headers import fields
from clientela.crm.imports.models import FileImport, ImportStatus
from clientela.crm.imports.plan import inspect, sheet_of
from clientela.crm.imports.queries import drafts_of, history
from clientela.crm.transfer.columns import IGNORE_FIELD
from clientela.web.import_reasons import translate_reason
from clientela.web.layout import render_page

PAGE_SIZE = 50
MAX_PAGE = 200


def _allowed(request: HttpRequest) -> None:
    try:
        require_import(request.user)
    except NotPermitted:
        raise PermissionDenied from None


def _upload(request: HttpRequest, upload_id: int) -> FileImport:
    try:
        return access_import(request.user, upload_id)
    except NotPermitted:
        raise PermissionDenied from None
    except RecordNotFound:
        raise Http404 from None


def _file_from(request: HttpRequest) -> tuple[str, bytes]:
    uploaded = request.FILES.get("file")
    if uploaded is None:
        raise InvalidInput({"file": _("Choose a file to upload.")})
    limits.check_size(uploaded.size or 0)  # before reading a file too large
    return uploaded.name or "upload", uploaded.read()


@login_required
@require_http_methods(["GET", "POST"])
def import_home(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            name, data = _file_from(request)
            upload = actions.upload_file(request.user, file_name=name, data=data)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            return HttpResponseRedirect(reverse("web:import", args=[upload.pk]))
    try:
        page = min(max(int(request.GET.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    start = (page - 1) * PAGE_SIZE
    rows = list(history()[start:start + PAGE_SIZE + 1])
    for row in rows:
        row.may_undo = row.status == ImportStatus.IMPORTED and _may_undo(request.user, row)
        counts = row.counts or {}
        row.created_total = sum(v for k, v in counts.items() if k.endswith("_created") and isinstance(v, int))
        row.changed_total = sum(v for k, v in counts.items() if k.endswith("_changed") and isinstance(v, int))
    return render_page(request, "web/imports/home.html", {
        "errors": errors, "history": rows[:PAGE_SIZE], "drafts": list(drafts_of(request.user)[:10]),
        "page": page, "has_next": len(rows) > PAGE_SIZE and page < MAX_PAGE,
        "statuses": labels.IMPORT_STATUS, "recipes": recipes.RECIPES.values(),
        "limit_mb": limits.max_megabytes(),
    }, section="import", status=422 if errors else 200)


def _detail(request: HttpRequest, upload: FileImport, *, errors: dict[str, str] | None = None) -> HttpResponse:
    context: dict[str, Any] = {
        "upload": upload, "errors": errors or {}, "statuses": labels.IMPORT_STATUS,
        "encodings": sources.ENCODINGS, "kinds": labels.IMPORT_KINDS,
        "encoding_label": sources.ENCODINGS.get(upload.encoding, upload.encoding),
        "delimiters": [("tab" if key == "\t" else key, (key, name)) for key, name in labels.DELIMITERS.items()],
        "recipes": recipes.RECIPES, "recipe": recipes.RECIPES.get(upload.recipe),
        "kinds_offered": [k.value for k in journal.WIZARD_KINDS], "ignore": IGNORE_FIELD,
    }
    if upload.status in actions.EDITABLE:
        found = inspect(upload)
        field_names = [spec.name for spec in fields(upload.kind)]
        context.update(
            found=found,
            columns=[(i, h, upload.mapping.get(h, IGNORE_FIELD), found.samples.get(h, []))
                     for i, h in enumerate(found.header)],
            field_names=field_names,
            bad_rows=[{**e, "reason": translate_reason(e["reason"])} for e in found.errors],
        )
    if upload.status == ImportStatus.FAILED:
        context["job_errors"] = [{**e, "reason": translate_reason(e["reason"])} for e in upload.errors]
    context["may_undo"] = upload.status == ImportStatus.IMPORTED and _may_undo(request.user, upload)
    return render_page(request, "web/imports/detail.html", context, section="import",
                       status=422 if errors else 200)


@login_required
@require_GET
def import_detail(request: HttpRequest, upload_id: int) -> HttpResponse:
    return _detail(request, _upload(request, upload_id))


@login_required
@require_POST
def import_settings(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _upload(request, upload_id)
    post = request.POST
    changes: dict[str, Any] = {
        "create_missing": post.get("create_missing") == "on",
        "accept_formulas": post.get("accept_formulas") == "on",
    }
    for name in ("encoding", "delimiter", "kind", "recipe"):
        if name in post:
            changes[name] = post[name]
    if changes.get("delimiter") == "tab":
        changes["delimiter"] = "\t"
    reading_changed = any(changes.get(n, getattr(upload, n)) != getattr(upload, n)
                          for n in ("encoding", "delimiter", "kind", "recipe"))
    if not reading_changed and any(key.startswith("map-") for key in post):
        try:
            header = sheet_of(upload).header
        except InvalidInput:
            header = []
        changes["mapping"] = {h: post.get(f"map-{i}", IGNORE_FIELD) for i, h in enumerate(header)}
    return _act(request, upload, lambda: actions.update_settings(request.user, upload, **changes))


@login_required
@require_POST
def import_file(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _upload(request, upload_id)

    def replace() -> None:
        name, data = _file_from(request)
        actions.replace_file(request.user, upload, file_name=name, data=data)

    return _act(request, upload, replace)


@login_required
@require_POST
def import_start(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _upload(request, upload_id)
    return _act(request, upload, lambda: actions.start_import(request.user, upload))


def _act(request: HttpRequest, upload: FileImport, act: Callable[[], object]) -> HttpResponse:
    """Run one of the wizard's actions: back to the wizard's page when it is done, the
    page with the refusal under its field (422) when the input or the import's state is wrong."""
    try:
        act()
    except (InvalidInput, Conflict) as exc:
        return _detail(request, upload, errors=_errors(exc))
    return HttpResponseRedirect(reverse("web:import", args=[upload.pk]))


@login_required
@require_GET
def import_progress(request: HttpRequest, upload_id: int) -> HttpResponse:
    """The progress card alone (htmx polls it while the job runs)."""
    upload = _upload(request, upload_id)
    return render_page(request, "web/imports/_progress.html", {
        "upload": upload, "statuses": labels.IMPORT_STATUS,
        "may_undo": upload.status == ImportStatus.IMPORTED and _may_undo(request.user, upload)}, section="import")


@login_required
@require_POST
def import_undo(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _upload(request, upload_id)
    try:
        actions.undo_import(request.user, upload)
    except NotPermitted:
        raise PermissionDenied from None
    except Conflict as exc:
        return _detail(request, upload, errors={"undo": str(exc)})
    return HttpResponseRedirect(reverse("web:import", args=[upload.pk]))


def _may_undo(user: Any, upload: FileImport) -> bool:
    try:
        require_undo(user, upload)
    except NotPermitted:
        return False
    return True


def _errors(exc: InvalidInput | Conflict) -> dict[str, str]:
    return exc.errors if isinstance(exc, InvalidInput) else {"status": str(exc)}
