"""Schemas of the import wizard's operations (``api/routers/imports.py``)."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field


class ImportSettingsIn(Schema):
    """What to change of how the file is read and mapped; absent fields stay."""

    encoding: str | None = Field(None, max_length=12, description="utf-8, utf-8-sig, cp1250 or cp1251")
    delimiter: str | None = Field(None, max_length=2, description="',', ';', tab or '|'")
    kind: str | None = Field(None, max_length=20, description="customers, orders or interactions")
    recipe: str | None = Field(None, max_length=20, description="shopify, woocommerce, prestashop, or '' for none")
    mapping: dict[str, str] | None = Field(None, description="File column → field, or '-' to skip it")
    create_missing: bool | None = None
    accept_formulas: bool | None = None


class ImportBadRow(Schema):
    line: int
    column: str
    reason: str


class ImportOut(Schema):
    id: int
    file_name: str
    file_size: int
    file_format: str
    status: str
    kind: str
    recipe: str
    encoding: str
    delimiter: str
    mapping: dict[str, str]
    create_missing: bool
    accept_formulas: bool
    created_by: str | None
    created_at: str
    finished_at: str | None
    undone_at: str | None
    job_id: int | None
    progress_done: int | None
    progress_total: int | None
    counts: dict[str, Any]
    problem: str
    errors: list[ImportBadRow]
    error_total: int


class PreviewTable(Schema):
    kind: str
    columns: list[str]
    rows: list[list[Any]]


class ImportPreviewOut(Schema):
    ready: bool
    header: list[str]
    problem: str
    mapping_problem: str
    formula_cells: list[str]
    formula_count: int
    uncomputed_cells: list[str]
    previews: list[PreviewTable]
    errors: list[ImportBadRow]
    error_total: int
    checked_rows: int
    more_rows: bool
    counts: list[dict[str, Any]]


class UndoOut(Schema):
    import_: ImportOut = Field(..., alias="import")
    removed: dict[str, int]
