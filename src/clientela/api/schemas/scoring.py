"""Output schema of customer scores (read-only).

``clv``, its 90 % interval (``clv_low``, ``clv_high``; also ``null`` when the run has
none) and ``expected_spend`` are ``null`` for roles that may not see CLV;
``revenue`` and ``net_contribution`` for roles that may not see margins.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class ScoreOut(Schema):
    party_id: int
    party_ref: str
    run_id: int
    scored_as_of: dt.date | None
    model: str
    p_alive: float | None
    churn_risk: float | None
    expected_purchases_90: float | None
    expected_purchases_365: float | None
    expected_spend: Decimal | None
    clv: Decimal | None
    clv_low: Decimal | None = None
    clv_high: Decimal | None = None
    rfm_r: int | None
    rfm_f: int | None
    rfm_m: int | None
    rfm_segment: str
    ladder_stage: str
    revenue: Decimal | None
    net_contribution: Decimal | None
    unprofitable: bool | None
    next_best_action: str
    nba_reason: str
    nba_product_sku: str
