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

from dataclasses import dataclass

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
    # A pair listed twice keeps its best lift (the candidates the fan-out keeps per product).
    pairs = pairs.drop_duplicates(["antecedent", "consequent"]).reset_index(drop=True)
    n_pairs = len(pairs)
    # Candidates are ranked by lift (desc), product, because_of: rank the pairs once that
    # way, so a candidate's rank is its pair's and one integer sort ranks them all.
    by_rank = pairs.sort_values(
        ["lift", "consequent", "antecedent"], ascending=[False, True, True], kind="stable"
    ).index.to_numpy()
    pair_rank = np.empty(n_pairs, dtype=np.int64)
    pair_rank[by_rank] = np.arange(n_pairs, dtype=np.int64)

    codes, _ = pd.factorize(
        pd.concat(
            [ownership["product_id"], pairs["antecedent"], pairs["consequent"]], ignore_index=True
        ),
        use_na_sentinel=False,
    )
    n_codes = int(codes.max()) + 1 if codes.size else 1
    n_own = len(ownership)
    party_codes, _ = pd.factorize(ownership["party_id"], sort=True, use_na_sentinel=False)
    # Distinct owned (party, product) as sorted integer keys: a plain sort, not a hash or
    # an argsort (both random-access bound on millions of rows), and the candidate keys
    # below are then looked up nearly in order, which keeps the binary searches in cache.
    sorted_keys = np.sort(party_codes.astype(np.int64) * n_codes + codes[:n_own])
    keys = sorted_keys[np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]] if n_own else sorted_keys
    owned = _Owned(party=keys // n_codes, product=keys % n_codes, keys=keys, n_codes=n_codes)
    party_values = ownership["party_id"].to_numpy()
    party_value = np.empty(int(party_codes.max()) + 1 if n_own else 0, dtype=party_values.dtype)
    party_value[party_codes] = party_values  # one value per code (equal values share a code)
    row, pos = _first_unowned(
        owned,
        antecedent=codes[n_own : n_own + n_pairs].astype(np.int64),
        consequent=codes[n_own + n_pairs :].astype(np.int64),
        k=k,
        max_per_product=max_per_product,
    )
    party = owned.party[row]
    order = np.argsort(party * max(n_pairs, 1) + pair_rank[pos], kind="stable")
    row, pos, party = row[order], pos[order], party[order]
    if k > 1:
        # The same product through two owned products: keep its best (first) candidate.
        # With k == 1 the first candidate of a party is the only one kept anyway.
        product_key = party * n_codes + codes[n_own + n_pairs :].astype(np.int64)[pos]
        by_product = np.argsort(product_key, kind="stable")
        sorted_product = product_key[by_product]
        keep = np.zeros(party.size, dtype=bool)
        keep[by_product[np.r_[True, sorted_product[1:] != sorted_product[:-1]]]] = True
        row, pos, party = row[keep], pos[keep], party[keep]
    n = party.size
    starts = np.flatnonzero(np.r_[True, party[1:] != party[:-1]]) if n else np.zeros(0, np.int64)
    rank = np.arange(n, dtype=np.int64) - np.repeat(starts, np.diff(np.r_[starts, n])) + 1
    top = rank <= k
    return pd.DataFrame(
        {
            "party_id": party_value[party[top]],
            "rank": rank[top],
            "product_id": pairs["consequent"].to_numpy()[pos[top]],
            "lift": pairs["lift"].to_numpy()[pos[top]],
            "because_of": pairs["antecedent"].to_numpy()[pos[top]],
        }
    )


@dataclass(frozen=True)
class _Owned:
    """Distinct owned (party, product) codes, sorted by ``keys = party * n_codes + product``."""

    party: np.ndarray
    product: np.ndarray
    keys: np.ndarray
    n_codes: int


def _first_unowned(
    owned: _Owned,
    *,
    antecedent: np.ndarray,
    consequent: np.ndarray,
    k: int,
    max_per_product: int,
) -> tuple[np.ndarray, np.ndarray]:
    """For each owned (party, a), the first ``k`` consequents of ``a`` the party does not own.

    The pairs (``antecedent``, ``consequent`` codes) are in the order of
    ``pairs``: by antecedent, descending lift, consequent, at most
    ``max_per_product`` per antecedent.  A party's top-``k`` products by
    (lift desc, product, because_of) are always among these: were ``b`` (best
    through ``a``) not among ``a``'s first ``k`` unowned consequents, ``a``
    alone would give ``k`` distinct products ranked above it.  So the work is
    ``owned x k`` rows instead of ``owned x max_per_product``; each round
    looks one position further down the lists of the owned rows still short of
    ``k``.  Returns the owned row and the pair position of every candidate.
    """
    n_codes = owned.n_codes
    order = np.argsort(antecedent, kind="stable")  # keeps each antecedent's list in order
    sorted_antecedent = antecedent[order]
    first = np.searchsorted(sorted_antecedent, np.arange(n_codes), side="left")
    length = np.searchsorted(sorted_antecedent, np.arange(n_codes), side="right") - first

    rows = np.flatnonzero(length[owned.product] > 0)
    found = np.zeros(owned.party.size, dtype=np.int64)
    picked_rows: list[np.ndarray] = []
    picked_pos: list[np.ndarray] = []
    for position in range(max_per_product):
        rows = rows[(position < length[owned.product[rows]]) & (found[rows] < k)]
        if rows.size == 0:
            break
        pos = order[first[owned.product[rows]] + position]
        wanted = owned.party[rows] * n_codes + consequent[pos]
        at = np.minimum(np.searchsorted(owned.keys, wanted), owned.keys.size - 1)
        new = owned.keys[at] != wanted
        picked_rows.append(rows[new])
        picked_pos.append(pos[new])
        found[rows[new]] += 1
    empty = np.zeros(0, dtype=np.int64)
    return (
        np.concatenate(picked_rows) if picked_rows else empty,
        np.concatenate(picked_pos) if picked_pos else empty,
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

