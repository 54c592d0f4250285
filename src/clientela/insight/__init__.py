"""Customer insight engines: segmentation, concentration, profitability, cohorts,
loyalty ladder, acquisition/retention allocation, product affinity, next best
action and KPIs.

Pure pandas/NumPy/SciPy -- never imports Django -- so the scoring app, a
notebook or a Spark job can call the same functions.  Every function takes
plain DataFrames whose expected columns are listed in its docstring and in
``docs/insight.md``.

The package loads its engines lazily (PEP 562): ``from clientela.insight import rfm`` imports
``clientela.insight.rfm`` and pandas only then, so code that needs only a vocabulary
(``clientela.insight.vocabulary``) starts without the numerical libraries.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
        LadderRules,
        ladder_features,
        ladder_history,
        ladder_stages,
        stage_counts,
        transition_matrix,
    )
    from clientela.insight.next_best_action import (
        ActionRules,
        action_counts,
        next_best_actions,
    )
    from clientela.insight.profitability import (
        persistently_unprofitable,
        profitability,
        profitability_by_period,
    )
    from clientela.insight.rfm import rfm, rfm_summary, score_rfm, segment_counts
    from clientela.insight.vocabulary import ACTIONS, SEGMENTS, STAGES

_EXPORTS: dict[str, str] = {
    "best_add_on": "clientela.insight.affinity",
    "product_affinity": "clientela.insight.affinity",
    "recommend_add_ons": "clientela.insight.affinity",
    "AllocationInputs": "clientela.insight.allocation",
    "AllocationPlan": "clientela.insight.allocation",
    "ResponseCurve": "clientela.insight.allocation",
    "Spend": "clientela.insight.allocation",
    "allocation_inputs": "clientela.insight.allocation",
    "allocation_plan": "clientela.insight.allocation",
    "customer_equity": "clientela.insight.allocation",
    "equity_from_rates": "clientela.insight.allocation",
    "fit_response_curve": "clientela.insight.allocation",
    "optimal_spend": "clientela.insight.allocation",
    "optimal_spend_numeric": "clientela.insight.allocation",
    "Cohorts": "clientela.insight.cohorts",
    "cohort_table": "clientela.insight.cohorts",
    "period_retention": "clientela.insight.cohorts",
    "concentration_summary": "clientela.insight.concentration",
    "gini": "clientela.insight.concentration",
    "lorenz_curve": "clientela.insight.concentration",
    "pareto_curve": "clientela.insight.concentration",
    "top_shares": "clientela.insight.concentration",
    "in_customer_base": "clientela.insight.customer_base",
    "CustomerKPIs": "clientela.insight.kpis",
    "customer_kpis": "clientela.insight.kpis",
    "LadderRules": "clientela.insight.ladder",
    "STAGES": "clientela.insight.vocabulary",
    "ladder_features": "clientela.insight.ladder",
    "ladder_history": "clientela.insight.ladder",
    "ladder_stages": "clientela.insight.ladder",
    "stage_counts": "clientela.insight.ladder",
    "transition_matrix": "clientela.insight.ladder",
    "ACTIONS": "clientela.insight.vocabulary",
    "ActionRules": "clientela.insight.next_best_action",
    "action_counts": "clientela.insight.next_best_action",
    "next_best_actions": "clientela.insight.next_best_action",
    "persistently_unprofitable": "clientela.insight.profitability",
    "profitability": "clientela.insight.profitability",
    "profitability_by_period": "clientela.insight.profitability",
    "SEGMENTS": "clientela.insight.vocabulary",
    "rfm": "clientela.insight.rfm",
    "rfm_summary": "clientela.insight.rfm",
    "score_rfm": "clientela.insight.rfm",
    "segment_counts": "clientela.insight.rfm",
}

__all__ = [
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
    "in_customer_base",
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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'clientela.insight' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The import system binds every loaded submodule on its package; ``rfm`` and
    ``profitability`` are also functions exported here, and the functions must win (as
    they did when this package imported every engine up front)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in _EXPORTS:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
