"""Which parties are customers to value: the customer base.

A party is in the customer base unless it is archived, or it is a supplier, a partner
or an internal stakeholder that is neither a customer nor a prospect. A party with
several roles stays in (a partner who also buys is a customer, placed on the ladder's
top rung, "partner"). Parties outside are not scored: no CLV, RFM segment, ladder stage
or next best action — so a supplier is never told "Managed exit" — and they count in no
customer KPI, segment or list.

The same rule over the records is ``clientela.crm.parties.models.OUTSIDE_CUSTOMER_BASE``
(negated); tests/web/test_parties_kinds.py plants each kind and checks both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clientela.insight.frames import flag, require_columns


def in_customer_base(parties: pd.DataFrame) -> pd.Series:
    """Boolean per row of ``parties``: inside the customer base.

    Parameters
    ----------
    parties : DataFrame
        Any of ``is_customer``, ``is_prospect``, ``is_supplier``, ``is_partner``,
        ``is_internal`` and ``archived`` (bool; a missing column reads as all False, so
        a frame without roles is all customers).
    """
    require_columns(parties, (), name="parties")
    other = flag(parties, "is_supplier") | flag(parties, "is_partner") | flag(parties, "is_internal")
    selling = flag(parties, "is_customer") | flag(parties, "is_prospect")
    archived = flag(parties, "archived")
    inside = (~other | selling) & ~archived
    return pd.Series(np.asarray(inside, dtype=bool), index=parties.index, name="in_customer_base")
