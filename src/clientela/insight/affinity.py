"""Product affinity from co-purchases, and add-on (cross-sell) recommendations.

Association measures (Agrawal, Imielinski & Swami, SIGMOD 1993, for support
and confidence; Brin, Motwani, Ullman & Tsur, SIGMOD 1997, for lift -- their
"interest").  Over ``n`` baskets, with ``n_a`` baskets holding product ``a``
and ``n_ab`` holding both ``a`` and ``b``::

    support(a -> b)    = n_ab / n
    confidence(a -> b) = n_ab / n_a
    lift(a -> b)       = confidence(a -> b) / (n_b / n) = n_ab * n / (n_a * n_b)

A *basket* is whatever the caller groups by: an order (what is bought
together) or a customer (what the same customer owns).  Counts come from the
sparse binary incidence matrix ``X`` (baskets x products): ``X.T @ X`` holds
every ``n_ab`` and its diagonal every ``n_a`` -- no Python loop over baskets.

Recommendations: for a customer who owns the set ``S``, the score of a
product ``b`` not in ``S`` is ``max over a in S of lift(a -> b)``, and the
``a`` that gives it is reported as ``because_of``.  Only pairs with
``lift > min_lift`` (default 1: bought together more often than chance) and
``n_ab >= min_count`` qualify, and each antecedent keeps its
``max_per_product`` best consequents.  Only the first ``k`` of those a
customer does not own can reach its top ``k``, which bounds the candidate
rows at ``customers x owned products x k``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clientela.insight.frames import require_columns

AFFINITY_COLUMNS: tuple[str, ...] = (
    "antecedent",
    "consequent",
    "count_ab",
    "support",
    "confidence",
    "lift",
)


def incidence(
    items: pd.DataFrame, *, basket: str, product: str = "product_id"
) -> tuple[sp.csr_matrix, pd.Index, pd.Index]:
    """Binary sparse incidence matrix (baskets x products) and its row and column labels."""
    require_columns(items, (basket, product), name="items")
    rows, basket_labels = pd.factorize(items[basket], sort=True)
    cols, product_labels = pd.factorize(items[product], sort=True)
    if (rows < 0).any() or (cols < 0).any():
        raise ValueError(f"items: missing {basket!r} or {product!r} values")
    data = np.ones(rows.size, dtype=np.float64)
    matrix = sp.csr_matrix(
        (data, (rows, cols)), shape=(len(basket_labels), len(product_labels))
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0  # a product counted once per basket
    return matrix, pd.Index(basket_labels), pd.Index(product_labels)


def product_affinity(
    items: pd.DataFrame,
    *,
    basket: str = "order_id",
    product: str = "product_id",
    min_count: int = 1,
) -> pd.DataFrame:
    """Support, confidence and lift for every ordered pair of products bought together.

    Parameters
    ----------
    items : DataFrame
        One row per (basket, product), duplicates allowed: columns ``basket``
        (e.g. ``order_id`` or ``party_id``) and ``product`` (``product_id``).
    min_count : int
        Keep pairs found together in at least this many baskets.

    Returns
    -------
    DataFrame
        :data:`AFFINITY_COLUMNS` plus ``count_a`` and ``count_b``, one row per
        ordered pair ``a != b`` with ``count_ab >= min_count``, sorted by
        antecedent then descending lift.
    """
    matrix, baskets, products = incidence(items, basket=basket, product=product)
    n = float(len(baskets))
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    co = sp.coo_matrix(matrix.T @ matrix)
    keep = (co.row != co.col) & (co.data >= min_count)
    a, b, n_ab = co.row[keep], co.col[keep], co.data[keep]
    out = pd.DataFrame(
        {
            "antecedent": products[a],
            "consequent": products[b],
            "count_ab": n_ab.astype(np.int64),
            "count_a": counts[a].astype(np.int64),
            "count_b": counts[b].astype(np.int64),
            "support": n_ab / n,
            "confidence": n_ab / counts[a],
            "lift": n_ab * n / (counts[a] * counts[b]),
        }
    )
    return out.sort_values(["antecedent", "lift", "consequent"], ascending=[True, False, True], ignore_index=True)


def recommend_add_ons(
    ownership: pd.DataFrame,
    affinity: pd.DataFrame,
    *,
    k: int = 3,
    min_lift: float = 1.0,
    min_count: int = 1,
    max_per_product: int = 20,
) -> pd.DataFrame:
    """Top-``k`` add-on products per customer, by the highest lift from what they own.

    Parameters
    ----------
    ownership : DataFrame
        ``party_id``, ``product_id``: what each customer has bought (duplicates allowed).
    affinity : DataFrame
        The output of :func:`product_affinity` (``antecedent``, ``consequent``,
        ``lift``, ``count_ab``).
    k : int
        Recommendations per customer.
    min_lift, min_count, max_per_product
        Pair filters (module docstring).

    Returns
    -------
    DataFrame
        ``party_id``, ``rank`` (1 = best), ``product_id``, ``lift``,
        ``because_of`` (the owned product giving that lift).  Customers without
        a qualifying product have no rows.  Ties in lift break by product id.
    """
    require_columns(ownership, ("party_id", "product_id"), name="ownership")
    require_columns(affinity, ("antecedent", "consequent", "lift", "count_ab"), name="affinity")
    if k < 1:
        raise ValueError("recommend_add_ons: k must be at least 1")
    pairs = affinity.loc[
        (affinity["lift"] > min_lift) & (affinity["count_ab"] >= min_count),
        ["antecedent", "consequent", "lift"],
    ]
    pairs = (
        pairs.sort_values(["antecedent", "lift", "consequent"], ascending=[True, False, True])
        .groupby("antecedent", sort=False)
        .head(max_per_product)
    )
    owned = ownership[["party_id", "product_id"]].drop_duplicates()
    candidates = _first_unowned(owned, pairs, k=k, max_per_product=max_per_product)
    best = candidates.sort_values(
        ["party_id", "lift", "product_id", "because_of"], ascending=[True, False, True, True]
    ).drop_duplicates(["party_id", "product_id"])
    top = best.groupby("party_id", sort=False).head(k).copy()
    top["rank"] = top.groupby("party_id", sort=False).cumcount() + 1
    return top[["party_id", "rank", "product_id", "lift", "because_of"]].reset_index(drop=True)


def _first_unowned(
    owned: pd.DataFrame, pairs: pd.DataFrame, *, k: int, max_per_product: int
) -> pd.DataFrame:
    """For each owned (party, a), the first ``k`` consequents of ``a`` the party does not own.

    ``pairs`` is sorted by antecedent, descending lift, consequent and cut to
    ``max_per_product`` rows per antecedent.  A party's top-``k`` products by
    (lift desc, product, because_of) are always among these: were ``b`` (best
    through ``a``) not among ``a``'s first ``k`` unowned consequents, ``a``
    alone would give ``k`` distinct products ranked above it.  So the work is
    ``owned x k`` rows instead of ``owned x max_per_product``; each round
    looks one position further down the lists of the pairs still short of ``k``.
    """
    n_owned, n_pairs = len(owned), len(pairs)
    codes, _ = pd.factorize(
        pd.concat(
            [owned["product_id"], pairs["antecedent"], pairs["consequent"]], ignore_index=True
        )
    )
    n_codes = max(int(codes.max()) + 1, 1) if codes.size else 1
    own_product = codes[:n_owned].astype(np.int64)
    antecedent = codes[n_owned : n_owned + n_pairs]
    consequent = codes[n_owned + n_pairs :].astype(np.int64)
    party_codes, _ = pd.factorize(owned["party_id"])
    party = party_codes.astype(np.int64)
    owned_keys = np.sort(party * n_codes + own_product)

    # Each antecedent's consequents, in the order of ``pairs`` (a stable sort keeps it).
    order = np.argsort(antecedent, kind="stable")
    cons_code = consequent[order]
    cons_value = pairs["consequent"].to_numpy()[order]
    ante_value = pairs["antecedent"].to_numpy()[order]
    lift = pairs["lift"].to_numpy()[order]
    first = np.searchsorted(antecedent[order], np.arange(n_codes), side="left")
    length = np.searchsorted(antecedent[order], np.arange(n_codes), side="right") - first

    rows = np.flatnonzero(length[own_product] > 0)
    found = np.zeros(n_owned, dtype=np.int64)
    picked_rows: list[np.ndarray] = []
    picked_pos: list[np.ndarray] = []
    for position in range(max_per_product):
        rows = rows[(position < length[own_product[rows]]) & (found[rows] < k)]
        if rows.size == 0:
            break
        pos = first[own_product[rows]] + position
        key = party[rows] * n_codes + cons_code[pos]
        at = np.minimum(np.searchsorted(owned_keys, key), max(owned_keys.size - 1, 0))
        new = owned_keys[at] != key if owned_keys.size else np.ones(rows.size, dtype=bool)
        picked_rows.append(rows[new])
        picked_pos.append(pos[new])
        found[rows[new]] += 1
    row = np.concatenate(picked_rows) if picked_rows else np.zeros(0, dtype=np.int64)
    pos = np.concatenate(picked_pos) if picked_pos else np.zeros(0, dtype=np.int64)
    return pd.DataFrame(
        {
            "party_id": owned["party_id"].to_numpy()[row],
            "because_of": ante_value[pos],
            "product_id": cons_value[pos],
            "lift": lift[pos],
        }
    )


def best_add_on(recommendations: pd.DataFrame) -> pd.DataFrame:
    """The rank-1 recommendation per party, indexed by ``party_id``.

    Columns ``add_on_product``, ``add_on_lift``, ``add_on_because_of`` -- the
    shape :func:`clientela.insight.next_best_action.next_best_actions` reads.
    """
    first = recommendations[recommendations["rank"] == 1].set_index("party_id")
    return first.rename(
        columns={
            "product_id": "add_on_product",
            "lift": "add_on_lift",
            "because_of": "add_on_because_of",
        }
    )[["add_on_product", "add_on_lift", "add_on_because_of"]]

