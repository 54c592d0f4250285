"""Response declarations shared by the operations (errors are problem documents)."""

from __future__ import annotations

from typing import Any

from ninja.responses import codes_4xx

from clientela.api.problems import Problem


def answers(status: int, schema: Any) -> dict[Any, Any]:
    """``{status: schema}`` plus every 4xx and 500 as a problem document."""
    return {status: schema, codes_4xx: Problem, 500: Problem}


def no_content() -> dict[Any, Any]:
    return {204: None, codes_4xx: Problem, 500: Problem}
