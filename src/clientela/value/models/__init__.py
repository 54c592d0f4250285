"""Probabilistic customer-base models, one estimator per module over a shared base."""

from clientela.value.models.base import BaseModel, BoundaryWarning, ModelFitError, NotFittedError
from clientela.value.models.bg_bb import BetaGeoBetaBinom
from clientela.value.models.bg_nbd import BetaGeo
from clientela.value.models.gamma_gamma import GammaGamma
from clientela.value.models.mbg_nbd import ModifiedBetaGeo
from clientela.value.models.nbd import NBD
from clientela.value.models.pareto_nbd import ParetoNBD
from clientela.value.models.sbg import ShiftedBetaGeo

__all__ = [
    "BaseModel",
    "BetaGeo",
    "BetaGeoBetaBinom",
    "BoundaryWarning",
    "GammaGamma",
    "ModelFitError",
    "ModifiedBetaGeo",
    "NBD",
    "NotFittedError",
    "ParetoNBD",
    "ShiftedBetaGeo",
]
