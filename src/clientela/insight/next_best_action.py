"""Next best action: one action per party, with its reason in numbers.

The customer-equity approach (Blattberg, Getz & Thomas, *Customer Equity*,
2001): spend to acquire, retain and develop where it raises customer equity,
and stop spending where a relationship loses money.  Rules, first match wins
(thresholds are fields of :class:`ActionRules`):

============  ==================================================================
action        rule (defaults)
============  ==================================================================
managed_exit  customer flagged ``persistently_unprofitable``
acquire       prospect (no purchase) with >= 1 engagement signal
win_back      customer with P(alive) < 0.3 whose past value is at least the
              median past value of customers (``historical_value``)
retain        valuable customer (CLV >= median customer CLV) whose P(alive)
              fell by >= 0.10 since the previous run; without a previous
              P(alive): valuable with 0.3 <= P(alive) < 0.6
develop       customer with P(alive) >= 0.5 and an add-on product with lift > 1
nurture       every other customer: low value or nothing better to do; also
              customers whose P(alive) is unknown
none          prospects without signals, and parties that are neither
              customers nor prospects (suppliers, internal stakeholders)
============  ==================================================================

"Valuable" and the win-back value bar are quantiles over customers unless an
absolute amount is set.  Reasons are built with vectorised string operations
(numbers are formatted through lookup tables and regular expressions, not a
Python loop), e.g. ``"P(alive) fell from 0.81 to 0.42; CLV 3,150 PLN"``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clientela.insight.frames import flag, optional_float, require_columns
from clientela.insight.vocabulary import ACTIONS as ACTIONS


@dataclass(frozen=True)
class ActionRules:
    """Thresholds of the next-best-action rules (module table)."""

    acquire_min_signals: int = 1
    valuable_clv: float | None = None
    valuable_clv_quantile: float = 0.5
    retain_p_alive_drop: float = 0.10
    retain_p_alive_below: float = 0.6
    lapsed_p_alive: float = 0.3
    win_back_min_value: float | None = None
    win_back_value_quantile: float = 0.5
    develop_min_p_alive: float = 0.5
    develop_min_lift: float = 1.0


_PROBABILITY = np.array([f"{i / 100:.2f}" for i in range(101)], dtype=object)
_GROUP_LEAD = np.array([str(i) for i in range(1000)], dtype=object)
_GROUP_PAD = np.array([f"{i:03d}" for i in range(1000)], dtype=object)

Text = np.ndarray  # object array of str, one per party


def format_probability(values: pd.Series) -> Text:
    """``0.8137 -> "0.81"`` through a 101-entry lookup table; NaN -> ``"n/a"``."""
    array = values.to_numpy(dtype=np.float64)
    known = ~np.isnan(array)
    codes = np.clip(np.round(np.where(known, array, 0.0) * 100), 0, 100).astype(np.int64)
    return np.where(known, _PROBABILITY[codes], "n/a").astype(object)


def format_amount(values: pd.Series, currency: str = "") -> Text:
    """``3150.4 -> "3,150 PLN"``: whole units, thousands separated; NaN -> ``"n/a"``.

    Vectorised: the number is split into groups of three digits by integer
    arithmetic and each group is looked up in a 1,000-entry table, so no
    per-element Python formatting or regular expression runs.
    """
    array = values.to_numpy(dtype=np.float64)
    known = np.isfinite(array)
    whole = np.round(np.where(known, array, 0.0))
    negative = whole < 0
    v = np.abs(whole).astype(np.int64)
    units = v % 1000
    thousands = (v // 1000) % 1000
    millions = (v // 1_000_000) % 1000
    billions = v // 1_000_000_000
    text = _GROUP_LEAD[units]  # fancy indexing copies, so the table is not modified
    rows = np.flatnonzero(v >= 1000)
    text[rows] = _GROUP_LEAD[thousands[rows]] + "," + _GROUP_PAD[units[rows]]
    rows = np.flatnonzero(v >= 1_000_000)
    text[rows] = _GROUP_LEAD[millions[rows]] + "," + _GROUP_PAD[thousands[rows]] + "," + _GROUP_PAD[units[rows]]
    rows = np.flatnonzero(billions > 0)
    if rows.size:
        text[rows] = (
            pd.Series(billions[rows]).astype(str).to_numpy(dtype=object) + "," + _GROUP_PAD[millions[rows]]
            + "," + _GROUP_PAD[thousands[rows]] + "," + _GROUP_PAD[units[rows]]
        )
    rows = np.flatnonzero(negative)
    text[rows] = "-" + text[rows]
    if currency:
        text = text + (" " + currency)
    return np.where(known, text, "n/a").astype(object)


def format_ratio(values: pd.Series) -> Text:
    """``2.345 -> "2.3"`` (one decimal, 0-99.9 through a lookup table; larger as whole numbers)."""
    array = values.to_numpy(dtype=np.float64)
    known = np.isfinite(array)
    tenths = np.round(np.where(known, array, 0.0) * 10).astype(np.int64)
    small = np.abs(tenths) < 1000
    body = _GROUP_LEAD[np.where(small, np.abs(tenths) // 10, 0)] + "." + _GROUP_LEAD[np.abs(tenths) % 10 * small]
    body = np.where(small, body, format_amount(pd.Series(np.abs(array))))
    text = np.where(tenths < 0, "-" + body, body)
    return np.where(known, text, "n/a").astype(object)


def _threshold(values: pd.Series, absolute: float | None, quantile: float) -> float:
    if absolute is not None:
        return absolute
    known = values.dropna()
    return float(known.quantile(quantile)) if len(known) else float("inf")


def next_best_actions(
    parties: pd.DataFrame,
    *,
    rules: ActionRules | None = None,
    currency: str = "PLN",
) -> pd.DataFrame:
    """One action and its reason per party.

    Parameters
    ----------
    parties : DataFrame indexed by ``party_id``
        ``purchases`` (int, required: 0 means not yet a customer) and any of:
        ``is_prospect`` (bool; absent: every party without purchases is a
        prospect), ``prospect_signals`` (int: interactions, campaign responses,
        visits in the recent window), ``p_alive``, ``p_alive_previous`` (from
        the previous scoring run), ``clv``, ``historical_value`` (revenue or
        margin to date), ``net_contribution``, ``persistently_unprofitable``
        (bool), ``add_on_product``, ``add_on_lift`` (as
        :func:`clientela.insight.affinity.best_add_on` returns).
    rules : ActionRules, optional
    currency : str
        Written after money amounts in the reasons.

    Returns
    -------
    DataFrame, same index
        ``action`` (categorical over :data:`ACTIONS`), ``reason`` (str),
        ``add_on_product`` (the product for ``develop``, else missing).
    """
    rules = rules or ActionRules()
    require_columns(parties, ("purchases",), name="parties")
    index = parties.index
    purchases = parties["purchases"].fillna(0).to_numpy(dtype=np.float64)
    customer = purchases >= 1
    if "is_prospect" in parties.columns:
        prospect = flag(parties, "is_prospect").to_numpy() & ~customer
    else:
        prospect = ~customer
    signals = optional_float(parties, "prospect_signals").fillna(0.0)
    p_alive = optional_float(parties, "p_alive")
    previous = optional_float(parties, "p_alive_previous")
    clv = optional_float(parties, "clv")
    past = optional_float(parties, "historical_value")
    net = optional_float(parties, "net_contribution")
    lift = optional_float(parties, "add_on_lift")
    if "add_on_product" in parties.columns:
        product = parties["add_on_product"]
        has_product = product.notna().to_numpy()
    else:
        product = pd.Series(pd.NA, index=index, dtype=object)
        has_product = np.zeros(len(index), dtype=bool)
    exit_flag = flag(parties, "persistently_unprofitable").to_numpy()

    valuable_bar = _threshold(clv[customer], rules.valuable_clv, rules.valuable_clv_quantile)
    win_back_bar = _threshold(past[customer], rules.win_back_min_value, rules.win_back_value_quantile)
    p = p_alive.to_numpy()
    prev = previous.to_numpy()
    with np.errstate(invalid="ignore"):
        valuable = clv.to_numpy() >= valuable_bar
        lapsed = p < rules.lapsed_p_alive
        fell = (prev - p) >= rules.retain_p_alive_drop
        at_risk = np.where(np.isnan(prev), (p >= rules.lapsed_p_alive) & (p < rules.retain_p_alive_below), fell & ~lapsed)
        win_back = customer & lapsed & (past.to_numpy() >= win_back_bar)
        develop = (
            customer & (p >= rules.develop_min_p_alive) & has_product
            & (np.isnan(lift.to_numpy()) | (lift.to_numpy() > rules.develop_min_lift))
        )
    conditions = [
        customer & exit_flag,
        prospect & (signals.to_numpy() >= rules.acquire_min_signals),
        win_back,
        customer & valuable & at_risk,
        develop,
        customer,
    ]
    names = ["managed_exit", "acquire", "win_back", "retain", "develop", "nurture"]
    action = np.select(conditions, names, default="none")

    reason = np.full(len(index), "", dtype=object)
    probability = format_probability(p_alive)
    clv_text = "CLV " + format_amount(clv, currency)

    def put(name: str, build: Callable[[np.ndarray], Text]) -> None:
        mask = action == name
        if mask.any():
            reason[mask] = build(mask)

    put("managed_exit", lambda m: "unprofitable in consecutive periods; net contribution "
        + format_amount(net[m], currency) + "; " + clv_text[m])
    put("acquire", lambda m: "prospect with " + format_amount(signals[m]) + " engagement signal(s)")
    put("win_back", lambda m: "lapsed: P(alive) " + probability[m] + "; past value "
        + format_amount(past[m], currency) + "; " + clv_text[m])
    below = format_probability(pd.Series([rules.retain_p_alive_below]))[0]
    put("retain", lambda m: np.where(
        np.isnan(prev[m]),
        "P(alive) " + probability[m] + " below " + below,
        "P(alive) fell from " + format_probability(previous[m]) + " to " + probability[m],
    ) + "; " + clv_text[m])
    product_text = product.astype("string").fillna("").to_numpy(dtype=object)
    put("develop", lambda m: "add-on " + product_text[m] + " (lift " + format_ratio(lift[m])
        + "); P(alive) " + probability[m] + "; " + clv_text[m])
    put("nurture", lambda m: clv_text[m] + "; P(alive) " + probability[m])
    put("none", lambda m: np.where(prospect[m], "prospect without engagement signals",
                                   "not a customer or prospect").astype(object))

    return pd.DataFrame(
        {
            "action": pd.Categorical(action, categories=list(ACTIONS)),
            "reason": reason,
            "add_on_product": product.where(action == "develop"),
        },
        index=index,
    )


def action_counts(actions: pd.DataFrame) -> dict[str, int]:
    """Parties per action, every action present (zeros included)."""
    require_columns(actions, ("action",), name="actions")
    counts = actions["action"].value_counts()
    return {name: int(counts.get(name, 0)) for name in ACTIONS}
