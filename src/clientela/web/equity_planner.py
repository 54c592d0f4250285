"""The equity planner's figures: yearly budgets → predicted customer equity, optimum marked.

Everything is computed by the allocation engine (``insight.allocation``) from the inputs
the scoring run measured (``ModelRun.summary["allocation"]``, an
:class:`~clientela.insight.allocation.AllocationInputs`). Two charts: predicted equity
against the acquisition budget (at the chosen retention budget, and at the optimal one)
and against the retention budget (at the chosen and at the optimal acquisition budget).
Each marks the chosen allocation and the optimum and prints both values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from clientela.crm.scoring.charts import ACCENT, ACCENT_2, GRID, INK, _n, _svg, nice_ticks

if TYPE_CHECKING:  # the engine (pandas, SciPy) is imported when the planner page is drawn
    from clientela.insight.allocation import AllocationInputs

SAMPLES = 60


def nice_step(span: float, steps: int = 200) -> float:
    """A round slider step (1, 2 or 5 × 10^k) giving about ``steps`` positions over ``span``."""
    raw = max(span / steps, 1e-9)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return float(factor * power)
    return float(10 * power)


def snap(value: float, step: float, top: float) -> float:
    """``value`` on the slider's grid, within 0 … ``top``."""
    return float(min(top, max(0.0, round(value / step) * step)))


@dataclass(frozen=True)
class Slider:
    name: str
    value: float
    top: float
    step: float


@dataclass(frozen=True)
class Point:
    """An allocation: yearly budgets, the rates they buy and the predicted equity."""

    acquisition_budget: float
    retention_budget: float
    acquisition_rate: float
    retention_rate: float
    equity: float


@dataclass(frozen=True)
class CurveTable:
    ident: str
    heading: str
    svg: str
    headers: tuple[str, str, str]
    rows: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Planner:
    inputs: AllocationInputs
    sliders: tuple[Slider, Slider]
    today: Point
    chosen: Point
    optimum: Point
    charts: list[CurveTable]

    @property
    def gap(self) -> float:
        """How much equity the chosen allocation leaves below the optimum."""
        return self.optimum.equity - self.chosen.equity


def inputs_from(stored: dict[str, Any]) -> AllocationInputs | None:
    """The stored inputs as the engine's dataclass; None when missing or unusable."""
    if not stored or "unavailable" in stored:
        return None
    from clientela.insight.allocation import AllocationInputs

    try:
        inputs = AllocationInputs(**stored)
        inputs.acquisition_curve()
        inputs.retention_curve()
    except (TypeError, ValueError):
        return None
    return inputs


@dataclass(frozen=True)
class CurveSource:
    """Where one response curve comes from: the experiment used (``used``, an entry of
    ``experiments.outcomes.measured_lifts``), or the assumption (None); and each experiment
    that was not used, with why."""

    curve: str
    used: dict[str, Any] | None
    rejected: list[tuple[dict[str, Any], str]]
    text: str  # the sentence the page shows: "measured from … (n = …, ±…)" or "assumed: …"


@dataclass(frozen=True)
class Learning:
    """Both curves' sources, and the inputs at the measured intervals' low and high ends
    (None when both curves are assumed)."""

    sources: tuple[CurveSource, CurveSource]
    low_inputs: AllocationInputs | None
    high_inputs: AllocationInputs | None

    @property
    def measured(self) -> bool:
        return self.low_inputs is not None

    def band(self, acquisition: float, retention: float) -> dict[str, float] | None:
        """Equity at the given budgets and at the optimum across the measured intervals."""
        if self.low_inputs is None or self.high_inputs is None:
            return None
        ends = (self.low_inputs, self.high_inputs)
        chosen = [i.equity(acquisition, retention) for i in ends]
        best = [i.plan().optimal_equity for i in ends]
        return {"chosen_low": min(chosen), "chosen_high": max(chosen),
                "optimum_low": min(best), "optimum_high": max(best)}


def _reason(entry: dict[str, Any], *, share: float | None, currency: str) -> str:
    problem = entry.get("problem")
    if problem == "no_outcome":
        return _("no customer's measurement window has ended yet")
    if problem == "too_few":
        return _("fewer than 30 customers in a group have a finished measurement "
                 "(%(treated)s treated, %(control)s control)") % {
            "treated": _n(entry["treated"]), "control": _n(entry["control"])}
    if problem == "no_cost":
        return _("no cost is recorded, so the lift cannot be tied to a spend")
    return _("its 95 %% interval (%(low)s to %(high)s) leaves open %(share)s of the lifts the curve can "
             "show at %(spend)s a customer, so it says less than the assumption") % {
        "low": _points(entry["ci_low"]), "high": _points(entry["ci_high"]),
        "share": f"{round(100 * (share or 0))} %", "spend": _spend(entry["spend_per_customer"], currency)}


def _source_text(curve: str, used: dict[str, Any] | None, *, currency: str) -> str:
    if used is None:
        if curve == "acquisition":
            return _("assumed: spending more could win at most half of the prospects not won today")
        return _("assumed: spending more could keep at most half of the customers lost today")
    return _("measured from “%(name)s” (n = %(treated)s treated, %(control)s control): %(lift)s, "
             "95 %% interval %(low)s to %(high)s (±%(half)s), for %(spend)s more a party") % {
        "name": used["name"], "treated": _n(used["treated"]), "control": _n(used["control"]),
        "lift": _points(used["lift"]), "low": _points(used["ci_low"]), "high": _points(used["ci_high"]),
        "half": _points(0.5 * (used["ci_high"] - used["ci_low"])).lstrip("+"),
        "spend": _spend(used["spend_per_customer"], currency)}


def _spend(value: float, currency: str) -> str:
    """A spend per party with two decimals (a mail costs less than a unit)."""
    from clientela.web.templatetags.web_format import num

    return f"{num(value, 2)}\u00a0{currency}" if currency else num(value, 2)


def _points(value: float) -> str:
    """A difference of rates in percentage points, signed (``web_format.pp``)."""
    from clientela.web.templatetags.web_format import pp

    return pp(value)


def learn(inputs: AllocationInputs, candidates: dict[str, list[dict[str, Any]]], *, currency: str = ""
          ) -> tuple[AllocationInputs, Learning]:
    """The inputs with each curve anchored on its best measured lift, where one is usable.

    For each curve, the candidates (``experiments.outcomes.measured_lifts``) with a cost,
    enough data and an informative interval (``insight.allocation.uninformative``) are
    usable; the one with the narrowest interval is used (``insight.allocation.
    with_measured_lift``) and the others are listed with why not."""
    from clientela.insight.allocation import uninformative, with_measured_lift

    central, low, high = inputs, inputs, inputs
    sources = []
    for curve in ("acquisition", "retention"):
        rejected: list[tuple[dict[str, Any], str]] = []
        usable = []
        for entry in candidates.get(curve, []):
            if entry.get("problem"):
                rejected.append((entry, _reason(entry, share=None, currency=currency)))
                continue
            share = uninformative(inputs, curve=curve, ci_low=entry["ci_low"], ci_high=entry["ci_high"],
                                  extra_spend=entry["spend_per_customer"])
            if share is not None:
                rejected.append((entry, _reason(entry, share=share, currency=currency)))
            else:
                usable.append(entry)
        usable.sort(key=lambda e: e["ci_high"] - e["ci_low"])
        used = usable[0] if usable else None
        if used is not None:
            for other in usable[1:]:
                rejected.append((other, _("a narrower interval was measured by “%(name)s”") % {
                    "name": used["name"]}))
            spend = used["spend_per_customer"]
            central = with_measured_lift(central, curve=curve, lift=used["lift"], extra_spend=spend)
            low = with_measured_lift(low, curve=curve, lift=used["ci_low"], extra_spend=spend)
            high = with_measured_lift(high, curve=curve, lift=used["ci_high"], extra_spend=spend)
        sources.append(CurveSource(curve, used, rejected, _source_text(curve, used, currency=currency)))
    acquisition, retention = sources
    measured = acquisition.used is not None or retention.used is not None
    return central, Learning((acquisition, retention), low if measured else None, high if measured else None)


def _point(inputs: AllocationInputs, acquisition: float, retention: float) -> Point:
    a, r = inputs.spends(acquisition, retention)
    return Point(
        acquisition_budget=acquisition, retention_budget=retention,
        acquisition_rate=inputs.acquisition_curve().rate(a),
        retention_rate=inputs.retention_curve().rate(r),
        equity=inputs.equity(acquisition, retention),
    )


def planner(
    inputs: AllocationInputs, *, acquisition: float | None = None, retention: float | None = None,
    currency: str = "",
) -> Planner:
    """Figures for the chosen yearly budgets (today's when not given, on the slider grid)."""
    plan = inputs.plan()
    best_a, best_r = inputs.budgets(plan.optimal)
    today = _point(inputs, inputs.acquisition_budget, inputs.retention_budget)
    optimum = _point(inputs, best_a, best_r)
    sliders = []
    for name, now, best, chosen in (("acquisition", inputs.acquisition_budget, best_a, acquisition),
                                    ("retention", inputs.retention_budget, best_r, retention)):
        top_raw = max(2.5 * now, 1.5 * best, 1.0)
        step = nice_step(top_raw)
        top = math.ceil(top_raw / step) * step
        value = snap(now if chosen is None or not math.isfinite(chosen) else chosen, step, top)
        sliders.append(Slider(name, value, float(top), step))
    acq, ret = sliders
    chosen_point = _point(inputs, acq.value, ret.value)
    charts = [
        _curve(inputs, "acquisition", acq, chosen_point, optimum, other_chosen=ret.value,
               other_best=best_r, currency=currency),
        _curve(inputs, "retention", ret, chosen_point, optimum, other_chosen=acq.value,
               other_best=best_a, currency=currency),
    ]
    return Planner(inputs, (acq, ret), today, chosen_point, optimum, charts)


def _curve(
    inputs: AllocationInputs, which: str, slider: Slider, chosen: Point, optimum: Point, *,
    other_chosen: float, other_best: float, currency: str,
) -> CurveTable:
    xs = [slider.top * i / SAMPLES for i in range(SAMPLES + 1)]

    def equity(x: float, other: float) -> float:
        return inputs.equity(x, other) if which == "acquisition" else inputs.equity(other, x)

    mine = [equity(x, other_chosen) for x in xs]
    best = [equity(x, other_best) for x in xs]
    if which == "acquisition":
        heading = _("Equity against the acquisition budget")
        x_label = _("acquisition budget a year (%(currency)s)") % {"currency": currency}
        solid = _("at your retention budget")
        dashed = _("at the optimal retention budget")
        chosen_x, best_x = chosen.acquisition_budget, optimum.acquisition_budget
    else:
        heading = _("Equity against the retention budget")
        x_label = _("retention budget a year (%(currency)s)") % {"currency": currency}
        solid = _("at your acquisition budget")
        dashed = _("at the optimal acquisition budget")
        chosen_x, best_x = chosen.retention_budget, optimum.retention_budget
    desc = _(
        "Predicted customer equity (%(currency)s) for budgets from 0 to %(top)s; solid line %(solid)s, "
        "dashed line %(dashed)s. Your allocation: %(chosen_x)s gives %(chosen)s. Optimum: %(best_x)s "
        "gives %(best)s."
    ) % {"currency": currency, "top": _n(slider.top), "solid": solid, "dashed": dashed,
         "chosen_x": _n(chosen_x), "chosen": _n(chosen.equity), "best_x": _n(best_x), "best": _n(optimum.equity)}
    svg = curve_svg(
        which, xs, mine, best, chosen=(chosen_x, chosen.equity), optimum=(best_x, optimum.equity),
        title=heading, desc=desc, x_label=x_label, legend=(solid, dashed),
    )
    rows = [(_n(x), _n(m), _n(b)) for x, m, b in list(zip(xs, mine, best, strict=True))[::6]]
    return CurveTable(which, heading, svg, (x_label, solid, dashed), rows)


def curve_svg(
    ident: str, xs: list[float], mine: list[float], best: list[float], *,
    chosen: tuple[float, float], optimum: tuple[float, float], title: str, desc: str,
    x_label: str, legend: tuple[str, str], width: int = 560, height: int = 340,
) -> str:
    """Two equity curves over a budget axis, with the chosen point and the optimum marked
    and their values printed (the shape of the marker and the words carry the meaning,
    not the colour alone)."""
    left, right, top, bottom = 78, 20, 60, 48
    w, h = width - left - right, height - top - bottom
    values = mine + best + [chosen[1], optimum[1]]
    y_ticks = nice_ticks(min(min(values), 0.0), max(values))
    low, high = y_ticks[0], y_ticks[-1]
    x_top = xs[-1] or 1.0
    x_ticks = [x for x in nice_ticks(0.0, x_top) if x <= x_top * (1 + 1e-9)]

    def px(x: float) -> float:
        return left + x / x_top * w

    def py(y: float) -> float:
        return top + h - (y - low) / (high - low) * h

    parts = []
    for value in y_ticks:
        y = py(value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + w}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{INK}">{_n(value)}</text>'
        )
    for x in x_ticks:
        parts.append(
            f'<text x="{px(x):.1f}" y="{top + h + 16}" text-anchor="middle" font-size="11" fill="{INK}">{_n(x)}</text>'
        )
    if low < 0:
        parts.append(f'<line x1="{left}" y1="{py(0):.1f}" x2="{left + w}" y2="{py(0):.1f}" stroke="#6b7785"/>')

    def line(ys: list[float], dash: str) -> str:
        points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys, strict=True))
        return f'<polyline fill="none" stroke="{ACCENT if not dash else ACCENT_2}" stroke-width="2.5"{dash} points="{points}"/>'

    parts.append(line(best, ' stroke-dasharray="6 4"'))
    parts.append(line(mine, ""))
    bx, by = px(optimum[0]), py(optimum[1])
    cx, cy = px(chosen[0]), py(chosen[1])
    # Optimum: a diamond, its label above; the chosen point: a circle, its label below.
    parts.append(
        f'<path d="M{bx:.1f},{by - 7:.1f} L{bx + 7:.1f},{by:.1f} L{bx:.1f},{by + 7:.1f} L{bx - 7:.1f},{by:.1f} Z" '
        f'fill="{ACCENT_2}" stroke="#ffffff" stroke-width="1.5"/>'
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="{ACCENT}" stroke="#ffffff" stroke-width="1.5"/>'
    )
    for x, y, text, dy in ((bx, by, _("optimum %(value)s") % {"value": _n(optimum[1])}, -12),
                           (cx, cy, _("your choice %(value)s") % {"value": _n(chosen[1])}, 20)):
        anchor = "end" if x > left + 0.7 * w else ("start" if x < left + 0.3 * w else "middle")
        parts.append(
            f'<text x="{x:.1f}" y="{y + dy:.1f}" text-anchor="{anchor}" font-size="12" font-weight="600" '
            f'fill="{INK}">{escape(text)}</text>'
        )
    solid, dashed = legend
    parts.append(
        f'<line x1="{left}" y1="14" x2="{left + 28}" y2="14" stroke="{ACCENT}" stroke-width="2.5"/>'
        f'<text x="{left + 34}" y="18" font-size="11" fill="{INK}">{escape(solid)}</text>'
        f'<line x1="{left}" y1="32" x2="{left + 28}" y2="32" stroke="{ACCENT_2}" stroke-width="2.5" stroke-dasharray="6 4"/>'
        f'<text x="{left + 34}" y="36" font-size="11" fill="{INK}">{escape(dashed)}</text>'
        f'<text x="{left + w / 2:.0f}" y="{height - 8}" text-anchor="middle" font-size="12" fill="{INK}">'
        f"{escape(x_label)}</text>"
    )
    return _svg(f"planner-{ident}", width, height, title, desc, "".join(parts))
