"""Customer value engine: summaries, probabilistic models, CLV (no Django).

Pure Python over pandas/NumPy so analysts can use it from a notebook and batch
jobs can call it; docs/value.md describes it and docs/architecture.md its
place among the layers (nothing here imports Django or the CRM).
"""

from clientela.value import models
from clientela.value.clv import CustomerEquity, customer_equity, customer_lifetime_value
from clientela.value.models import *  # noqa: F403 -- the models' public names are the engine's
from clientela.value.summary import summarize
from clientela.value.validation import compare_models

__all__ = [
    "CustomerEquity",
    "compare_models",
    "customer_equity",
    "customer_lifetime_value",
    "summarize",
]
__all__ += models.__all__
