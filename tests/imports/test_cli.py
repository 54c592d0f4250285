"""``clientela imports``: a Polish file imported as a user with one mapped column given,
listed in the history and undone; bad rows listed with exit 1 and nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from clientela.cli.main import main
from clientela.crm.commerce.models import Order
from clientela.crm.parties.models import Party
from imports.wizard_files import POLISH_BAD, POLISH_GOOD, polish_orders, shopify_orders

pytestmark = pytest.mark.django_db


def test_run_list_and_undo(marketer: Any, tmp_path: Path) -> None:
    for ref in ("KL-1", "KL-2"):
        Party.objects.create(ref=ref, name=ref, is_customer=True)
    runner = CliRunner()
    bad = tmp_path / "zle.csv"
    bad.write_bytes(polish_orders(POLISH_BAD))
    result = runner.invoke(main, ["imports", "run", str(bad), "--by", "marta", "--map", "Cena brutto=unit_price"])
    assert result.exit_code == 1
    assert "line 2, column quantity: 'dwa' is not a whole number" in result.output
    assert "3 bad row(s); nothing was imported" in result.output
    assert not Order.objects.exists()
    good = tmp_path / "zamowienia.csv"
    good.write_bytes(polish_orders(POLISH_GOOD))
    result = runner.invoke(main, ["imports", "run", str(good), "--by", "marta", "--map", "Cena brutto=unit_price"])
    assert result.exit_code == 0, result.output
    assert "orders created 3" in result.output and Order.objects.count() == 3
    listed = runner.invoke(main, ["imports", "list"])
    assert "\timported\torders\tzamowienia.csv\tmarta\t" in listed.output
    pk = listed.output.split("\t")[0]
    undone = runner.invoke(main, ["imports", "undo", pk, "--by", "marta"])
    assert undone.exit_code == 0, undone.output
    assert not Order.objects.exists()
    again = runner.invoke(main, ["imports", "undo", pk, "--by", "marta"])
    assert again.exit_code == 1 and "Only an import that is in place can be undone." in again.output


def test_a_shop_export_and_a_user_without_the_capability(marketer: Any, sales_rep: Any, tmp_path: Path) -> None:
    shop = tmp_path / "orders_export.csv"
    shop.write_bytes(shopify_orders())
    runner = CliRunner()
    refused = runner.invoke(main, ["imports", "run", str(shop), "--by", "sam"])
    assert refused.exit_code == 1 and not Order.objects.exists()
    result = runner.invoke(main, ["imports", "run", str(shop), "--by", "marta"])
    assert result.exit_code == 0, result.output
    assert "(shopify)" in result.output and Order.objects.get(ref="#1001").lines.count() == 2
