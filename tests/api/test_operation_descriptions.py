"""Every API operation says what it does: the OpenAPI document (/api/v1/openapi.json) gives
each operation a summary and a description (CONTRIBUTING.md, "Add an API operation")."""

from __future__ import annotations

from clientela.api.main import api


def test_every_operation_has_a_summary_and_a_description() -> None:
    document = api.get_openapi_schema()
    operations = [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) > 80  # the walk found the API
    bare = [f"{method} {path}" for method, path, op in operations if not (op.get("description") or "").strip()]
    unnamed = [f"{method} {path}" for method, path, op in operations if not (op.get("summary") or "").strip()]
    assert not bare, f"operations without a description: {bare}"
    assert not unnamed, f"operations without a summary: {unnamed}"
