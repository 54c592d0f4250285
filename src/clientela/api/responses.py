"""Response declarations shared by the operations (errors are problem documents)."""

from __future__ import annotations

from typing import Any

from clientela.api.problems import Problem

# Every error status the API answers, each as an RFC 9457 problem document.
ERROR_CODES = frozenset({400, 401, 403, 404, 405, 409, 412, 415, 422, 428, 429, 500})


def answers(status: int, schema: Any) -> dict[Any, Any]:
    """``{status: schema}`` plus every error status as a problem document."""
    return {status: schema, ERROR_CODES: Problem}


def no_content() -> dict[Any, Any]:
    return {204: None, ERROR_CODES: Problem}
