"""Customer value engine: summaries, probabilistic models, CLV (no Django).

Pure Python over pandas/NumPy so analysts can use it from a notebook and batch
jobs can call it; see DESIGN.md.
"""

from clientela.value.clv import CustomerEquity, customer_equity, customer_lifetime_value
from clientela.value.models import (
    NBD,
    BaseModel,
    BetaGeo,
    BetaGeoBetaBinom,
    BoundaryWarning,
    GammaGamma,
    ModelFitError,
    ModifiedBetaGeo,
    NotFittedError,
    ParetoNBD,
    ShiftedBetaGeo,
)
from clientela.value.summary import summarize
from clientela.value.validation import compare_models

# Other public names (GammaGamma, BetaGeoBetaBinom, ShiftedBetaGeo, CLV, ...): one import line each below.

__all__ = [
    "BaseModel",
    "BetaGeo",
    "BetaGeoBetaBinom",
    "BoundaryWarning",
    "CustomerEquity",
    "GammaGamma",
    "ModelFitError",
    "ModifiedBetaGeo",
    "NBD",
    "NotFittedError",
    "ParetoNBD",
    "ShiftedBetaGeo",
    "compare_models",
    "customer_equity",
    "customer_lifetime_value",
    "summarize",
]
