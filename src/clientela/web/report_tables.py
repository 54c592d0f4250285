"""CSV downloads of the report tables: every table of figures on a report page (the
dashboard's charts, the model page's tables and diagnostics, the feedback page's themes,
a survey's distributions, the 360's loyalty ledgers, the pipeline's forecast and
funnel) has an "Export CSV" button.

One mechanism for every page: a page's tables are built for the user by one function
(``PAGES`` maps the page to it), which the page itself renders and which this view calls
again to write the file — so the file holds the cells the table shows, and a table or a
column the user may not see (CLV, margin) is missing from both, decided where the page
decides it. Cells are written as shown (in the user's language); a cell that is not a
plain number is neutralised against formula injection like every other export.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Protocol

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.views.decorators.http import require_GET

from clientela.crm.errors import NotPermitted
from clientela.crm.transfer.neutralise import neutralise
from clientela.crm.transfer.row_export import check_export


class FigureTable(Protocol):
    """What a report table offers: an identifier unique on its page, headers, rows of cells."""

    @property
    def ident(self) -> str: ...

    @property
    def headers(self) -> Sequence[str]: ...

    @property
    def rows(self) -> Sequence[Sequence[str]]: ...


@dataclass(frozen=True)
class Table:
    """A table of figures as the page shows it (cells already formatted)."""

    ident: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]


Builder = Callable[[Any, QueryDict], Sequence[FigureTable]]


def _lazy(module: str, name: str) -> Builder:
    """The builder ``name`` of ``clientela.web.<module>``, imported when first asked for
    (the report pages import this module for its Table)."""
    def build(user: Any, params: QueryDict) -> Sequence[FigureTable]:
        builder: Builder = getattr(import_module(f"clientela.web.{module}"), name)
        return builder(user, params)
    return build


# The report pages and the function that builds each one's tables for a user and the
# page's query (the same function the page renders from); NotPermitted where the user may
# not see the page.
PAGES: dict[str, Builder] = {
    "dashboard": _lazy("dashboard", "dashboard_tables"),
    "model": _lazy("model_run", "model_tables"),
    "feedback": _lazy("feedback", "feedback_tables"),
    "loyalty": _lazy("loyalty", "loyalty_tables"),
    "planner": _lazy("planner", "planner_tables"),
    "surveys": _lazy("surveys", "survey_list_tables"),
    "survey": _lazy("surveys", "survey_tables"),
    "party": _lazy("party_loyalty", "party_tables"),
    "pipeline": _lazy("pipeline", "pipeline_tables"),
}

# A cell a spreadsheet may read as a number: digits with grouping and decimal marks, an
# optional sign and percent. Anything else is text and neutralised.
PLAIN_NUMBER = re.compile(r"^[-\u2212]?\d[\d\s\u00a0\u202f.,]*(\s?%)?$")


def table_for(user: Any, page: str, ident: str, params: QueryDict | None = None) -> FigureTable:
    """Table ``ident`` of ``page`` (with the page's query ``params``) as ``user`` sees it: ``LookupError`` when the page has
    no such table for the user, ``NotPermitted`` without the export capability or the
    right to see the page."""
    check_export(user)
    build = PAGES.get(page)
    if build is None:
        raise LookupError(page)
    for table in build(user, params if params is not None else QueryDict()):
        if table.ident == ident:
            return table
    raise LookupError(ident)


def table_csv(table: FigureTable) -> str:
    """The table's header and rows as CSV, text cells formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(str(h)) for h in table.headers])
    for row in table.rows:
        writer.writerow([_cell(str(cell)) for cell in row])
    return out.getvalue()


def _cell(text: str) -> str:
    return text if PLAIN_NUMBER.match(text) else neutralise(text)


@login_required
@require_GET
def export_table(request: HttpRequest, page: str, ident: str) -> HttpResponse:
    """``/tables/<page>/<ident>.csv``: the table's CSV, for users with the export capability."""
    try:
        table = table_for(request.user, page, ident, request.GET)
    except NotPermitted:
        raise PermissionDenied from None
    except LookupError:
        raise Http404("no such table") from None
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{page}-{ident}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
