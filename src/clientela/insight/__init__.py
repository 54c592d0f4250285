"""Customer insight engines: segmentation, concentration, profitability, cohorts,
loyalty ladder, acquisition/retention allocation, product affinity, next best
action and KPIs.

Pure pandas/NumPy/SciPy -- never imports Django -- so the scoring app, a
notebook or a Spark job can call the same functions.  Every function takes
plain DataFrames whose expected columns are listed in its docstring and in
``docs/insight.md``.
"""

from __future__ import annotations

from clientela.insight.affinity import best_add_on, product_affinity, recommend_add_ons
from clientela.insight.allocation import (
    AllocationInputs,
    AllocationPlan,
    ResponseCurve,
    Spend,
    allocation_inputs,
    allocation_plan,
    customer_equity,
    equity_from_rates,
    fit_response_curve,
    optimal_spend,
    optimal_spend_numeric,
)
from clientela.insight.cohorts import Cohorts, cohort_table, period_retention
from clientela.insight.concentration import (
    concentration_summary,
    gini,
    lorenz_curve,
    pareto_curve,
    top_shares,
)
from clientela.insight.customer_base import in_customer_base
from clientela.insight.kpis import CustomerKPIs, customer_kpis
from clientela.insight.ladder import (
    STAGES,
    LadderRules,
    ladder_features,
    ladder_history,
    ladder_stages,
    stage_counts,
    transition_matrix,
)
from clientela.insight.next_best_action import (
    ACTIONS,
    ActionRules,
    action_counts,
    next_best_actions,
)
from clientela.insight.profitability import (
    persistently_unprofitable,
    profitability,
    profitability_by_period,
)
from clientela.insight.rfm import SEGMENTS, rfm, rfm_summary, score_rfm, segment_counts

__all__ = [
    "in_customer_base",
    "ACTIONS",
    "SEGMENTS",
    "STAGES",
    "ActionRules",
    "AllocationInputs",
    "AllocationPlan",
    "Cohorts",
    "CustomerKPIs",
    "LadderRules",
    "ResponseCurve",
    "Spend",
    "action_counts",
    "allocation_inputs",
    "allocation_plan",
    "best_add_on",
    "cohort_table",
    "concentration_summary",
    "customer_equity",
    "customer_kpis",
    "equity_from_rates",
    "fit_response_curve",
    "gini",
    "ladder_features",
    "ladder_history",
    "ladder_stages",
    "lorenz_curve",
    "next_best_actions",
    "optimal_spend",
    "optimal_spend_numeric",
    "pareto_curve",
    "period_retention",
    "persistently_unprofitable",
    "product_affinity",
    "profitability",
    "profitability_by_period",
    "recommend_add_ons",
    "rfm",
    "rfm_summary",
    "score_rfm",
    "segment_counts",
    "stage_counts",
    "top_shares",
    "transition_matrix",
]
