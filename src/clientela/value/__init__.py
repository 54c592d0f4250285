"""Customer value engine: summaries, probabilistic models, CLV (no Django).

Pure Python over pandas/NumPy so analysts can use it from a notebook and batch
jobs can call it; see DESIGN.md.
"""

from clientela.value.models import (
    BaseModel,
    BetaGeo,
    ModelFitError,
    ModifiedBetaGeo,
    NotFittedError,
    ParetoNBD,
)
from clientela.value.summary import summarize

# Other public names (GammaGamma, BetaGeoBetaBinom, ShiftedBetaGeo, CLV, ...): one import line each below.

__all__ = [
    "BaseModel",
    "BetaGeo",
    "ModelFitError",
    "ModifiedBetaGeo",
    "NotFittedError",
    "ParetoNBD",
    "summarize",
]
