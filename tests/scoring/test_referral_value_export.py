"""Issue 16's done-when: each customer's referral value in `clientela export scores` equals
the sum of the CLVs of the customers it referred, recomputed from the exported files alone
(the scores file's `clv`, the parties file's `referred_by`), on the shared demo company."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner

from clientela.cli.main import main
from clientela.crm.accounts.models import Team, User
from clientela.crm.parties.models import Party
from shared_worlds import SharedWorlds, for_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def company(shared_worlds: SharedWorlds, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    yield from for_module(shared_worlds, django_db_blocker, "demo")


def _export(*args: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(main, ["export", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_referral_value_is_the_sum_of_the_referred_customers_clv(company: dict[str, Any]) -> None:
    scores = _export("scores")
    clv = {row["customer_ref"]: Decimal(row["clv"]) for row in scores}
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for party in _export("parties"):
        if party["referred_by"] and not party["archived_at"] and party["customer_ref"] in clv:
            expected[party["referred_by"]] += clv[party["customer_ref"]]
    exported = {row["customer_ref"]: Decimal(row["referral_value"]) for row in scores}
    referrers = {ref for ref, value in expected.items() if value > 0}
    print(f"\n{len(referrers)} referrers, referral value {sum(expected.values())} in all")
    assert len(referrers) >= 5  # the demo's referral chains
    assert {ref: exported[ref] for ref in expected} == dict(expected)
    assert all(value == 0 for ref, value in exported.items() if ref not in expected)


def test_a_reader_who_may_not_see_clv_gets_no_referral_value(company: dict[str, Any]) -> None:
    team = Team.objects.create(name="Referral desk")
    User.objects.create_user(username="agent-rv", password="pw-long-enough", role="service_agent", team=team)
    referrers = Party.objects.filter(referred_by__isnull=False).values("referred_by")
    assert Party.objects.filter(pk__in=referrers).update(team=team) > 0
    rows = _export("scores", "--as", "agent-rv")
    hidden = ("referral_value", "clv", "clv_low", "clv_high", "expected_spend")
    assert rows and all(row[column] == "" for row in rows for column in hidden)
    assert any(Decimal(row["referral_value"]) > 0 for row in _export("scores"))
