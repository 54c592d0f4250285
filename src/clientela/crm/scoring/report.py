"""The customer-equity report as one self-contained HTML file.

Charts are inline SVG drawn here (no script, no network, no external font),
each with a text alternative (``<title>``/``<desc>`` and a data table), and
readable without colour: values are printed on the bars and cells. Every
string from the data goes through :func:`html.escape`.
"""

from __future__ import annotations

from html import escape
from typing import Any

STAGE_LABELS = {
    "prospect": "Prospect", "customer": "Customer", "client": "Client",
    "supporter": "Supporter", "advocate": "Advocate", "partner": "Partner",
}


def _money(value: Any, currency: str) -> str:
    if value is None:
        return "n/a"
    return f"{float(value):,.0f} {escape(currency)}".replace(",", "\u202f")


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{100 * float(value):.1f} %"


def pareto_svg(points: list[dict[str, Any]], *, width: int = 420, height: int = 300) -> str:
    """Lorenz curve of revenue (customers ranked from smallest): share of customers vs revenue."""
    pad = 40
    w, h = width - 2 * pad, height - 2 * pad
    xs = [float(p.get("population_share") or 0) for p in points]
    ys = [float(p.get("value_share") or 0) for p in points]
    path = " ".join(f"{pad + x * w:.1f},{pad + h - y * h:.1f}" for x, y in zip(xs, ys, strict=False))
    grid = "".join(
        f'<line x1="{pad}" y1="{pad + h - t * h:.0f}" x2="{pad + w}" y2="{pad + h - t * h:.0f}" '
        f'stroke="#ddd"/><text x="{pad - 6}" y="{pad + h - t * h + 4:.0f}" text-anchor="end" '
        f'font-size="11">{int(t * 100)}%</text>'
        for t in (0, 0.25, 0.5, 0.75, 1)
    )
    return (
        f'<svg role="img" aria-labelledby="pareto-t pareto-d" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        '<title id="pareto-t">Pareto (Lorenz) curve of revenue</title>'
        '<desc id="pareto-d">Cumulative share of revenue against cumulative share of customers, '
        'smallest first; the dashed diagonal is perfect equality.</desc>'
        f"{grid}"
        f'<line x1="{pad}" y1="{pad + h}" x2="{pad + w}" y2="{pad}" stroke="#555" stroke-dasharray="4 4"/>'
        f'<polyline fill="none" stroke="#1f4e79" stroke-width="2.5" points="{path}"/>'
        f'<text x="{pad + w / 2}" y="{height - 6}" text-anchor="middle" font-size="12">share of customers</text>'
        f'<text x="12" y="{pad + h / 2}" font-size="12" transform="rotate(-90 12 {pad + h / 2})" '
        'text-anchor="middle">share of revenue</text></svg>'
    )


def bars_svg(
    labels: list[str], values: list[float], *, title: str, desc: str, fmt: str = "{:,.0f}",
    width: int = 520, bar_height: int = 26,
) -> str:
    """Horizontal bars with the value written beside each bar."""
    label_w, pad = 150, 8
    height = pad * 2 + bar_height * len(values)
    top = max(values) if values and max(values) > 0 else 1.0
    span = width - label_w - 90
    ident = "".join(c for c in title.lower() if c.isalnum())[:20] or "bars"
    rows = []
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        y = pad + i * bar_height
        length = max(1.0, span * value / top) if value > 0 else 0
        rows.append(
            f'<text x="{label_w - 6}" y="{y + bar_height * 0.65:.0f}" text-anchor="end" '
            f'font-size="12">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{bar_height - 8}" fill="#2e75b6"/>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + bar_height * 0.65:.0f}" font-size="12">'
            f"{escape(fmt.format(value))}</text>"
        )
    return (
        f'<svg role="img" aria-labelledby="{ident}-t {ident}-d" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(rows) + "</svg>"
    )


def heatmap_svg(cohorts: dict[str, Any], *, max_months: int = 12) -> str:
    """Cohort retention heatmap; each cell shows its percentage as text (not colour alone)."""
    months = cohorts.get("months", [])[: max_months + 1]
    names = cohorts.get("cohorts", [])[-18:]
    matrix = cohorts.get("retention", [])[-18:]
    cell_w, cell_h, left, top = 40, 20, 80, 24
    width = left + cell_w * len(months) + 10
    height = top + cell_h * len(names) + 10
    parts = [
        f'<text x="{left + j * cell_w + cell_w / 2:.0f}" y="16" text-anchor="middle" font-size="11">{m}</text>'
        for j, m in enumerate(months)
    ]
    for i, (name, row) in enumerate(zip(names, matrix, strict=False)):
        y = top + i * cell_h
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="11">{escape(name)}</text>')
        for j, value in enumerate(row[: len(months)]):
            if value is None:
                continue
            shade = int(245 - 180 * min(1.0, float(value)))
            ink = "#fff" if shade < 150 else "#000"
            parts.append(
                f'<rect x="{left + j * cell_w}" y="{y}" width="{cell_w - 1}" height="{cell_h - 1}" '
                f'fill="rgb({shade},{shade + 5 if shade < 250 else 250},255)"/>'
                f'<text x="{left + j * cell_w + cell_w / 2:.0f}" y="{y + 14}" text-anchor="middle" '
                f'font-size="10" fill="{ink}">{100 * float(value):.0f}</text>'
            )
    return (
        f'<svg role="img" aria-labelledby="cohort-t cohort-d" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        '<title id="cohort-t">Cohort retention heatmap</title>'
        '<desc id="cohort-d">Share of each acquisition-month cohort (rows) buying in each month '
        "since acquisition (columns), in percent.</desc>" + "".join(parts) + "</svg>"
    )


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: dict[str, Any]) -> str:
    """One HTML document, no external resources, from a run's report dict."""
    currency = str(report.get("currency", "PLN"))
    equity = report.get("customer_equity", {})
    kpis = report.get("kpis", {})
    model = report.get("model", {})
    ladder = report.get("loyalty_ladder", {}).get("counts", {})
    stages = [s for s in STAGE_LABELS if s in ladder]
    hist = report.get("clv_distribution", {"edges": [], "counts": []})
    edges, counts = hist.get("edges", []), hist.get("counts", [])
    clv_labels = [f"{edges[i]:,.0f}–{edges[i + 1]:,.0f}" for i in range(len(counts))]
    actions = report.get("next_best_actions", {})
    conc = report.get("concentration", {}).get("revenue", {}).get("top_shares", {})
    tiles = [
        ("Customer equity", _money(equity.get("total"), currency)),
        ("Current customers' CLV", _money(equity.get("current"), currency)),
        ("Future customers (net of CAC)", _money(equity.get("future"), currency)),
        ("Active customers", f"{kpis.get('active_customers', 0):,}"),
        ("Mean CLV", _money(kpis.get("mean_clv"), currency)),
        ("CLV / CAC", "n/a" if kpis.get("clv_to_cac") is None else f"{kpis['clv_to_cac']:.2f}"),
        ("Retention rate", _pct(kpis.get("retention_rate"))),
        ("Top 20 % revenue share", _pct(kpis.get("top20_revenue_share"))),
    ]
    tile_html = "".join(
        f'<div class="tile"><div class="k">{escape(k)}</div><div class="v">{v}</div></div>' for k, v in tiles
    )
    params = ", ".join(f"{escape(str(k))} = {float(v):.4g}" for k, v in model.get("params", {}).items())
    notes = model.get("fit_notes") or {}
    note_items = ([f"<li>Fallback: {escape(str(notes['fallback']))}</li>"] if notes.get("fallback") else []) + [
        f"<li>Skipped {escape(str(s.get('model', '')))} ({escape(str(s.get('stage', '')))}): "
        f"{escape(str(s.get('reason', '')))}</li>"
        for s in notes.get("skipped") or [] if isinstance(s, dict)
    ] + [f"<li>Warning: {escape(str(w))}</li>" for w in notes.get("warnings") or []]
    fit_notes = f"<h3>Fit notes</h3><ul>{''.join(note_items)}</ul>" if note_items else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Clientela customer-equity report {escape(str(report.get("as_of", "")))}</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;color:#1a1a1a;padding:0 1rem}}
h1{{font-size:1.6rem}} h2{{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}}
.tiles{{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:.8rem}}
.tile{{border:1px solid #bbb;border-radius:6px;padding:.7rem}} .k{{font-size:.85rem;color:#444}}
.v{{font-size:1.35rem;font-weight:600}} table{{border-collapse:collapse;margin:.5rem 0}}
td,th{{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}} th{{background:#f2f2f2}}
.grid{{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:1.5rem}}
</style></head><body>
<h1>Customer-equity report — {escape(str(report.get("as_of", "")))}</h1>
<div class="tiles">{tile_html}</div>
<h2>Where the revenue comes from</h2>
<div class="grid"><figure>{pareto_svg(report.get("lorenz_curve", []))}
<figcaption>Top 20 % of customers bring {_pct(conc.get("top_20pct"))} of revenue.</figcaption></figure>
<figure>{_table(["Top customers", "Revenue share"], [[k.replace("top_", "top ").replace("pct", " %"), _pct(v)] for k, v in conc.items()])}</figure></div>
<h2>Loyalty ladder</h2>
<figure>{bars_svg([STAGE_LABELS[s] for s in stages], [float(ladder[s]) for s in stages], title="Loyalty ladder", desc="Number of parties on each rung, prospect to partner.")}</figure>
<h2>Customer lifetime value distribution</h2>
<figure>{bars_svg(clv_labels, [float(c) for c in counts], title="CLV distribution", desc=f"Number of customers by CLV band in {currency} (top band includes the highest 1 %).")}</figure>
<h2>Cohort retention</h2>
<figure>{heatmap_svg(report.get("cohorts", {}))}</figure>
<h2>Next best actions</h2>
{_table(["Action", "Parties"], [[k.replace("_", " "), f"{v:,}"] for k, v in sorted(actions.items(), key=lambda kv: -kv[1])])}
<h2>Model</h2>
<p>{escape(str(model.get("name", "")))}: {params}; log-likelihood {float(model.get("log_likelihood") or 0):,.1f};
holdout MAE {"n/a" if model.get("holdout_mae") is None else f"{model['holdout_mae']:.4f}"}. {escape(str(model.get("reason", "")))}</p>
{fit_notes}
</body></html>
"""
