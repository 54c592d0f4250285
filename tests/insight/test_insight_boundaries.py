"""The engine's boundaries: no Django, clear input errors, time zones and Decimal money."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import clientela.insight
from clientela.insight import rfm


def test_insight_never_imports_django_or_the_layers_above() -> None:
    # Static check of every import (a subprocess import check costs seconds of start-up).
    root = Path(clientela.insight.__file__).parent
    forbidden = ("django", "clientela.crm", "clientela.web", "clientela.api", "clientela.cli", "clientela.settings")
    offenders = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(forbidden)]
    assert offenders == []


def test_aware_and_naive_timestamps_agree() -> None:
    # 2026-11-22T23:30-02:00 is 2026-11-23T01:30Z: 0.0625 days before 03:00Z.
    aware = pd.DataFrame(
        {"party_id": [1], "ordered_at": [pd.Timestamp("2026-11-22T23:30:00-02:00")], "amount": [Decimal("9.99")]}
    )
    naive = pd.DataFrame({"party_id": [1], "ordered_at": ["2026-11-23T01:30:00"], "amount": [9.99]})
    for frame in (aware, naive):
        table = rfm(frame, as_of=pd.Timestamp("2026-11-23T03:00:00Z"))
        assert table.loc[1, "recency_days"] == pytest.approx(1.5 / 24)
        assert table.loc[1, "monetary"] == pytest.approx(9.99)


def test_bad_money_names_the_column_and_row() -> None:
    frame = pd.DataFrame({"party_id": [1, 2], "ordered_at": ["2026-01-01", "2026-01-02"], "amount": [1.0, None]})
    with pytest.raises(ValueError, match=r"orders: column 'amount' has a missing or infinite value at row 1"):
        rfm(frame, as_of="2026-11-23")
    frame = pd.DataFrame({"party_id": [1], "ordered_at": ["not a date"], "amount": [1.0]})
    with pytest.raises(ValueError, match="orders: column 'ordered_at'"):
        rfm(frame, as_of="2026-11-23")
