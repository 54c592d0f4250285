"""The outcome report of an experiment: treated versus control over the measurement window.

For every assigned party (the global holdout is in neither group) whose window — from its
``assigned_at``, ``measure_days`` long — has ended, the outcomes are read from the record:

* ``repurchase``: 1 when it placed an order (neither cancelled nor returned) in the window;
* ``revenue`` and ``margin``: its orders' amounts and amounts minus cost of goods in the
  window, in the base currency at each order's day's rate (``scoring.extract.base_rates``);
* ``retention``: its P(alive) in the current scoring run (still active at the window's end);
* ``clv``: its CLV in the current scoring run.

The statistics (differences, 95 % intervals, the minimum detectable effect, incremental
equity, profit and ROI) are ``insight.experiment_outcomes``. The campaign's spend is its
cost; a playbook's cost is what its actions cost as they were done (``playbooks.costs``,
registered in ``COSTS`` by the playbooks app; 0 for a subject kind without).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from clientela.crm.experiments.models import Experiment, Group, SubjectKind

# subject kind -> function(subject_id) -> cost in the base currency (playbooks register theirs)
COSTS: dict[str, Callable[[int], float]] = {}
MATURED, PENDING = "matured", "pending"


def _campaign_cost(subject_id: int) -> float:
    from clientela.crm.engagement.models import Campaign

    spend = Campaign.objects.filter(pk=subject_id).values_list("spend", flat=True).first()
    return float(spend or 0)


COSTS[SubjectKind.CAMPAIGN] = _campaign_cost


@dataclass
class Outcome:
    """An experiment's report with what it rests on."""

    experiment: Experiment
    report: Any  # insight.experiment_outcomes.Report
    by_stratum: dict[str, Any]  # stratum -> Report (repurchase etc. per value tier)
    pending: int  # assigned parties whose window has not ended yet
    window_ends: datetime | None  # when the last assigned party's window ends
    currency: str


def outcome(experiment: Experiment, *, at: datetime | None = None) -> Outcome:
    """The report of ``experiment`` as of ``at`` (default now)."""
    import numpy as np

    from clientela.insight.experiment_outcomes import report

    at = at or timezone.now()
    window = timedelta(days=experiment.measure_days)
    rows = list(experiment.assignments.values_list("party_id", "group", "stratum", "assigned_at"))
    matured = [r for r in rows if r[3] + window <= at]
    last_end = max((r[3] for r in rows), default=None)
    values = _outcomes(matured, window)
    cost = COSTS.get(experiment.subject_kind, lambda _id: 0.0)(experiment.subject_id)

    def split(members: list[tuple[int, str, str, datetime]]) -> Any:
        groups: dict[str, dict[str, list[float]]] = {Group.TREATED: {}, Group.CONTROL: {}}
        for pid, group, _stratum, _at in members:
            for metric, value in values[pid].items():
                groups[group].setdefault(metric, []).append(value)
        for metrics in groups.values():
            metrics.setdefault("repurchase", [])
        return groups

    both = split(matured)
    overall = report({k: np.asarray(v) for k, v in both[Group.TREATED].items()},
                     {k: np.asarray(v) for k, v in both[Group.CONTROL].items()}, cost=cost)
    by_stratum = {}
    for stratum in sorted({r[2] for r in matured}):
        part = split([r for r in matured if r[2] == stratum])
        by_stratum[stratum] = report({k: np.asarray(v) for k, v in part[Group.TREATED].items()},
                                     {k: np.asarray(v) for k, v in part[Group.CONTROL].items()})
    from clientela.crm.scoring.queries import current_run

    run = current_run()
    currency = str(run.summary.get("currency", "")) if run is not None else ""
    return Outcome(experiment=experiment, report=overall, by_stratum=by_stratum,
                   pending=len(rows) - len(matured),
                   window_ends=None if last_end is None else last_end + window, currency=currency)


def _outcomes(members: list[tuple[int, str, str, datetime]], window: timedelta) -> dict[int, dict[str, float]]:
    """Each member's outcomes (see the module's docstring)."""
    import pandas as pd

    from clientela.crm.commerce.models import Order
    from clientela.crm.scoring.extract import base_rates
    from clientela.crm.scoring.models import CustomerScore
    from clientela.crm.scoring.queries import current_run

    starts = {pid: at for pid, _g, _s, at in members}
    out = {pid: {"repurchase": 0.0, "revenue": 0.0, "margin": 0.0} for pid in starts}
    ids = sorted(starts)
    orders = []
    for i in range(0, len(ids), 2000):
        chunk = ids[i:i + 2000]
        lo = min(starts[p] for p in chunk)
        hi = max(starts[p] for p in chunk) + window
        orders.extend(
            Order.objects.filter(party_id__in=chunk, ordered_at__gt=lo, ordered_at__lte=hi)
            .exclude(status__in=("cancelled", "returned"))
            .values_list("party_id", "ordered_at", "currency", "total_amount", "total_cost")
        )
    if orders:
        df = pd.DataFrame.from_records(orders, columns=["party", "at", "currency", "amount", "cost"])
        df["start"] = df["party"].map(starts)
        df = df[(df["at"] > df["start"]) & (df["at"] <= df["start"] + window)]
        if len(df):
            rate = base_rates(df["currency"], pd.to_datetime(df["at"], utc=True))
            df["revenue"] = df["amount"].astype(float) * rate
            df["margin"] = (df["amount"].astype(float) - df["cost"].astype(float)) * rate
            sums = df.groupby("party")[["revenue", "margin"]].sum()
            for pid, revenue, margin in zip(sums.index.tolist(), sums["revenue"].tolist(), sums["margin"].tolist(),
                                            strict=True):
                out[int(pid)].update(repurchase=1.0, revenue=float(revenue), margin=float(margin))
    run = current_run()
    if run is not None:
        scores: dict[int, tuple[Any, Any]] = {}
        for i in range(0, len(ids), 2000):
            scores.update((pid, (clv, p)) for pid, clv, p in CustomerScore.objects.filter(
                run=run, party_id__in=ids[i:i + 2000]).values_list("party_id", "clv", "p_alive"))
        if scores:
            for pid in ids:
                clv, p_alive = scores.get(pid, (0, 0.0))
                out[pid]["clv"] = float(clv or 0)
                out[pid]["retention"] = float(p_alive or 0.0)
    return out


def summary(result: Outcome, *, hidden: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The report as JSON-ready data, without the figures in ``hidden`` (their metric rows
    and money fields are left out): what the page, the API and the CLI show."""
    experiment, rep = result.experiment, result.report
    effects = [_effect(e) for name, e in rep.effects.items() if name not in hidden]
    repurchase = rep.effects.get("repurchase")
    money = {
        "cost": rep.cost, "incremental_margin": rep.incremental_margin,
        "incremental_profit": rep.incremental_profit, "roi": rep.roi,
        "incremental_equity": None if rep.incremental_equity is None else _effect(rep.incremental_equity),
    }
    return {
        "id": experiment.pk, "name": experiment.name, "kind": experiment.subject_kind,
        "subject_id": experiment.subject_id, "control_share": float(experiment.control_share),
        "seed": experiment.seed, "measure_days": experiment.measure_days,
        "treated": rep.treated, "control": rep.control, "pending": result.pending,
        "enough_data": rep.enough_data,
        "window_ends": result.window_ends.isoformat() if result.window_ends else None,
        "currency": result.currency, "metrics": effects,
        # The power note: below this difference in repurchase rate nothing can be seen.
        "repurchase_mde": None if repurchase is None else repurchase.mde,
        "by_stratum": {
            stratum: _effect(part.effects["repurchase"]) | {"treated": part.treated, "control": part.control}
            for stratum, part in result.by_stratum.items() if "repurchase" in part.effects
        },
        **{k: v for k, v in money.items() if k not in hidden},
    }


def _effect(effect: Any) -> dict[str, Any]:
    return {"metric": effect.metric, "treated": effect.treated, "control": effect.control,
            "treated_mean": effect.treated_mean, "control_mean": effect.control_mean,
            "difference": effect.difference, "ci_low": effect.ci_low, "ci_high": effect.ci_high, "mde": effect.mde}


def report_rows(*, hidden: frozenset[str] = frozenset(), at: datetime | None = None) -> list[dict[str, Any]]:
    """One row per experiment and metric (and its incremental equity): the ``experiments``
    key of ``clientela report --format json``."""
    rows: list[dict[str, Any]] = []
    for experiment in Experiment.objects.order_by("created_at", "id"):
        data = summary(outcome(experiment, at=at), hidden=hidden)
        base: dict[str, Any] = {"experiment_id": data["id"], "name": data["name"], "kind": data["kind"],
                                "enough_data": data["enough_data"], "currency": data["currency"]}
        # What it cost and earned (the role's hidden money figures left out).
        base |= {k: data[k] for k in ("cost", "incremental_profit", "roi") if k in data}
        metrics = list(data["metrics"])
        if data.get("incremental_equity"):
            metrics.append(data["incremental_equity"])
        if not metrics:
            rows.append(base | {"metric": None, "treated": data["treated"], "control": data["control"],
                                "difference": None, "ci_low": None, "ci_high": None})
        for m in metrics:
            rows.append(base | {"metric": m["metric"], "treated": m["treated"], "control": m["control"],
                                "difference": m["difference"], "ci_low": m["ci_low"], "ci_high": m["ci_high"],
                                "mde": m["mde"]})
    return rows


# Which curve of the equity planner a campaign's experiment measures, by campaign kind:
# acquisition and win-back campaigns write to parties not buying now (prospects, lapsed
# customers), so their repurchase lift is a conversion (first order, reactivation) — the
# acquisition curve; retention campaigns write to customers buying now — the retention curve.
CURVE_OF_KIND = {"acquisition": "acquisition", "win_back": "acquisition", "retention": "retention"}
LIFT_CACHE_SECONDS = 24 * 3600


def repurchase_lift(experiment: Experiment, *, at: datetime | None) -> dict[str, Any]:
    """The experiment's repurchase effect and group sizes, cached per experiment, day,
    current scoring run and assignments (so the planner's slider moves do not recompute
    the report; a new order shows the next day or with the next scoring run)."""
    from django.core.cache import cache
    from django.db.models import Count, Max

    from clientela.crm.scoring.queries import current_run

    run = current_run()
    seen = experiment.assignments.aggregate(n=Count("id"), last=Max("id"))
    day = (at or timezone.now()).date().isoformat()
    key = (f"planner-lift:{experiment.pk}:{experiment.created_at.timestamp()}:{day}:"
           f"{run.pk if run is not None else 0}:{seen['n']}:{seen['last'] or 0}:{experiment.measure_days}")
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    result = outcome(experiment, at=at)
    rep, effect = result.report, result.report.effects.get("repurchase")
    data: dict[str, Any] = {"treated": rep.treated, "control": rep.control, "enough_data": rep.enough_data,
                            "pending": result.pending, "lift": None, "ci_low": None, "ci_high": None}
    if effect is not None:
        data |= {"lift": effect.difference, "ci_low": effect.ci_low, "ci_high": effect.ci_high}
    cache.set(key, data, LIFT_CACHE_SECONDS)
    return data


def measured_lifts(*, at: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """Each campaign experiment the equity planner could learn from, by the curve it
    measures (``CURVE_OF_KIND``): its name, repurchase lift with the 95 % interval, group
    sizes, the spend per treated party (its cost / treated) and, when it cannot be used at
    all, ``problem`` (no cost, not enough data, no effect measured yet). Whether an
    interval is informative enough is the planner's judgement (``insight.allocation.
    uninformative``)."""
    from clientela.crm.engagement.models import Campaign

    kinds = dict(Campaign.objects.filter(kind__in=list(CURVE_OF_KIND)).values_list("id", "kind"))
    found: dict[str, list[dict[str, Any]]] = {"acquisition": [], "retention": []}
    experiments = Experiment.objects.filter(subject_kind=SubjectKind.CAMPAIGN, subject_id__in=list(kinds))
    for experiment in experiments.order_by("created_at", "id"):
        data = repurchase_lift(experiment, at=at)
        cost = COSTS[SubjectKind.CAMPAIGN](experiment.subject_id)
        data |= {"experiment_id": experiment.pk, "name": experiment.name, "cost": cost,
                 "spend_per_customer": cost / data["treated"] if data["treated"] else 0.0}
        if data["lift"] is None or data["treated"] == 0:
            data["problem"] = "no_outcome"
        elif not data["enough_data"]:
            data["problem"] = "too_few"
        elif cost <= 0:
            data["problem"] = "no_cost"
        found[CURVE_OF_KIND[kinds[experiment.subject_id]]].append(data)
    return found
