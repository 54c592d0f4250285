"""Payne's loyalty ladder: where each party stands, and how it moved.

Source: A. Payne, "Relationship marketing: the six markets framework" and
Christopher, Payne & Ballantyne, *Relationship Marketing* (1991): prospect ->
customer -> client -> supporter -> advocate -> partner.  The rungs are
qualitative in the literature; these are Clientela's operational rules, each
threshold a field of :class:`LadderRules`:

=========  =================================================================
stage      rule (defaults); a party takes the highest stage whose rule holds
=========  =================================================================
partner    flagged ``is_partner`` (a party in a partnership), whatever else
advocate   client who recommends (latest NPS >= 9) or has referred at least
           1 party
supporter  client who is satisfied: latest CSAT >= 4 (of 5) or latest
           NPS >= 7
client     repeat buyer (>= 2 purchases) still likely alive: P(alive) >=
           0.5; where P(alive) is absent, last purchase within 365 days
customer   at least one purchase
prospect   everyone else
=========  =================================================================

Missing data is reported, not guessed:

* ``alive_basis`` says per party which evidence decided "still alive":
  ``"p_alive"``, ``"recency"`` (P(alive) missing) or ``"none"`` (neither;
  not a client).  It is empty for parties with fewer than two purchases.
* ``satisfaction_basis`` is ``"csat"``, ``"nps"``, ``"csat+nps"`` or
  ``"none"``; a client with ``"none"`` gets the ``note`` "no satisfaction
  data: supporter not assessed" -- they stay client unless they qualify as
  advocate by referral.  When no satisfaction column exists at all, the
  result's ``attrs["notes"]`` says so for the whole table.

History (:func:`ladder_history`) recomputes the stage at the end of each period
from the logs up to that moment.  P(alive) is a model output for one date
only, so history always uses the recency rule (and says so in ``alive_basis``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from clientela.insight.frames import (
    TimeLike,
    flag,
    instant,
    optional_float,
    require_columns,
    timestamps,
)
from clientela.insight.vocabulary import STAGES as STAGES

NO_SATISFACTION_NOTE = "no satisfaction data: supporter not assessed"


@dataclass(frozen=True)
class LadderRules:
    """Thresholds of the ladder rules (module table)."""

    repeat_purchases: int = 2
    p_alive_threshold: float = 0.5
    recency_window_days: float = 365.0
    csat_satisfied: float = 4.0
    nps_satisfied: float = 7.0
    nps_promoter: float = 9.0
    referrals_for_advocate: int = 1


def ladder_stages(features: pd.DataFrame, *, rules: LadderRules | None = None) -> pd.DataFrame:
    """Place every party on the ladder.

    Parameters
    ----------
    features : DataFrame indexed by ``party_id``
        ``purchases`` (int, required) and any of: ``p_alive`` (0-1),
        ``recency_days`` (days since the last purchase), ``csat`` (latest, 1-5),
        ``nps`` (latest, 0-10), ``referrals`` (parties referred, int),
        ``is_partner`` (bool).  NaN means "not known" for that party.
    rules : LadderRules, optional

    Returns
    -------
    DataFrame, same index
        ``stage`` (ordered categorical over :data:`STAGES`), ``alive_basis``,
        ``satisfaction_basis``, ``note`` (str, see module); ``attrs["notes"]``
        lists table-wide caveats.
    """
    rules = rules or LadderRules()
    require_columns(features, ("purchases",), name="features")
    purchases = features["purchases"].fillna(0).to_numpy(dtype=np.float64)
    p_alive = optional_float(features, "p_alive").to_numpy()
    recency = optional_float(features, "recency_days").to_numpy()
    csat = optional_float(features, "csat").to_numpy()
    nps = optional_float(features, "nps").to_numpy()
    referrals = optional_float(features, "referrals").fillna(0.0).to_numpy()
    partner = flag(features, "is_partner").to_numpy()

    customer = purchases >= 1
    repeat = purchases >= rules.repeat_purchases
    has_p = ~np.isnan(p_alive)
    has_r = ~np.isnan(recency)
    with np.errstate(invalid="ignore"):
        alive = np.where(
            has_p,
            p_alive >= rules.p_alive_threshold,
            has_r & (recency <= rules.recency_window_days),
        )
        satisfied = (csat >= rules.csat_satisfied) | (nps >= rules.nps_satisfied)
        promoter = nps >= rules.nps_promoter
    client = repeat & alive
    advocate = client & (promoter | (referrals >= rules.referrals_for_advocate))
    supporter = client & satisfied

    stage = np.select(
        [partner, advocate, supporter, client, customer],
        ["partner", "advocate", "supporter", "client", "customer"],
        default="prospect",
    )
    alive_basis = np.select([~repeat, has_p, has_r], ["", "p_alive", "recency"], default="none")
    has_csat, has_nps = ~np.isnan(csat), ~np.isnan(nps)
    satisfaction_basis = np.select(
        [has_csat & has_nps, has_csat, has_nps], ["csat+nps", "csat", "nps"], default="none"
    )
    unassessed = client & ~has_csat & ~has_nps & (stage == "client")
    note = np.where(unassessed, NO_SATISFACTION_NOTE, "")

    out = pd.DataFrame(
        {
            "stage": pd.Categorical(stage, categories=list(STAGES), ordered=True),
            "alive_basis": alive_basis,
            "satisfaction_basis": satisfaction_basis,
            "note": note,
        },
        index=features.index,
    )
    notes: list[str] = []
    if "csat" not in features.columns and "nps" not in features.columns:
        notes.append(
            "No satisfaction data (CSAT or NPS) was given: nobody is placed at supporter; "
            "advocates are found by referrals only."
        )
    if "p_alive" not in features.columns:
        notes.append(
            f"No P(alive) was given: 'still alive' means a purchase within "
            f"{rules.recency_window_days:g} days."
        )
    out.attrs["notes"] = notes
    return out


def ladder_features(
    parties: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    as_of: TimeLike,
    feedback: pd.DataFrame | None = None,
    referrals: pd.DataFrame | None = None,
    scores: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Build the :func:`ladder_stages` input from the logs as they stood at ``as_of``.

    Parameters
    ----------
    parties : DataFrame
        ``party_id``; optional ``is_partner`` (bool) and ``created_at``
        (parties created after ``as_of`` are left out).
    orders : DataFrame
        ``party_id``, ``ordered_at``; optional ``status`` (``"returned"`` and
        ``"cancelled"`` do not count as purchases).
    feedback : DataFrame, optional
        Survey answers: ``party_id``, ``answered_at``, ``kind`` (``"nps"`` or
        ``"csat"``), ``score``.  The latest answer of each kind counts.
        Without it the features have no ``csat``/``nps`` columns, so the
        result carries the "no satisfaction data" note.
    referrals : DataFrame, optional
        ``referrer_id``, ``referred_at``: one row per party referred.
    scores : DataFrame, optional
        Indexed by ``party_id`` with ``p_alive``; only meaningful when
        ``as_of`` is the date the scores were computed for.

    Returns
    -------
    DataFrame indexed by ``party_id``
        ``purchases``, ``recency_days``, ``is_partner`` and, when their inputs
        are given, ``csat``, ``nps``, ``referrals``, ``p_alive``.
    """
    cutoff = instant(as_of)
    require_columns(parties, ("party_id",), name="parties")
    require_columns(orders, ("party_id", "ordered_at"), name="orders")
    people = parties
    if "created_at" in parties.columns:
        created = pd.to_datetime(parties["created_at"], utc=True).dt.tz_convert(None)
        people = parties[(created.isna() | (created <= cutoff)).to_numpy()]
    index = pd.Index(people["party_id"].drop_duplicates(), name="party_id")
    out = pd.DataFrame(index=index)
    out["is_partner"] = flag(people.drop_duplicates("party_id").set_index("party_id"), "is_partner")

    at = timestamps(orders, "ordered_at", name="orders")
    keep = (at <= cutoff).to_numpy().copy()
    if "status" in orders.columns:
        keep &= ~np.isin(orders["status"].astype("string").fillna("").to_numpy(), ["returned", "cancelled"])
    bought = pd.DataFrame({"party_id": orders["party_id"].to_numpy()[keep], "at": at.to_numpy()[keep]})
    grouped = bought.groupby("party_id")["at"]
    out["purchases"] = grouped.size().reindex(index, fill_value=0).astype("int64")
    out["recency_days"] = (cutoff - grouped.max()).dt.total_seconds().reindex(index) / 86400.0

    if feedback is not None:
        require_columns(feedback, ("party_id", "answered_at", "kind", "score"), name="feedback")
        answered = timestamps(feedback, "answered_at", name="feedback")
        answers = pd.DataFrame(
            {
                "party_id": feedback["party_id"].to_numpy(),
                "at": answered.to_numpy(),
                "kind": feedback["kind"].astype("string").str.lower().to_numpy(),
                "score": pd.to_numeric(feedback["score"], errors="coerce").to_numpy(),
            }
        )
        answers = answers[(answers["at"] <= cutoff).to_numpy()].sort_values("at", kind="stable")
        latest = answers.drop_duplicates(["party_id", "kind"], keep="last").pivot(
            index="party_id", columns="kind", values="score"
        )
        for kind in ("csat", "nps"):
            column = latest[kind] if kind in latest.columns else pd.Series(dtype="float64")
            out[kind] = column.reindex(index).astype("float64")

    if referrals is not None:
        require_columns(referrals, ("referrer_id", "referred_at"), name="referrals")
        referred = timestamps(referrals, "referred_at", name="referrals")
        counted = referrals["referrer_id"][(referred <= cutoff).to_numpy()]
        out["referrals"] = counted.value_counts().reindex(index, fill_value=0).astype("int64")

    if scores is not None:
        require_columns(scores, ("p_alive",), name="scores")
        out["p_alive"] = scores["p_alive"].astype("float64").reindex(index)
    return out


def ladder_history(
    parties: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    start: TimeLike,
    end: TimeLike,
    freq: str = "Q",
    feedback: pd.DataFrame | None = None,
    referrals: pd.DataFrame | None = None,
    rules: LadderRules | None = None,
) -> pd.DataFrame:
    """Stage of every party at the end of each period from ``start`` to ``end``.

    Inputs as :func:`ladder_features` (no P(alive): history uses recency).
    Periods are calendar periods of ``freq`` (``"M"``, ``"Q"``, ``"Y"``)
    overlapping ``[start, end]``; a period's stage is computed at its last
    instant, or at ``end`` for the period containing ``end``.

    Returns
    -------
    DataFrame
        Long table ``period`` (Period), ``party_id``, ``stage`` (ordered
        categorical), one row per party existing at the period end.
    """
    periods = pd.period_range(instant(start), instant(end), freq=freq)
    frames: list[pd.DataFrame] = []
    for period in periods:  # a handful of periods; each step is vectorised over parties
        moment = min(period.end_time, instant(end))
        features = ladder_features(parties, orders, as_of=moment, feedback=feedback, referrals=referrals)
        stages = ladder_stages(features, rules=rules)
        frames.append(
            pd.DataFrame({"period": period, "party_id": stages.index, "stage": stages["stage"].to_numpy()})
        )
    if not frames:
        return pd.DataFrame({"period": [], "party_id": [], "stage": pd.Categorical([], categories=list(STAGES), ordered=True)})
    history = pd.concat(frames, ignore_index=True)
    history["stage"] = pd.Categorical(history["stage"], categories=list(STAGES), ordered=True)
    return history


def transition_matrix(history: pd.DataFrame, *, normalize: bool = False) -> pd.DataFrame:
    """Moves between stages from one period to the next, summed over all period pairs.

    Parameters
    ----------
    history : DataFrame
        ``period``, ``party_id``, ``stage`` as :func:`ladder_history` returns.
    normalize : bool
        Divide each row by its total (share of the "from" stage moving to each
        "to" stage); rows with no parties are NaN.

    Returns
    -------
    DataFrame
        Rows "from" stage, columns "to" stage, all :data:`STAGES` in order.
        Parties absent in the earlier period (not yet created) are not counted.
    """
    require_columns(history, ("period", "party_id", "stage"), name="history")
    ordered = history.sort_values(["party_id", "period"], kind="stable")
    previous = ordered.groupby("party_id", sort=False)["stage"].shift(1)
    moved = pd.DataFrame({"from": previous, "to": ordered["stage"]}).dropna()
    codes_from = pd.Categorical(moved["from"], categories=list(STAGES)).codes
    codes_to = pd.Categorical(moved["to"], categories=list(STAGES)).codes
    size = len(STAGES)
    counts = np.bincount(codes_from * size + codes_to, minlength=size * size).reshape(size, size)
    matrix = pd.DataFrame(
        counts.astype("float64" if normalize else "int64"),
        index=pd.Index(STAGES, name="from"),
        columns=pd.Index(STAGES, name="to"),
    )
    if normalize:
        totals = matrix.sum(axis=1)
        matrix = matrix.div(totals.where(totals > 0), axis=0)
    return matrix


def stage_counts(stages: pd.DataFrame) -> dict[str, int]:
    """Parties per stage, every stage present (zeros included), ladder order."""
    require_columns(stages, ("stage",), name="stages")
    counts = stages["stage"].value_counts()
    return {stage: int(counts.get(stage, 0)) for stage in STAGES}
