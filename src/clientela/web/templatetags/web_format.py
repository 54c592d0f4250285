"""Template filters that write numbers, money and shares in the active locale's format.

``{{ value|money:"PLN" }}`` → ``2 210 635 PLN`` in Polish, ``2,210,635 PLN`` in English;
``{{ value|pct }}`` → ``40,3 %`` / ``40.3 %``. Grouping is forced here, so the project
need not turn on ``USE_THOUSAND_SEPARATOR`` (which would also group ids in URLs).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from clientela.crm import labels
from clientela.crm.webhooks.events import EVENT_TYPES as WEBHOOK_EVENTS

register = template.Library()

Number = int | float | Decimal


def _fmt(value: Number, places: int) -> str:
    # Django's number_format cuts extra decimals off; round half-even first (40.29 → 40.3).
    rounded = round(Decimal(str(value)), places)
    return number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def num(value: Any, places: int = 0) -> str:
    """A number grouped and with ``places`` decimals in the locale's format; "—" for none."""
    if value is None or value == "":
        return "—"
    return _fmt(value, int(places))


@register.filter
def money(value: Any, currency: str = "") -> str:
    """A whole amount with the currency code after it (the Polish and Russian order)."""
    if value is None or value == "":
        return "—"
    text = _fmt(round(Decimal(str(value))), 0)
    return f"{text}\u00a0{currency}" if currency else text


@register.filter
def pct(value: Any, places: int = 1) -> str:
    """A share (0–1) as a percentage."""
    if value is None or value == "":
        return "—"
    return f"{_fmt(Decimal(str(value)) * 100, int(places))}\u00a0%"


@register.filter
def pp(value: Any, places: int = 1) -> str:
    """A difference of two shares (0–1) in percentage points, with its sign: ``+6.8 pp``."""
    if value is None or value == "":
        return "—"
    shown = _("%(value)s pp") % {"value": signed(Decimal(str(value)) * 100, places)}
    return shown.replace(" ", "\u00a0")


@register.filter
def signed(value: Any, places: int = 1) -> str:
    """A change with its sign, e.g. ``+1.2`` or ``−0.4``."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("\u2212" if value < 0 else "±")
    return f"{sign}{_fmt(abs(value), int(places))}"


@register.simple_tag
def trend_word(delta: Any) -> str:
    """Words for a trend's direction, so the arrow is never the only cue."""
    if delta is None:
        return ""
    if delta > 0:
        return _("up")
    if delta < 0:
        return _("down")
    return _("unchanged")


@register.simple_tag
def query_with(query: Any, **changes: Any) -> str:
    """The query string ``query`` (a QueryDict) with ``changes`` applied, e.g. the next page."""
    params = query.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded: str = params.urlencode()
    return f"?{encoded}" if encoded else "?"


_TABLES = {
    "segment": labels.SEGMENTS, "stage": labels.STAGES, "action": labels.ACTIONS,
    "channel": labels.CHANNELS, "direction": labels.DIRECTIONS, "purpose": labels.CONSENT_PURPOSES,
    "basis": labels.LAWFUL_BASES, "kind": labels.PARTY_KINDS, "role": labels.PARTY_ROLES,
    "acquisition": labels.ACQUISITION_CHANNELS, "deal_status": labels.DEAL_STATUS,
    "case_status": labels.CASE_STATUS, "priority": labels.PRIORITIES, "case_category": labels.CASE_CATEGORIES,
    "job_status": labels.JOB_STATUS, "job_kind": labels.JOB_KINDS, "job_outcome": labels.JOB_OUTCOMES,
    "export_kind": labels.EXPORT_KINDS, "export_status": labels.EXPORT_STATUS,
    "import_status": labels.IMPORT_STATUS, "import_kind": labels.IMPORT_KINDS,
    "points_kind": labels.POINTS_KINDS, "webhook_status": labels.WEBHOOK_STATUS,
    "webhook_event": WEBHOOK_EVENTS, "value_tier": labels.VALUE_TIERS,
}


@register.filter
def code_label(code: Any, table: str) -> str:
    """The translated name of a stored code, e.g. ``{{ "win_back"|code_label:"action" }}``."""
    return labels.label(_TABLES[table], code) if code else "—"


@register.filter
def sub(value: Any, other: Any) -> Decimal | None:
    """``value − other`` for amounts; none when either is missing."""
    if value is None or other is None:
        return None
    return Decimal(str(value)) - Decimal(str(other))


@register.filter
def css_pct(value: Any) -> str:
    """A share (0–1) as a CSS percentage with a dot, whatever the locale (bar widths)."""
    share = min(1.0, max(0.0, float(value or 0)))
    return f"{share * 100:.1f}%"


@register.inclusion_tag("web/_pager.html", takes_context=True)
def pager(
    context: Any, number: int, has_next: bool, *, target: str = "", push: bool = False,
    next_testid: str = "", query: Any = None,
) -> dict[str, Any]:
    """The Previous · Page n · Next bar under every list. The links keep the request's other
    query parameters (filters); with ``target`` (an element id) htmx swaps only that element,
    and ``push`` puts the new page in the address bar."""
    params = context["request"].GET if query is None else query
    number = int(number)
    return {
        "number": number,
        "prev": query_with(params, page=number - 1) if number > 1 else "",
        "next": query_with(params, page=number + 1) if has_next else "",
        "target": target, "push": push, "next_testid": next_testid,
    }


@register.inclusion_tag("web/_table_head.html")
def table_head(testid: str, *headings: str, css: str = "", num: str = "") -> dict[str, Any]:
    """The opening of a list table: its scrolling wrapper, the table and one column heading
    per ``headings`` (already translated, ``_("…")``). ``num`` names, by their 1-based
    positions ("4,5"), the headings of number columns (right-aligned). ``table_end`` closes
    the table after its rows."""
    numeric = {int(i) for i in num.split(",") if i.strip()}
    return {
        "testid": testid, "css": css,
        "headings": [(_percent_restored(h), i + 1 in numeric) for i, h in enumerate(headings)],
    }


@register.inclusion_tag("web/_table_end.html")
def table_end() -> dict[str, Any]:
    """The close of a list table that ``table_head`` (or a ``table-wrap`` div) opened:
    ``</table></div>``, after the template's ``</tbody>``."""
    return {}


def _percent_restored(heading: str) -> str:
    """A ``_("95 % interval")`` argument arrives with its percent signs doubled (the
    template engine doubles them before looking the text up, as ``{% translate %}`` does,
    but only that tag restores them): look the text up as written and show one sign."""
    text = str(heading)
    return _(text.replace("%%", "%")) if "%%" in text else heading
