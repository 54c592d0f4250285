"""Issue 15's statistical done-when: over 20 seeds the outcome report's 95 % intervals
cover each planted effect of the demo company in at least 18, the no-effect newsletter's
interval covers zero in at least 18, and the win-back's incremental equity lies within its
interval of the planted truth.

Each seed simulates only what the experiments need, with the demo's own code: the
purchase process of ``demo.behaviour`` for a population of customers, then
``demo.experiments.plant_experiments`` (groups drawn as the app draws them, effects
planted) and its per-member outcomes; the report is ``insight.experiment_outcomes``, the
engine behind every outcome page. No database.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from clientela.demo import behaviour
from clientela.demo.experiments import PLANS, PlantedExperiment, member_outcomes, plant_experiments
from clientela.insight.experiment_outcomes import Report, report

SEEDS = range(20)
CUSTOMERS = 6000
HORIZON = 3 * 365
EFFECT = {plan.key: plan.effect for plan in PLANS}


def _world(seed: int) -> tuple[list[PlantedExperiment], behaviour.PurchaseHistory, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    acquired = behaviour.acquisition_days(rng, CUSTOMERS, HORIZON)
    lam, p = behaviour.draw_rates(rng, CUSTOMERS, behaviour.PurchaseProcess())
    spend = behaviour.spend_levels(rng, CUSTOMERS, shape=2.0, mean=230.0)
    history = behaviour.simulate_purchases(rng, first_purchase=acquired, lam=lam, p=p,
                                           season=behaviour.season_by_day(date(2023, 1, 1), HORIZON))
    planted, history = plant_experiments(np.random.default_rng([seed, 15]), history=history, lam=lam,
                                         spend=spend, horizon=HORIZON)
    return planted, history, lam, spend


def _report(outcomes: dict[str, np.ndarray], experiment: PlantedExperiment, rows: np.ndarray) -> Report:
    treated = rows & (experiment.group == "treated")
    control = rows & (experiment.group == "control")
    return report({k: v[treated] for k, v in outcomes.items()}, {k: v[control] for k, v in outcomes.items()})


def test_the_reports_intervals_cover_the_planted_effects_over_20_seeds() -> None:
    hits = {"win_back_top": 0, "win_back_rest": 0, "newsletter": 0, "loyalty_supporters": 0,
            "loyalty_others": 0, "win_back_equity": 0}
    estimates = []
    for seed in SEEDS:
        planted, history, lam, spend = _world(seed)
        by_key = {e.plan.key: e for e in planted}
        for key, experiment in by_key.items():
            outcomes = member_outcomes(experiment, history=history, lam=lam, spend=spend)
            if key == "newsletter":
                everyone = np.ones(len(experiment.members), dtype=bool)
                hits["newsletter"] += _report(outcomes, experiment, everyone).effects["repurchase"].covers(0.0)
                continue
            affected = _report(outcomes, experiment, experiment.affected).effects["repurchase"]
            others = _report(outcomes, experiment, ~experiment.affected).effects["repurchase"]
            name = "win_back_top" if key == "win_back" else "loyalty_supporters"
            hits[name] += affected.covers(EFFECT[key])
            hits["win_back_rest" if key == "win_back" else "loyalty_others"] += others.covers(0.0)
            estimates.append((key, affected.difference))
            if key == "win_back":
                # The planted truth: each treated member's value with its planted purchase
                # minus without it, summed over the treated group.
                without = member_outcomes(experiment, history=history, lam=lam, spend=spend, planted=False)
                treated = experiment.group == "treated"
                truth = float(((outcomes["margin"] + outcomes["clv"]) - (without["margin"] + without["clv"]))
                              [treated].sum())
                everyone = np.ones(len(experiment.members), dtype=bool)
                equity = _report(outcomes, experiment, everyone).incremental_equity
                assert equity is not None
                hits["win_back_equity"] += equity.covers(truth)
    print(hits)
    assert all(n >= 18 for n in hits.values()), hits
    # The estimates centre on the planted effects (not merely wide intervals).
    for key in ("win_back", "loyalty_bonus"):
        mean = float(np.mean([d for k, d in estimates if k == key]))
        assert abs(mean - EFFECT[key]) < 0.5 * EFFECT[key], (key, mean)
