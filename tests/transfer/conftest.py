"""Helpers for the import/export tests: write CSV files and run the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clientela.cli.main import main

CUSTOMERS_HEADER = "customer_ref,name,kind,email,phone,country,acquired_at,acquisition_channel"
ORDERS_HEADER = "order_ref,customer_ref,ordered_at,sku,quantity,unit_price,currency,unit_cost,discount"
INTERACTIONS_HEADER = "customer_ref,occurred_at,channel,direction,subject"


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(10_000))

    def write(text: str | bytes, name: str | None = None) -> Path:
        path = tmp_path / (name or f"file{next(counter)}.csv")
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return path

    return write


@pytest.fixture
def cli() -> Callable[..., Result]:
    def run(*args: str) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return run


def customers_csv(refs: list[str]) -> str:
    rows = [f"{r},Customer {r},person,{r.lower()}@example.com,,PL,2024-01-01,search" for r in refs]
    return "\n".join([CUSTOMERS_HEADER, *rows]) + "\n"
