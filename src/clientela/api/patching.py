"""PATCH bodies: only the fields sent change; ``null`` only where a field may be empty."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pydantic import BaseModel

from clientela.crm.errors import InvalidInput


def patch_values(payload: BaseModel, nullable: Collection[str] = ()) -> dict[str, Any]:
    values = payload.model_dump(exclude_unset=True)
    bad = {k: "may not be null" for k, v in values.items() if v is None and k not in nullable}
    if bad:
        raise InvalidInput(bad)
    return values
