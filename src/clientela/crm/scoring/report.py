"""The customer-equity report as one self-contained HTML file, in any interface language.

The charts are those of the pages (``scoring.charts``: the dashboard's and the model's
diagnostics), inline SVG with a text alternative and the same figures as a table;
no script, no network, no external font. Every string from the data is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from clientela.crm.scoring.charts import Chart, _n, dashboard_charts, diagnostic_charts

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;color:#1a1a1a;padding:0 1rem}
h1{font-size:1.6rem} h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:.8rem}
.tile{border:1px solid #bbb;border-radius:6px;padding:.7rem} .k{font-size:.85rem;color:#444}
.v{font-size:1.35rem;font-weight:600} .i{font-size:.85rem;color:#444}
table{border-collapse:collapse;margin:.5rem 0} td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}
th{background:#f2f2f2} figure{margin:1.5rem 0} svg{max-width:100%;height:auto} .note{color:#444}
"""


def _money(value: Any, currency: str) -> str:
    return "—" if value is None else f"{_n(float(value))} {currency}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{_n(100 * float(value), 1)} %"


def _figure(chart: Chart) -> str:
    head = "".join(f'<th scope="col">{escape(str(h))}</th>' for h in chart.headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in chart.rows
    )
    note = f'<p class="note">{escape(chart.note)}</p>' if chart.note else ""
    return (
        f'<figure id="{escape(chart.ident)}"><h2>{escape(chart.heading)}</h2>{note}{chart.svg}'
        f"<details><summary>{escape(_('Show the figures as a table'))}</summary>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details></figure>"
    )


def render_html(report: dict[str, Any], *, language: str | None = None) -> str:
    """One HTML document from a run's report, in ``language`` (default: the site's)."""
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        return _render(report, language)


def _tiles(report: dict[str, Any], currency: str) -> str:
    equity = report.get("customer_equity", {})
    kpis = report.get("kpis", {})
    interval = ""
    if equity.get("total_low") is not None and equity.get("total_high") is not None:
        interval = _("90 %% interval: %(low)s to %(high)s") % {
            "low": _money(equity["total_low"], currency), "high": _money(equity["total_high"], currency)}
    clv_to_cac = kpis.get("clv_to_cac")
    tiles = [
        (_("Customer equity"), _money(equity.get("total"), currency), interval),
        (_("Current customers' CLV"), _money(equity.get("current"), currency), ""),
        (_("Future customers, net of acquisition cost"), _money(equity.get("future"), currency), ""),
        (_("Active customers"), _n(float(kpis.get("active_customers") or 0)), ""),
        (_("Mean CLV"), _money(kpis.get("mean_clv"), currency), ""),
        (_("CLV / CAC"), "—" if clv_to_cac is None else _n(float(clv_to_cac), 2), ""),
        (_("Retention rate"), _pct(kpis.get("retention_rate")), ""),
        (_("Revenue share of the top 20 %"), _pct(kpis.get("top20_revenue_share")), ""),
    ]
    return "".join(
        f'<div class="tile"><div class="k">{escape(k)}</div><div class="v">{escape(v)}</div>'
        + (f'<div class="i" data-interval>{escape(i)}</div>' if i else "") + "</div>"
        for k, v, i in tiles
    )


def _fit_notes(notes: dict[str, Any]) -> str:
    """What the fit said (scoring.pipeline's fit notes): the fallback model, the models
    skipped and why, boundary warnings; the engine's own words are shown as they are."""
    if not isinstance(notes, dict):
        return ""
    items = [f"<li>{escape(_('Fallback model'))}: {escape(str(notes['fallback']))}</li>"] if notes.get("fallback") else []
    items += [
        "<li>" + escape(_("Skipped %(model)s (%(stage)s): %(reason)s") % {
            "model": s.get("model", ""), "stage": s.get("stage", ""), "reason": s.get("reason", "")}) + "</li>"
        for s in notes.get("skipped") or [] if isinstance(s, dict)
    ]
    items += [f"<li>{escape(_('Warnings'))}: {escape(str(w))}</li>" for w in notes.get("warnings") or []]
    return f"<h3>{escape(_('Fit notes'))}</h3><ul>{''.join(items)}</ul>" if items else ""


def _render(report: dict[str, Any], language: str) -> str:
    currency = str(report.get("currency", ""))
    as_of = str(report.get("as_of", ""))
    model = report.get("model", {})
    params = ", ".join(f"{escape(str(k))} = {_n(float(v), 4)}" for k, v in model.get("params", {}).items())
    mae = model.get("holdout_mae")
    model_line = (
        f"<p>{escape(str(model.get('name', '')))}: {params}; {escape(_('Log-likelihood'))} "
        f"{_n(float(model.get('log_likelihood') or 0), 1)}; {escape(_('Holdout MAE'))} "
        f"{'—' if mae is None else _n(float(mae), 4)}.</p>"
        f"<p>{escape(_('Why'))}: {escape(str(model.get('reason', '')))}</p>"
    )
    fit_notes = _fit_notes(model.get("fit_notes") or {})
    overview = "".join(_figure(c) for c in dashboard_charts(report, show_clv=True))
    diagnostics = "".join(_figure(c) for c in diagnostic_charts(report))
    title = _("Customer-equity report %(date)s") % {"date": as_of}
    return f"""<!DOCTYPE html>
<html lang="{escape(language)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{STYLE}</style></head><body>
<h1>{escape(title)}</h1>
<div class="tiles">{_tiles(report, currency)}</div>
{overview}
<h2>{escape(_("Lifetime-value model"))}</h2>
{model_line}
{fit_notes}
{diagnostics}
</body></html>
"""
