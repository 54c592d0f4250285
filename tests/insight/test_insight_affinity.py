"""Affinity lift by hand, and add-on recommendations excluding what is owned."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clientela.insight import best_add_on, product_affinity, recommend_add_ons

# Eight orders:  {A,B} x3, {A,C}, {B} , {C,D} x2, {D}
BASKETS = [["A", "B"]] * 3 + [["A", "C"], ["B"], ["C", "D"], ["C", "D"], ["D"]]
ITEMS = pd.DataFrame(
    [(i, p) for i, basket in enumerate(BASKETS) for p in basket] + [(0, "A")],  # a duplicate line
    columns=["order_id", "product_id"],
)


def _pair(table: pd.DataFrame, a: str, b: str) -> pd.Series:
    row = table[(table["antecedent"] == a) & (table["consequent"] == b)]
    assert len(row) == 1
    return row.iloc[0]


def test_support_confidence_lift_by_hand() -> None:
    table = product_affinity(ITEMS)
    # n = 8; n_A = 4, n_B = 4, n_C = 3, n_D = 3; n_AB = 3, n_CD = 2, n_AC = 1.
    ab = _pair(table, "A", "B")
    assert ab["count_ab"] == 3
    assert ab["support"] == pytest.approx(3 / 8)
    assert ab["confidence"] == pytest.approx(3 / 4)
    assert ab["lift"] == pytest.approx(3 * 8 / (4 * 4))  # 1.5
    cd = _pair(table, "C", "D")
    assert cd["confidence"] == pytest.approx(2 / 3)
    assert cd["lift"] == pytest.approx(2 * 8 / (3 * 3))  # 16/9
    ac = _pair(table, "A", "C")
    assert ac["lift"] == pytest.approx(1 * 8 / (4 * 3))  # 2/3
    ca = _pair(table, "C", "A")
    assert ca["confidence"] == pytest.approx(1 / 3)  # confidence is directional, lift is not
    assert ca["lift"] == pytest.approx(ac["lift"])
    # Never-together pairs are absent; no self pairs.
    assert table[(table["antecedent"] == "A") & (table["consequent"] == "D")].empty
    assert (table["antecedent"] != table["consequent"]).all()


def test_min_count_filters_pairs() -> None:
    table = product_affinity(ITEMS, min_count=2)
    assert set(zip(table["antecedent"], table["consequent"], strict=True)) == {
        ("A", "B"), ("B", "A"), ("C", "D"), ("D", "C"),
    }


def test_recommendations_take_highest_lift_and_exclude_owned() -> None:
    affinity = product_affinity(ITEMS)
    ownership = pd.DataFrame(
        {"party_id": ["p", "q", "q", "r"], "product_id": ["A", "C", "D", "B"]}
    )
    recs = recommend_add_ons(ownership, affinity, k=2, min_lift=1.0)
    # p owns A: lifts A->B 1.5, A->C 2/3 (not > 1) -> only B.
    assert recs[recs["party_id"] == "p"][["product_id", "because_of"]].values.tolist() == [["B", "A"]]
    # q owns C and D: C->D is owned; C->A 2/3 -> nothing with lift > 1.
    assert recs[recs["party_id"] == "q"].empty
    # r owns B: B->A lift 1.5.
    assert recs[recs["party_id"] == "r"]["product_id"].tolist() == ["A"]
    best = best_add_on(recs)
    assert best.loc["p", "add_on_product"] == "B"
    assert best.loc["p", "add_on_lift"] == pytest.approx(1.5)


def test_top_k_ranks_by_max_lift_over_owned_products() -> None:
    affinity = pd.DataFrame(
        {
            "antecedent": ["A", "A", "B", "B"],
            "consequent": ["X", "Y", "X", "Z"],
            "lift": [2.0, 3.0, 5.0, 1.5],
            "count_ab": [4, 4, 4, 4],
        }
    )
    ownership = pd.DataFrame({"party_id": [1, 1], "product_id": ["A", "B"]})
    recs = recommend_add_ons(ownership, affinity, k=2)
    # X: max(2.0 from A, 5.0 from B) = 5 via B; Y: 3 via A; Z: 1.5 -> cut by k = 2.
    assert recs[["rank", "product_id", "lift", "because_of"]].values.tolist() == [
        [1, "X", 5.0, "B"], [2, "Y", 3.0, "A"],
    ]


def test_vectorised_on_many_customers() -> None:
    rng = np.random.default_rng(7)
    n = 2_000
    items = pd.DataFrame(
        {"party_id": rng.integers(0, n, size=5 * n), "product_id": rng.integers(0, 50, size=5 * n)}
    )
    affinity = product_affinity(items, basket="party_id")
    assert affinity["lift"].between(0, 50).all()
    recs = recommend_add_ons(items, affinity, k=3, min_lift=0.0)
    assert recs.groupby("party_id").size().max() <= 3
    owned = set(zip(items["party_id"], items["product_id"], strict=True))
    sample = recs.head(500)
    assert not any((p, q) in owned for p, q in zip(sample["party_id"], sample["product_id"], strict=True))


def _reference_add_ons(
    ownership: pd.DataFrame, affinity: pd.DataFrame, *, k: int, min_lift: float,
    min_count: int, max_per_product: int,
) -> pd.DataFrame:
    """The straightforward fan-out (every owned product x its best consequents)."""
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
    candidates = owned.merge(pairs, left_on="product_id", right_on="antecedent", how="inner")
    candidates = candidates.drop(columns=["product_id"]).rename(
        columns={"antecedent": "because_of", "consequent": "product_id"}
    )
    owned_key = pd.MultiIndex.from_frame(owned)
    candidate_key = pd.MultiIndex.from_frame(candidates[["party_id", "product_id"]])
    candidates = candidates[~candidate_key.isin(owned_key)]
    best = candidates.sort_values(
        ["party_id", "lift", "product_id", "because_of"], ascending=[True, False, True, True]
    ).drop_duplicates(["party_id", "product_id"])
    top = best.groupby("party_id", sort=False).head(k).copy()
    top["rank"] = top.groupby("party_id", sort=False).cumcount() + 1
    return top[["party_id", "rank", "product_id", "lift", "because_of"]].reset_index(drop=True)


@pytest.mark.parametrize("k", [1, 2, 5])
@pytest.mark.parametrize("max_per_product", [1, 3, 20])
def test_recommendations_equal_the_full_fan_out(k: int, max_per_product: int) -> None:
    # Few products and rounded lifts: many ties and many consequents already owned,
    # so the search must look past owned ones and break ties exactly as the fan-out does.
    rng = np.random.default_rng(k * 100 + max_per_product)
    items = pd.DataFrame(
        {"order_id": rng.integers(0, 600, size=3_000), "product_id": rng.integers(0, 15, size=3_000)}
    )
    items["party_id"] = items["order_id"] % 150
    affinity = product_affinity(items, basket="order_id")
    affinity["lift"] = affinity["lift"].round(1)
    ownership = items[["party_id", "product_id"]]
    got = recommend_add_ons(ownership, affinity, k=k, min_lift=0.9, min_count=2,
                            max_per_product=max_per_product)
    want = _reference_add_ons(ownership, affinity, k=k, min_lift=0.9, min_count=2,
                              max_per_product=max_per_product)
    assert len(want) > 0
    pd.testing.assert_frame_equal(got, want)


def test_recommendations_with_nothing_to_recommend() -> None:
    affinity = pd.DataFrame({"antecedent": [], "consequent": [], "lift": [], "count_ab": []})
    ownership = pd.DataFrame({"party_id": [1, 2], "product_id": [10, 11]})
    recs = recommend_add_ons(ownership, affinity, k=1)
    assert recs.empty
    assert list(recs.columns) == ["party_id", "rank", "product_id", "lift", "because_of"]
