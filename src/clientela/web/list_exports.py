"""CSV downloads of list pages: the customer list (with its filters) and a segment's members.

Each view parses, checks the ``export`` capability, and streams ``row_export.iter_csv``
over the page's own query (the rows the user may see); the fields the user may not see
(CLV, margin) are left out by ``row_export``. Large exports are the runtime's background
jobs' business; these stream, so memory stays flat.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from clientela.crm.accounts.permissions import can, can_see
from clientela.crm.engagement.access import access_segment_by_id
from clientela.crm.engagement.segments import parse_definition, segment_scores
from clientela.crm.errors import NotPermitted, RecordNotFound
from clientela.crm.scoring.queries import current_run
from clientela.crm.transfer.row_export import ExportField, check_export, iter_csv
from clientela.web import queries
from clientela.web.forms import parse_filters

SEGMENT_EXPORT_FIELDS: tuple[ExportField, ...] = (
    ExportField("customer_ref", "party__ref"),
    ExportField("name", "party__name"),
    ExportField("email", "party__email"),
    ExportField("rfm_segment", "rfm_segment"),
    ExportField("ladder_stage", "ladder_stage"),
    ExportField("p_alive", "p_alive", "number"),
    ExportField("clv", "clv", "number", group="clv"),
    ExportField("next_best_action", "next_best_action"),
)


def _download(rows: object, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _check(request: HttpRequest, entity: str) -> None:
    try:
        check_export(request.user)
    except NotPermitted:
        raise PermissionDenied from None
    if not can(request.user, entity, "view"):
        raise PermissionDenied


@login_required
@require_GET
def customers_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The customer list with the filters of the page, every page of it."""
    _check(request, "party")
    query = queries.customer_export_query(request.user, parse_filters(request.GET), run=current_run())
    return _download(iter_csv(request.user, query, queries.CUSTOMER_EXPORT_FIELDS), "customers.csv")


@login_required
@require_GET
def segment_csv(request: HttpRequest, segment_id: int) -> StreamingHttpResponse:
    """The segment's members now (none before the first scoring run)."""
    _check(request, "segment")
    try:
        segment = access_segment_by_id(request.user, segment_id)
    except (RecordNotFound, NotPermitted):
        raise Http404("no such segment") from None
    run = current_run()
    definition = parse_definition(segment.definition)
    if run is None:
        from clientela.crm.scoring.models import CustomerScore

        scores = CustomerScore.objects.none()
    else:
        order = ("-clv", "party_id") if can_see(request.user, "clv") else ("party_id",)
        scores = segment_scores(request.user, definition, run).order_by(*order)
    return _download(iter_csv(request.user, scores, SEGMENT_EXPORT_FIELDS), f"segment-{segment.pk}.csv")
