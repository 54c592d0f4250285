"""Lifetime value on Apache Spark (``pip install 'clientela[spark]'``); see :mod:`.engine`.

Importing this package does not import PySpark; its functions do.
"""

from clientela.value.spark.engine import (
    compress,
    fit,
    model_rows,
    read,
    score,
    session,
    summarize,
    write,
)

__all__ = ["compress", "fit", "model_rows", "read", "score", "session", "summarize", "write"]
