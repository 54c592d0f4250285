"""Every chart of a scoring run as inline SVG, drawn on the server in the reader's language.

The one chart module: the dashboard, the model page (``web``) and the standalone HTML
report (``scoring.report``, rendered by ``clientela report`` in any of the interface's
languages) all draw from here. Every chart has ``role="img"`` with a translated
``<title>`` and ``<desc>``, prints its values as text (never colour alone; two series
differ in pattern, solid against dashed or hatched) and comes with a data table
(:class:`Chart`). Every string from data goes through :func:`html.escape`; numbers are
formatted with the locale's separators.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html import escape
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from clientela.crm.labels import ACTIONS, STAGES, label

INK, GRID, ACCENT, ACCENT_2 = "#1d2733", "#d5dbe3", "#1f5fa8", "#0f7b6c"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


def _n(value: float, places: int = 0) -> str:
    rounded = round(Decimal(str(value)), places)  # number_format would cut, not round
    return number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)


def _label_width(labels: list[str]) -> int:
    """Room for the longest label at 12 px (at most about 8 px a character), 90 to 260 px."""
    longest = max((len(label) for label in labels), default=0)
    return min(260, max(90, 8 * longest + 14))


def nice_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round axis ticks (1, 2, 2.5 or 5 times a power of ten apart), at most about
    ``most`` of them, from a tick at or below ``low`` to one at or above ``high``."""
    span = high - low if high > low else (abs(high) or 1.0)
    raw = span / max(most - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9) * step
    count = math.ceil((max(high, low + step) - first) / step - 1e-9)
    return [round(first + k * step, 12) for k in range(count + 1)]


def _svg(ident: str, width: int, height: int, title: str, desc: str, body: str) -> str:
    return (
        f'<svg role="img" aria-labelledby="{ident}-t {ident}-d" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def lorenz_svg(points: list[dict[str, Any]], *, top20: float | None, width: int = 440, height: int = 320) -> str:
    """Lorenz curve of revenue with the equality diagonal and the top-20 % share marked."""
    left, right, top, bottom = 48, 16, 16, 44
    w, h = width - left - right, height - top - bottom
    xs = [float(p.get("population_share") or 0) for p in points]
    ys = [float(p.get("value_share") or 0) for p in points]
    path = " ".join(f"{left + x * w:.1f},{top + h - y * h:.1f}" for x, y in zip(xs, ys, strict=False))
    parts = []
    for t in (0, 0.25, 0.5, 0.75, 1):
        y = top + h - t * h
        x = left + t * w
        parts.append(
            f'<line x1="{left}" y1="{y:.0f}" x2="{left + w}" y2="{y:.0f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.0f}" text-anchor="end" font-size="11" fill="{INK}">{_n(t * 100)} %</text>'
            f'<text x="{x:.0f}" y="{top + h + 16}" text-anchor="middle" font-size="11" fill="{INK}">{_n(t * 100)} %</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top}" stroke="#6b7785" stroke-dasharray="5 4"/>'
        f'<polyline fill="none" stroke="{ACCENT}" stroke-width="3" points="{path}"/>'
    )
    if top20 is not None:
        # The best 20 % are the last fifth of the curve (customers ranked smallest first).
        x = left + 0.8 * w
        y = top + h - (1 - top20) * h
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + h}" stroke="{ACCENT_2}" stroke-dasharray="2 3"/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{ACCENT_2}"/>'
            f'<text x="{x - 8:.1f}" y="{y - 10:.1f}" text-anchor="end" font-size="12" font-weight="600" fill="{INK}">'
            + escape(_("top 20 %% bring %(share)s %%") % {"share": _n(100 * top20, 0)})
            + "</text>"
        )
    x_axis, y_axis = _("share of customers, smallest first"), _("share of revenue")
    parts.append(
        f'<text x="{left + w / 2:.0f}" y="{height - 6}" text-anchor="middle" font-size="12" fill="{INK}">'
        f"{escape(x_axis)}</text>"
        f'<text x="12" y="{top + h / 2:.0f}" font-size="12" fill="{INK}" transform="rotate(-90 12 {top + h / 2:.0f})" '
        f'text-anchor="middle">{escape(y_axis)}</text>'
    )
    return _svg(
        "lorenz", width, height, _("Pareto (Lorenz) curve of revenue"),
        _("Cumulative share of revenue against cumulative share of customers ranked from the "
          "smallest; the dashed diagonal is perfect equality."),
        "".join(parts),
    )


def equity_svg(points: list[tuple[datetime, float]], *, width: int = 920, height: int = 260) -> str:
    """Customer equity per model run: a line with each value printed above its point."""
    left, right, top, bottom = 70, 70, 28, 34
    w, h = width - left - right, height - top - bottom
    values = [v for _d, v in points]
    low, high = min(values), max(values)
    step = w / max(1, len(points) - 1)

    def y_of(value: float) -> float:
        if high == low:  # a flat history sits in the middle
            return top + h / 2
        return top + h - 0.1 * h - (value - low) / (high - low) * 0.8 * h

    coords = [(left + i * step, y_of(v)) for i, v in enumerate(values)]
    parts = [f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="{GRID}"/>']
    parts.append(
        f'<polyline fill="none" stroke="{ACCENT}" stroke-width="3" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>'
    )
    for (x, y), (when, value) in zip(coords, points, strict=False):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{ACCENT}"/>'
            f'<text x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle" font-size="11" fill="{INK}">{_n(value)}</text>'
            f'<text x="{x:.1f}" y="{top + h + 18}" text-anchor="middle" font-size="11" fill="{INK}">'
            f"{escape(date_format(when, 'SHORT_DATE_FORMAT'))}</text>"
        )
    return _svg(
        "equity", width, height, _("Customer equity over time"),
        _("Customer equity at each model run, oldest on the left; the value is written above each point."),
        "".join(parts),
    )


def hbars_svg(
    ident: str, labels: list[str], values: list[float], *, title: str, desc: str, width: int = 520
) -> str:
    """Horizontal bars, each with its label on the left and its count printed beside it."""
    bar_h, pad = 26, 6
    label_w = _label_width(labels)
    height = pad * 2 + bar_h * len(values)
    top = max(values, default=0) or 1.0
    span = width - label_w - 70
    parts = []
    for i, (name, value) in enumerate(zip(labels, values, strict=False)):
        y = pad + i * bar_h
        length = max(2.0, span * value / top) if value > 0 else 0.0
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h * 0.62:.0f}" text-anchor="end" font-size="12" fill="{INK}">{escape(name)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{bar_h - 8}" rx="2" fill="{ACCENT}"/>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + bar_h * 0.62:.0f}" font-size="12" fill="{INK}">{_n(value)}</text>'
        )
    return _svg(ident, width, height, title, desc, "".join(parts))


def funnel_svg(stages: list[tuple[str, int]], *, width: int = 520) -> str:
    """The loyalty ladder as a centred funnel, prospect at the top; counts printed on rows."""
    row, gap = 34, 6
    label_w = _label_width([name for name, _c in stages])
    height = len(stages) * (row + gap) + gap
    top_count = max((c for _s, c in stages), default=0) or 1
    span = width - label_w - 20
    parts = []
    for i, (name, count) in enumerate(stages):
        y = gap + i * (row + gap)
        bar = max(2.0, span * count / top_count) if count else 0.0
        x = label_w + (span - bar) / 2
        shade = ["#cfe0f5", "#a9c7ec", "#7faadf", "#4f87c9", "#2c68b0", "#1a4f8f"][i % 6]
        ink = INK if i < 3 else "#ffffff"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + row * 0.62:.0f}" text-anchor="end" font-size="12" fill="{INK}">{escape(name)}</text>'
            f'<rect x="{x:.1f}" y="{y}" width="{bar:.1f}" height="{row}" rx="3" fill="{shade}"/>'
        )
        inside = bar > 70
        text_x = label_w + span / 2 if inside else x + bar + 8
        parts.append(
            f'<text x="{text_x:.0f}" y="{y + row * 0.62:.0f}" text-anchor="{"middle" if inside else "start"}" '
            f'font-size="12" font-weight="600" fill="{ink if inside else INK}">{_n(count)}</text>'
        )
    return _svg(
        "ladder", width, height, _("Loyalty ladder"),
        _("Number of parties on each rung of the loyalty ladder, from prospect at the top to partner at the bottom."),
        "".join(parts),
    )


def heatmap_svg(cohorts: dict[str, Any], *, max_months: int = 12, max_rows: int = 12) -> str:
    """Cohort retention: rows are acquisition months, columns months since; each cell prints
    its percentage, and darker means higher."""
    months = list(cohorts.get("months", []))[: max_months + 1]
    names = list(cohorts.get("cohorts", []))[-max_rows:]
    matrix = list(cohorts.get("retention", []))[-max_rows:]
    cell_w, cell_h, left, top = 38, 22, 70, 34
    width = left + cell_w * len(months) + 10
    height = top + cell_h * len(names) + 8
    heading = _("months since first purchase")
    parts = [
        f'<text x="{left + cell_w * len(months) / 2:.0f}" y="12" text-anchor="middle" font-size="11" fill="{INK}">'
        f"{escape(heading)}</text>"
    ]
    parts += [
        f'<text x="{left + j * cell_w + cell_w / 2:.0f}" y="28" text-anchor="middle" font-size="11" fill="{INK}">{int(m)}</text>'
        for j, m in enumerate(months)
    ]
    for i, (name, values) in enumerate(zip(names, matrix, strict=False)):
        y = top + i * cell_h
        parts.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" font-size="11" fill="{INK}">{escape(str(name))}</text>')
        for j, value in enumerate(list(values)[: len(months)]):
            if value is None:
                continue
            v = min(1.0, max(0.0, float(value)))
            light = int(96 - 62 * v)  # lightness in %, 96 (pale) … 34 (dark)
            ink = "#ffffff" if light < 60 else INK
            parts.append(
                f'<rect x="{left + j * cell_w}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" rx="2" '
                f'fill="hsl(212, 62%, {light}%)"/>'
                f'<text x="{left + j * cell_w + (cell_w - 2) / 2:.0f}" y="{y + 15}" text-anchor="middle" '
                f'font-size="10" fill="{ink}">{_n(100 * v)}</text>'
            )
    return _svg(
        "cohorts", width, height, _("Cohort retention"),
        _("Share of each monthly cohort of new customers (rows) that bought again in each month since "
          "their first purchase (columns), in percent."),
        "".join(parts),
    )


@dataclass(frozen=True)
class Chart:
    """A chart with its heading, the SVG and the same figures as a table."""

    ident: str
    heading: str
    svg: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    note: str = ""
    wide: bool = False


def _clv_chart(hist: dict[str, list[float]], currency: str) -> Chart:
    """Customers by band of lifetime value (bands from ``scoring.pipeline._histogram``);
    the table adds each band's CLV and its share of the total where the run recorded them
    (runs before 2026-12 recorded counts only)."""
    edges, counts = list(hist.get("edges", [])), list(hist.get("counts", []))
    sums = list(hist.get("sums", []))
    bands = [f"{_n(edges[i])}–{_n(edges[i + 1])}" for i in range(min(len(counts), len(edges) - 1))]
    headers: tuple[str, ...] = (_("CLV band (%(currency)s)") % {"currency": currency}, _("Customers"))
    rows: list[tuple[str, ...]] = [(b, _n(c)) for b, c in zip(bands, counts, strict=False)]
    if len(sums) == len(rows):
        total = sum(sums) or 1.0
        headers += (_("Their CLV (%(currency)s)") % {"currency": currency}, _("Share of all CLV"))
        rows = [(*row, _n(v), f"{_n(100 * v / total, 1)} %") for row, v in zip(rows, sums, strict=True)]
    return Chart(
        "clv", _("Customer lifetime value"),
        hbars_svg("clv", bands, [float(c) for c in counts], title=_("CLV distribution"),
                  desc=_("Number of customers in each band of lifetime value, in %(currency)s.") % {"currency": currency}),
        headers, rows,
        note=_("Bands widen in 1-2-5 steps: most customers are worth little, a few a great deal."),
    )


def dashboard_charts(
    report: dict[str, Any], *, show_clv: bool, history: list[tuple[datetime, float]] | None = None
) -> list[Chart]:
    """The dashboard's charts from a run's report (and the equity of earlier runs); CLV
    charts only when ``show_clv``."""
    if not report:
        return []
    charts: list[Chart] = []
    currency = str(report.get("currency", ""))
    if show_clv and history and len(history) >= 2:
        charts.append(Chart(
            "equity", _("Customer equity over time"), equity_svg(history),
            (_("Model run"), _("Customer equity (%(currency)s)") % {"currency": currency}),
            [(date_format(when, "SHORT_DATE_FORMAT"), _n(value)) for when, value in history],
            wide=True,
        ))
    shares = report.get("concentration", {}).get("revenue", {}).get("top_shares", {})
    top20 = shares.get("top_20pct")
    charts.append(Chart(
        "lorenz", _("Where the revenue comes from"),
        lorenz_svg(report.get("lorenz_curve", []), top20=top20),
        (_("Best customers"), _("Share of revenue")),
        [(_("top %(n)s %%") % {"n": key.removeprefix("top_").removesuffix("pct")}, f"{_n(100 * float(v), 1)} %")
         for key, v in shares.items()],
        note=_("Gini coefficient %(gini)s") % {
            "gini": _n(float(report.get("concentration", {}).get("revenue", {}).get("gini") or 0), 2)},
    ))
    if show_clv:
        charts.append(_clv_chart(report.get("clv_distribution", {}), currency))
    ladder = report.get("loyalty_ladder", {}).get("counts", {})
    stages = [(str(STAGES[s]), int(ladder.get(s, 0))) for s in STAGES]
    charts.append(Chart(
        "ladder", _("Loyalty ladder"), funnel_svg(stages),
        (_("Rung"), _("Parties")), [(s, _n(c)) for s, c in stages],
    ))
    actions = sorted(report.get("next_best_actions", {}).items(), key=lambda kv: -kv[1])
    action_labels = [label(ACTIONS, a) for a, _c in actions]
    charts.append(Chart(
        "actions", _("Next best actions"),
        hbars_svg("actions", action_labels, [float(c) for _a, c in actions],
                  title=_("Next best actions"), desc=_("Number of parties for whom each action is proposed.")),
        (_("Action"), _("Parties")), [(lbl, _n(c)) for lbl, (_a, c) in zip(action_labels, actions, strict=False)],
    ))
    cohorts = report.get("cohorts", {})
    names = list(cohorts.get("cohorts", []))[-12:]
    sizes = list(cohorts.get("sizes", []))[-12:]
    matrix = list(cohorts.get("retention", []))[-12:]

    def month(row: list[Any], k: int) -> str:
        return f"{_n(100 * float(row[k]))} %" if len(row) > k and row[k] is not None else "—"

    charts.append(Chart(
        "cohorts", _("Cohort retention"), heatmap_svg(cohorts),
        (_("Cohort (size)"), _("Bought again after 1 / 3 / 6 months")),
        [(f"{n} ({_n(sz)})", " / ".join(month(list(r), k) for k in (1, 3, 6)))
         for n, sz, r in zip(names, sizes, matrix, strict=False)],
        wide=True,
    ))
    return charts


def holdout_svg(curve: list[dict[str, Any]], *, width: int = 920, height: int = 320) -> str:
    """Cumulative repeat transactions, expected by the model against actual, per period;
    the holdout periods are shaded and the last values printed in the legend. The two
    lines differ in pattern (solid actual, dashed expected), not only in colour."""
    left, right, top, bottom = 70, 150, 20, 44
    w, h = width - left - right, height - top - bottom
    n = len(curve)
    actual = [float(p.get("actual") or 0) for p in curve]
    expected = [float(p.get("expected") or 0) for p in curve]
    top_value = max([*actual, *expected, 1.0])
    # A round tick step (1, 2 or 5 times a power of ten) and an axis that ends on a tick.
    magnitude = 10 ** math.floor(math.log10(top_value / 4))
    tick = next(m * magnitude for m in (1, 2, 5, 10) if top_value / (m * magnitude) <= 5)
    high = tick * math.ceil(top_value / tick)
    step = w / max(1, n - 1)

    def xy(i: int, value: float) -> str:
        return f"{left + i * step:.1f},{top + h - value / high * h:.1f}"

    parts = []
    holdout_word, calibration_word = _("holdout"), _("calibration")
    x_axis, y_axis = _("period starting"), _("repeat transactions, cumulative")
    first_holdout = next((i for i, p in enumerate(curve) if p.get("holdout")), None)
    if first_holdout is not None:
        x = left + first_holdout * step
        parts.append(
            f'<rect x="{x:.1f}" y="{top}" width="{left + w - x:.1f}" height="{h}" fill="#eef3f9"/>'
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + h}" stroke="#6b7785" stroke-dasharray="2 3"/>'
            f'<text x="{x + 6:.1f}" y="{top + 14}" font-size="12" fill="{INK}">{escape(holdout_word)}</text>'
            f'<text x="{x - 6:.1f}" y="{top + 14}" text-anchor="end" font-size="12" fill="{INK}">'
            f"{escape(calibration_word)}</text>"
        )
    for k in range(round(high / tick) + 1):
        y = top + h - k * tick / high * h
        parts.append(
            f'<line x1="{left}" y1="{y:.0f}" x2="{left + w}" y2="{y:.0f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.0f}" text-anchor="end" font-size="11" fill="{INK}">{_n(k * tick)}</text>'
        )
    every = max(1, n // 5)
    for i in sorted({0, n - 1, *range(0, n - every // 2, every)}) if n else []:
        when = str(curve[i].get("period_start") or "")[:10]
        parts.append(
            f'<text x="{left + i * step:.0f}" y="{top + h + 16}" text-anchor="middle" font-size="11" fill="{INK}">'
            f"{escape(when)}</text>"
        )
    parts.append(
        f'<polyline fill="none" stroke="{INK}" stroke-width="2.5" points="'
        + " ".join(xy(i, v) for i, v in enumerate(actual)) + '"/>'
        f'<polyline fill="none" stroke="{ACCENT}" stroke-width="2.5" stroke-dasharray="7 4" points="'
        + " ".join(xy(i, v) for i, v in enumerate(expected)) + '"/>'
    )
    if n:  # the legend, with each line's last value
        for row, (name, values, dash, ink) in enumerate((
            (_("actual"), actual, "", INK), (_("expected"), expected, ' stroke-dasharray="7 4"', ACCENT),
        )):
            y_text = top + 40 + 22 * row
            parts.append(
                f'<line x1="{left + w + 8}" y1="{y_text - 4:.1f}" x2="{left + w + 28}" y2="{y_text - 4:.1f}" '
                f'stroke="{ink}" stroke-width="2.5"{dash}/>'
                f'<text x="{left + w + 32}" y="{y_text:.1f}" font-size="12" fill="{INK}">'
                f"{escape(name)} {_n(values[-1])}</text>"
            )
    parts.append(
        f'<text x="{left + w / 2:.0f}" y="{height - 6}" text-anchor="middle" font-size="12" fill="{INK}">'
        f"{escape(x_axis)}</text>"
        f'<text x="14" y="{top + h / 2:.0f}" font-size="12" fill="{INK}" transform="rotate(-90 14 {top + h / 2:.0f})" '
        f'text-anchor="middle">{escape(y_axis)}</text>'
    )
    return _svg(
        "holdout", width, height, _("Expected and actual repeat transactions"),
        _("Cumulative repeat transactions of the calibration customers per period: the solid line "
          "is what they did, the dashed line what the model fitted on the calibration period "
          "expected; the shaded part is the holdout period the model did not see."),
        "".join(parts),
    )


# --- model diagnostics (the figures behind lifetimes' plots; value.diagnostics) -----------

SOLID, DASHED = "", ' stroke-dasharray="7 4"'


def _y_scale(top_value: float) -> tuple[float, float]:
    """A round tick step and the axis top (a whole number of steps at or above the value)."""
    ticks = nice_ticks(0.0, max(top_value, 1e-9), 5)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return step, ticks[-1] if ticks[-1] > 0 else step


def _y_axis(left: int, top: int, w: float, h: float, step: float, high: float, places: int) -> list[str]:
    parts = []
    for k in range(round(high / step) + 1):
        y = top + h - k * step / high * h
        parts.append(
            f'<line x1="{left}" y1="{y:.0f}" x2="{left + w:.0f}" y2="{y:.0f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.0f}" text-anchor="end" font-size="11" fill="{INK}">{_n(k * step, places)}</text>'
        )
    return parts


def _axis_titles(left: int, top: int, w: float, h: float, height: int, x_axis: str, y_axis: str) -> str:
    return (
        f'<text x="{left + w / 2:.0f}" y="{height - 6}" text-anchor="middle" font-size="12" fill="{INK}">'
        f"{escape(x_axis)}</text>"
        f'<text x="14" y="{top + h / 2:.0f}" font-size="12" fill="{INK}" transform="rotate(-90 14 {top + h / 2:.0f})" '
        f'text-anchor="middle">{escape(y_axis)}</text>'
    )


def vbars_svg(
    ident: str, categories: list[str], series: list[tuple[str, list[float]]], *, title: str, desc: str,
    x_axis: str, y_axis: str, width: int = 600, height: int = 320,
) -> str:
    """Grouped vertical bars: per category one bar per series, each with its value printed
    above it. The first series is filled, the second outlined and hatched, so they differ
    without colour."""
    left, right, top, bottom = 60, 16, 40, 44
    w, h = width - left - right, height - top - bottom
    values = [v for _name, vs in series for v in vs]
    step, high = _y_scale(max(values, default=0.0))
    parts = [
        f'<defs><pattern id="{ident}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{ACCENT}" stroke-width="2"/></pattern></defs>'
    ]
    parts += _y_axis(left, top, w, h, step, high, 0)
    group = w / max(1, len(categories))
    bar = group * 0.8 / max(1, len(series))
    for i, name in enumerate(categories):
        x0 = left + i * group + group * 0.1
        for j, (_label, vs) in enumerate(series):
            value = float(vs[i]) if i < len(vs) else 0.0
            length = value / high * h
            x = x0 + j * bar
            fill = f'fill="{ACCENT}"' if j == 0 else f'fill="url(#{ident}-hatch)" stroke="{ACCENT}" stroke-width="1.5"'
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{top + h - length:.1f}" width="{bar - 2:.1f}" height="{length:.1f}" {fill}/>'
                f'<text x="{x + bar / 2:.1f}" y="{top + h - length - 4:.1f}" text-anchor="middle" font-size="10" '
                f'fill="{INK}">{_n(value)}</text>'
            )
        parts.append(
            f'<text x="{left + i * group + group / 2:.1f}" y="{top + h + 16}" text-anchor="middle" font-size="11" '
            f'fill="{INK}">{escape(name)}</text>'
        )
    for j, (label_text, _vs) in enumerate(series):  # legend above the plot
        x = left + j * 170
        fill = f'fill="{ACCENT}"' if j == 0 else f'fill="url(#{ident}-hatch)" stroke="{ACCENT}" stroke-width="1.5"'
        parts.append(
            f'<rect x="{x}" y="8" width="16" height="12" {fill}/>'
            f'<text x="{x + 22}" y="18" font-size="12" fill="{INK}">{escape(label_text)}</text>'
        )
    parts.append(_axis_titles(left, top, w, h, height, x_axis, y_axis))
    return _svg(ident, width, height, title, desc, "".join(parts))


def lines_svg(
    ident: str, x_labels: list[str], series: list[tuple[str, list[float]]], *, title: str, desc: str,
    x_axis: str, y_axis: str, shade_from: int | None = None, places: int = 0,
    width: int = 920, height: int = 320,
) -> str:
    """Lines over categories or periods: the first series solid, the second dashed, each
    point marked, the last value of each line printed in the legend; ``shade_from`` shades
    the holdout part from that point on."""
    left, right, top, bottom = 70, 170, 20, 44
    w, h = width - left - right, height - top - bottom
    n = len(x_labels)
    values = [v for _name, vs in series for v in vs]
    step_y, high = _y_scale(max(values, default=0.0))
    step = w / max(1, n - 1)
    parts = []
    if shade_from is not None and n:
        x = left + shade_from * step
        parts.append(
            f'<rect x="{x:.1f}" y="{top}" width="{left + w - x:.1f}" height="{h}" fill="#eef3f9"/>'
            f'<text x="{x + 6:.1f}" y="{top + 14}" font-size="12" fill="{INK}">{escape(_("holdout"))}</text>'
            f'<text x="{x - 6:.1f}" y="{top + 14}" text-anchor="end" font-size="12" fill="{INK}">'
            f"{escape(_('calibration'))}</text>"
        )
    parts += _y_axis(left, top, w, h, step_y, high, places)
    every = max(1, n // 8)
    for i in sorted({0, n - 1, *range(0, n - every // 2, every)}) if n else []:
        parts.append(
            f'<text x="{left + i * step:.0f}" y="{top + h + 16}" text-anchor="middle" font-size="11" fill="{INK}">'
            f"{escape(x_labels[i])}</text>"
        )
    for j, (name, vs) in enumerate(series):
        ink, dash = (INK, SOLID) if j == 0 else (ACCENT, DASHED)
        points = " ".join(f"{left + i * step:.1f},{top + h - float(v) / high * h:.1f}" for i, v in enumerate(vs))
        parts.append(f'<polyline fill="none" stroke="{ink}" stroke-width="2.5"{dash} points="{points}"/>')
        if n <= 40:
            parts += [
                f'<circle cx="{left + i * step:.1f}" cy="{top + h - float(v) / high * h:.1f}" r="3" fill="{ink}"/>'
                for i, v in enumerate(vs)
            ]
        y_text = top + 40 + 22 * j
        last = _n(float(vs[-1]), places) if vs else "—"
        parts.append(
            f'<line x1="{left + w + 8}" y1="{y_text - 4}" x2="{left + w + 28}" y2="{y_text - 4}" '
            f'stroke="{ink}" stroke-width="2.5"{dash}/>'
            f'<text x="{left + w + 32}" y="{y_text}" font-size="12" fill="{INK}">{escape(name)} {last}</text>'
        )
    parts.append(_axis_titles(left, top, w, h, height, x_axis, y_axis))
    return _svg(ident, width, height, title, desc, "".join(parts))


def matrix_svg(
    ident: str, row_labels: list[str], column_labels: list[str], matrix: list[list[float | None]], *,
    title: str, desc: str, row_axis: str, column_axis: str, scale: float = 1.0, places: int = 1,
) -> str:
    """A heat grid with every cell's value printed (darker is higher; empty cells are
    histories that cannot happen). ``scale`` multiplies the printed values (100 for %)."""
    cell_w, cell_h, left, top = 50, 22, 60, 40
    width = left + cell_w * len(column_labels) + 10
    height = top + cell_h * len(row_labels) + 10
    finite = [float(v) for row in matrix for v in row if v is not None]
    high = max(finite, default=0.0) or 1.0
    parts = [
        f'<text x="{left + cell_w * len(column_labels) / 2:.0f}" y="12" text-anchor="middle" font-size="11" '
        f'fill="{INK}">{escape(column_axis)}</text>',
        f'<text x="4" y="12" font-size="11" fill="{INK}">{escape(row_axis)} ↓</text>',
    ]
    parts += [
        f'<text x="{left + j * cell_w + cell_w / 2:.0f}" y="30" text-anchor="middle" font-size="11" fill="{INK}">'
        f"{escape(name)}</text>"
        for j, name in enumerate(column_labels)
    ]
    for i, (name, row) in enumerate(zip(row_labels, matrix, strict=False)):
        y = top + i * cell_h
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" font-size="11" fill="{INK}">{escape(name)}</text>')
        for j, value in enumerate(row[: len(column_labels)]):
            if value is None:
                continue
            light = int(96 - 62 * min(1.0, max(0.0, float(value) / high)))
            ink = "#ffffff" if light < 60 else INK
            parts.append(
                f'<rect x="{left + j * cell_w}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" rx="2" '
                f'fill="hsl(212, 62%, {light}%)"/>'
                f'<text x="{left + j * cell_w + (cell_w - 2) / 2:.0f}" y="{y + 15}" text-anchor="middle" '
                f'font-size="10" fill="{ink}">{_n(scale * float(value), places)}</text>'
            )
    return _svg(ident, width, height, title, desc, "".join(parts))


def _frequency_label(value: float, last: bool) -> str:
    return f"{int(value)}+" if last else str(int(value))


def _by_frequency(rows: list[dict[str, Any]]) -> tuple[list[str], list[float], list[float]]:
    """The frequency labels (the last one open: "7+") and the actual and expected series
    of a diagnostic table by repeat transactions."""
    labels_ = [_frequency_label(r["frequency"], i == len(rows) - 1) for i, r in enumerate(rows)]
    return labels_, [float(r.get("actual") or 0) for r in rows], [float(r.get("expected") or 0) for r in rows]


def _period_chart(rows: list[dict[str, Any]]) -> Chart:
    labels_, actual, expected = _by_frequency(rows)
    return Chart(
        "period-transactions", _("Customers by repeat transactions"),
        vbars_svg("period-transactions", labels_, [(_("actual"), actual), (_("expected"), expected)],
                  title=_("Customers by repeat transactions"),
                  desc=_("Number of customers with each number of repeat transactions in the calibration "
                         "period: the filled bars are the actual customers, the hatched bars what the model "
                         "expects for customers observed as long."),
                  x_axis=_("repeat transactions"), y_axis=_("customers")),
        (_("Repeat transactions"), _("Actual customers"), _("Expected customers")),
        [(lbl, _n(a), _n(e, 1)) for lbl, a, e in zip(labels_, actual, expected, strict=True)],
        note=_("A good fit puts the hatched bars on top of the filled ones."),
    )


def _holdout_frequency_chart(rows: list[dict[str, Any]]) -> Chart:
    labels_, actual, expected = _by_frequency(rows)
    return Chart(
        "holdout-frequency", _("Holdout purchases by calibration frequency"),
        lines_svg("holdout-frequency", labels_, [(_("actual"), actual), (_("expected"), expected)],
                  title=_("Holdout purchases by calibration frequency"),
                  desc=_("Mean repeat transactions per customer in the holdout period, grouped by the "
                         "customers' repeat transactions in the calibration period: the solid line is what "
                         "they did, the dashed line what the model expected."),
                  x_axis=_("repeat transactions in calibration"), y_axis=_("mean purchases in holdout"),
                  places=1, width=640),
        (_("Repeat transactions in calibration"), _("Customers"), _("Actual mean"), _("Expected mean")),
        [(lbl, _n(float(r.get("customers") or 0)), _n(a, 2), _n(e, 2))
         for lbl, r, a, e in zip(labels_, rows, actual, expected, strict=True)],
    )


def _tracking_charts(curve: list[dict[str, Any]], as_of: str = "") -> list[Chart]:
    when = [str(p.get("period_start") or "")[:10] for p in curve]
    note = ""
    if len(curve) > 1 and as_of and when[-1] and _days_between(when[-1], as_of) < 6:
        # The week still running on the scoring day holds only its first days' purchases
        # against a whole week expected: its increment would look like a collapse.
        note = _("The week still running on %(date)s is left out.") % {"date": as_of}
        incremental_curve = curve[:-1]
    else:
        incremental_curve = curve
    cumulative_actual = [float(p.get("actual") or 0) for p in curve]
    cumulative_expected = [float(p.get("expected") or 0) for p in curve]
    actual = [b - a for a, b in zip([0.0, *cumulative_actual[:-1]], cumulative_actual, strict=True)]
    expected = [b - a for a, b in zip([0.0, *cumulative_expected[:-1]], cumulative_expected, strict=True)]
    part = [_("holdout") if p.get("holdout") else _("calibration") for p in curve]
    first_holdout = next((i for i, p in enumerate(curve) if p.get("holdout")), None)
    n = len(incremental_curve)
    return [
        Chart(
            "tracking-cumulative", _("Cumulative tracking"), holdout_svg(curve),
            (_("Period starting"), _("Expected"), _("Actual"), _("Part")),
            [(w, _n(e, 1), _n(a), p) for w, e, a, p in zip(when, cumulative_expected, cumulative_actual, part, strict=True)],
            wide=True,
        ),
        Chart(
            "tracking-incremental", _("Incremental tracking"),
            lines_svg("tracking-incremental", when[:n], [(_("actual"), actual[:n]), (_("expected"), expected[:n])],
                      title=_("Repeat transactions per period"),
                      desc=_("Repeat transactions of the calibration customers in each period: the solid line "
                             "is what they did, the dashed line what the model fitted on the calibration "
                             "period expected; the shaded part is the holdout period."),
                      x_axis=_("period starting"), y_axis=_("repeat transactions per period"),
                      shade_from=first_holdout),
            (_("Period starting"), _("Expected"), _("Actual"), _("Part")),
            [(w, _n(e, 1), _n(a), p) for w, e, a, p in zip(when[:n], expected[:n], actual[:n], part[:n], strict=True)],
            note=note, wide=True,
        ),
    ]


def _days_between(first: str, second: str) -> int:
    try:
        return (date.fromisoformat(second[:10]) - date.fromisoformat(first[:10])).days
    except ValueError:
        return 7


def _matrix_charts(matrix: dict[str, Any]) -> list[Chart]:
    frequencies = [str(int(v)) for v in matrix.get("frequency", [])]
    recencies = [_n(float(v), 0) for v in matrix.get("recency", [])]
    weeks = _n(float(matrix.get("T") or 0), 0)
    days = _n(7 * float(matrix.get("t") or 0), 0)
    purchases = matrix.get("expected_purchases", [])
    alive = matrix.get("p_alive", [])
    row_axis, column_axis = _("repeat purchases"), _("weeks from the first to the last purchase (recency)")

    def table(values: list[list[float | None]], scale: float, places: int) -> list[tuple[str, ...]]:
        return [(f, *("—" if v is None else _n(scale * float(v), places) for v in row))
                for f, row in zip(frequencies, values, strict=False)]

    headers = (_("Repeat purchases (rows), recency in weeks (columns)"), *recencies)
    return [
        Chart(
            "matrix-purchases", _("Expected purchases by frequency and recency"),
            matrix_svg("matrix-purchases", frequencies, recencies, purchases,
                       title=_("Expected purchases by frequency and recency"),
                       desc=_("Purchases expected in the next %(days)s days from a customer observed for "
                              "%(weeks)s weeks, by repeat purchases (rows) and the week of the last one "
                              "(columns).") % {"days": days, "weeks": weeks},
                       row_axis=row_axis, column_axis=column_axis, places=2),
            headers, table(purchases, 1.0, 2),
            note=_("Customers observed for %(weeks)s weeks; purchases expected in the next %(days)s days.")
            % {"weeks": weeks, "days": days},
            wide=True,
        ),
        Chart(
            "matrix-alive", _("Probability alive by frequency and recency"),
            matrix_svg("matrix-alive", frequencies, recencies, alive,
                       title=_("Probability alive by frequency and recency"),
                       desc=_("Probability, in percent, that a customer observed for %(weeks)s weeks is still "
                              "active, by repeat purchases (rows) and the week of the last one (columns).")
                       % {"weeks": weeks},
                       row_axis=row_axis, column_axis=column_axis, scale=100.0, places=0),
            headers, table(alive, 100.0, 0),
            note=_("In percent. Frequent buyers who have not bought for long are the likeliest to have left."),
            wide=True,
        ),
    ]


def diagnostic_charts(report: dict[str, Any], *, tracking: bool = True) -> list[Chart]:
    """The model's diagnostic charts from a run's report (``report["diagnostics"]``,
    written by ``scoring.pipeline``): customers by repeat transactions, holdout purchases
    by calibration frequency, cumulative and incremental tracking (the cumulative one
    only with ``tracking``: the model page shows it on its own), and the
    frequency/recency matrices of expected purchases and P(alive). Runs scored before
    the diagnostics have none."""
    figures = (report or {}).get("diagnostics") or {}
    charts: list[Chart] = []
    if figures.get("period_transactions"):
        charts.append(_period_chart(figures["period_transactions"]))
    if figures.get("holdout_by_frequency"):
        charts.append(_holdout_frequency_chart(figures["holdout_by_frequency"]))
    if figures.get("tracking"):
        pair = _tracking_charts(figures["tracking"], str(report.get("as_of") or ""))
        charts += pair if tracking else pair[1:]
    if figures.get("matrix"):
        charts += _matrix_charts(figures["matrix"])
    return charts
