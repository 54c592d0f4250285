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


def load_cdnow_transactions() -> pd.DataFrame:
    """CDNOW sample: 6,919 purchases by 2,357 customers, January 1997 to June 1998.

    Source: the CDNOW data set as distributed by Fader & Hardie (a 1/10
    systematic sample of the customers who made their first purchase at CDNOW
    in the first quarter of 1997), used in Fader, Hardie & Lee (2005),
    Marketing Science 24(2); the file ships in the lifetimes 0.11.3 wheel (MIT
    licence, ``lifetimes/datasets/CDNOW_sample.txt``).  Only the data were copied.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (1-2,357, as in :func:`load_cdnow_summary`),
        ``date`` (``datetime64``, day resolution), ``quantity`` (CDs) and
        ``amount`` (US dollars).
    """
    with files(__package__).joinpath("cdnow_transactions.txt").open("r", encoding="utf-8") as fh:
        raw = pd.read_csv(
            fh,
            sep=r"\s+",
            header=None,
            names=["master_id", "customer_id", "date", "quantity", "amount"],
            dtype={"master_id": "int64", "customer_id": "int64", "date": "str"},
        )
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw[["customer_id", "date", "quantity", "amount"]]


def load_cdnow_summary() -> pd.DataFrame:
    """CDNOW 39-week calibration summary of the 2,357 customers (weeks).

    Source: Fader, Hardie & Lee (2005), Marketing Science 24(2): repeat
    purchases ``x``, recency ``t_x`` and age ``T`` in weeks at the end of
    week 39 (1997-09-30), and the mean value of the repeat purchases
    ``zbar`` used in Fader, Hardie & Lee (2005), JMR 42(4); the file ships in
    the lifetimes 0.11.3 wheel (MIT licence,
    ``lifetimes/datasets/cdnow_customers_summary_with_transactions.csv``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``; columns ``frequency``, ``recency``, ``T``
        and ``monetary_value`` (0 for the 1,411 customers without a repeat
        purchase).
    """
    data = _read("cdnow_summary.csv").rename(
        columns={"ID": "customer_id", "x": "frequency", "t_x": "recency", "zbar": "monetary_value"}
    )
    return data.set_index("customer_id")[["frequency", "recency", "T", "monetary_value"]]
