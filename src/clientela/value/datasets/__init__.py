"""Published data sets used to check the value models against the papers.

Each loader reads a small CSV shipped with the package and returns a pandas
DataFrame in the column layout the models take.  The files are data only; their
sources are cited in each loader.
"""

from __future__ import annotations

from importlib.resources import files

import pandas as pd


def _read(name: str) -> pd.DataFrame:
    with files(__package__).joinpath(name).open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


def load_donations() -> pd.DataFrame:
    """BG/BB donations summary: 11,104 donors of the 1995 cohort, 6 opportunities (1996-2001).

    Source: Fader, Hardie & Shang (2010), "Customer-base analysis in a
    discrete-time noncontractual setting", Marketing Science 29(6), the
    recency/frequency table of a US non-profit's 1995 first-time donors; the
    file ships in the lifetimes 0.11.3 wheel (MIT licence,
    ``lifetimes/datasets/donations.csv``).  Only the data were copied.

    Returns
    -------
    pandas.DataFrame
        22 rows, columns ``frequency`` (repeat donations in 1996-2001),
        ``recency`` (the year of the last donation, 1 = 1996, 0 = none),
        ``n_periods`` (6) and ``weights`` (donors with that history; they sum
        to 11,104).  Ready for :class:`~clientela.value.models.bg_bb.BetaGeoBetaBinom`.
    """
    data = _read("donations.csv").rename(columns={"periods": "n_periods"})
    return data[["frequency", "recency", "n_periods", "weights"]].astype("int64")


def load_retention_cohorts() -> pd.DataFrame:
    """Survivors of two 1,000-customer cohorts over 12 annual renewals.

    Source: Fader & Hardie (2007), "How to project customer retention",
    Journal of Interactive Marketing 21(1), Table 1: percentage of customers
    surviving at least 0-12 years, for the "regular" and "high end" segments
    of a subscription business (here as counts out of 1,000).

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (0-12), ``regular`` and ``high_end`` (customers still
        subscribed at the start of that year).  Turn a column into a model
        summary with :func:`clientela.value.models.sbg.summary_from_survivors`.
    """
    return _read("retention_cohorts.csv").astype("int64")
