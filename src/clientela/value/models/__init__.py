"""Probabilistic customer-base models, one estimator per module over a shared base."""

from clientela.value.models.base import BaseModel, ModelFitError, NotFittedError
from clientela.value.models.bg_nbd import BetaGeo
from clientela.value.models.mbg_nbd import ModifiedBetaGeo
from clientela.value.models.pareto_nbd import ParetoNBD

# Other estimators (GammaGamma, BetaGeoBetaBinom, ShiftedBetaGeo): one import line each below.

__all__ = [
    "BaseModel",
    "BetaGeo",
    "ModelFitError",
    "ModifiedBetaGeo",
    "NotFittedError",
    "ParetoNBD",
]
