"""The single-machine rules for dates and the same errors for bad input, on Spark.

The logs go through Parquet, as from a lake: naive times arrive as TIMESTAMP_NTZ,
aware ones as TIMESTAMP, text as STRING.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from clientela.value import summarize

LOG = pd.DataFrame({
    "customer": ["b", "a", "b", "a", "c", "a", "b", "c"],
    "text": ["2025-01-05T23:30:00Z", "20250106", "2025-01-06", "2025-02-28T23:59:59-05:00",
             "2025-03-01", "2025-03-30T01:30:00+01:00", "2025-03-31", "2025-03-31T22:00:00Z"],
    "amount": [10.0, 5.5, 2.25, 7.0, 1.0, 3.0, 4.0, 8.5],
})
LOG["yyyymmdd"] = [20250105, 20250106, 20250106, 20250228, 20250301, 20250330, 20250331, 20250331]
LOG["naive"] = pd.to_datetime(LOG["text"].str.strip(), format="ISO8601", utc=True).dt.tz_localize(None)
LOG["aware"] = pd.to_datetime(LOG["text"].str.strip(), format="ISO8601", utc=True)
LOG["day"] = LOG["naive"].dt.date
LOG["padded"] = " " + LOG["text"] + "\t"  # white space around is ignored on every route


def both_summaries(spark: Any, tmp_path: Path, frame: pd.DataFrame,
                   **kwargs: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Spark's summary of ``frame`` written as Parquet, and the single-machine one of that file."""
    from clientela.value.spark import read
    from clientela.value.spark import summarize as spark_summarize

    path = tmp_path / f"log-{len(list(tmp_path.iterdir()))}.parquet"
    frame.to_parquet(path, index=False)
    got = spark_summarize(read(spark, path), **kwargs).toPandas()
    return got.set_index(kwargs["customer"]).sort_index(), summarize(path, **kwargs)


# The rules do not depend on where Spark runs: local[2] only (test_engine runs both).
@pytest.mark.parametrize("spark", ["local[2]"], indirect=True)
@pytest.mark.parametrize("date", ["text", "yyyymmdd", "naive", "aware", "day", "padded"])
def test_date_rules_match_the_single_machine(spark: Any, tmp_path: Path, date: str) -> None:
    for options in (
        {"period": "D", "local_day": "Europe/Warsaw"},
        {"period": "W", "local_day": "America/New_York", "calibration_end": "2025-02-15"},
        {"period": "M", "observation_end": "2025-03-31"},
    ):
        kwargs = {"customer": "customer", "date": date, "amount": "amount", **options}
        got, expected = both_summaries(spark, tmp_path, LOG, **kwargs)
        pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)


BAD = {
    "a missing column": (LOG, {"amount": "price"}, "missing column(s) 'price'", True),
    "true/false dates": (LOG.assign(flag=True), {"date": "flag"}, "true/false values", True),
    "ambiguous text dates": (LOG.assign(text="01/02/2025"), {}, "not", False),
    "an empty log": (LOG.iloc[:0], {}, "no rows", False),
    "a missing customer": (LOG.assign(customer=[None, *LOG["customer"][1:]]), {},
                           "'customer' has a missing customer id", False),
    "a missing amount": (LOG.assign(amount=[np.nan, *LOG["amount"][1:]]), {}, "'amount'", False),
    "text amounts": (LOG.assign(amount="ten"), {}, "'amount'", False),
    "a text amount among numbers": (LOG.assign(amount=["1.5", *["2"] * 6, "ten"]), {}, "'amount'",
                                     False),
    "an end before the data": (LOG, {"observation_end": "2024-12-31"}, "before the first", False),
}


@pytest.mark.parametrize("spark", ["local[2]"], indirect=True)
@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_like_on_one_machine(spark: Any, tmp_path: Path, case: str) -> None:
    """Same ValueError, naming the column; refusals read off the schema run no Spark job."""
    frame, options, words, before_any_job = BAD[case]
    kwargs = {"customer": "customer", "date": "text", "amount": "amount", **options}
    with pytest.raises(ValueError, match="") as single:
        summarize(frame, **kwargs)
    assert words in str(single.value)
    context = spark.sparkContext
    group = f"bad-input-{case}"
    from clientela.value.spark import read
    from clientela.value.spark import summarize as spark_summarize

    path = tmp_path / "bad.parquet"
    frame.to_parquet(path, index=False)
    transactions = read(spark, path)
    context.setJobGroup(group, case)
    try:
        with pytest.raises(ValueError) as on_spark:
            spark_summarize(transactions, **kwargs)
    finally:
        context.setLocalProperty("spark.jobGroup.id", None)
    assert words in str(on_spark.value)
    if case == "a text amount among numbers":
        assert "e.g. 'ten'; 1 such row(s)" in str(on_spark.value)
    if before_any_job:
        assert list(context.statusTracker().getJobIdsForGroup(group)) == []
