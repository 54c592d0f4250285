"""Build the demo company: the public entry points used by ``clientela demo`` and tests."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

import click
import numpy as np
from django.db import transaction

from clientela.crm.accounts.models import Role, User
from clientela.crm.commerce.models import Order, OrderLine
from clientela.crm.engagement.models import Interaction
from clientela.crm.parties.models import Consent, Party
from clientela.demo import fastload
from clientela.demo.company import Company, all_orders, simulate_company
from clientela.demo.experiments_writer import write_experiments
from clientela.demo.facts import fact_values, trait_rows
from clientela.demo.frontoffice import write_front_office
from clientela.demo.loyalty import write_loyalty
from clientela.demo.models import CustomerTruth, DemoFact, PlantedTrait
from clientela.demo.playbook import write_playbook
from clientela.demo.writer import Clock, Stage, money, write_company

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 - the public demo login, printed by ``clientela demo``


def database_is_empty() -> bool:
    """True when no party exists yet (the demo company is only built into an empty database)."""
    return not Party.objects.exists()


def ensure_demo_user() -> User:
    """The ``demo`` administrator with password ``demo``; created once, reset if changed."""
    user, _ = User.objects.get_or_create(username=DEMO_USERNAME)
    user.role = Role.ADMIN
    user.is_staff = True
    user.is_superuser = True
    user.is_active = True
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def build_demo_company(
    *, customers: int = 5000, seed: int = 42, today: date | None = None, progress: bool = False
) -> dict[str, Any]:
    """Simulate and store a demo company of ``customers`` parties; return row counts.

    Deterministic: the same ``customers``, ``seed`` and ``today`` give identical data.
    ``today`` defaults to the current UTC date; the data covers the three years before it.
    Everything is written in one transaction, so a failure leaves nothing behind.
    """
    if customers < 50:
        raise ValueError(f"customers: at least 50 parties are needed, got {customers}")
    today = today or datetime.now(UTC).date()
    started = time.monotonic()

    def stage(label: str, count: int) -> None:
        if progress:
            click.echo(f"  {label:<26}{count:>9,}   {time.monotonic() - started:5.1f} s")

    if progress:
        click.echo(f"Building the demo company: {customers:,} parties, seed {seed}, "
                   f"three years to {today.isoformat()}…")
    company = simulate_company(parties=customers, seed=seed, today=today)
    company.extra["seed"] = seed
    stage("simulated", len(company.roster))
    with transaction.atomic():
        saved = write_company(company, stage)
        front = write_front_office(company, saved["parties"], stage)
        members = write_loyalty(company, saved["parties"], stage)
        write_experiments(company, saved["parties"], stage)
        write_playbook(company, saved["parties"], stage)
        counts = {**_counts(company), **front, **members}
        _write_truth(company, saved["parties"], counts, stage)
    if progress:
        click.echo(f"Demo company ready in {time.monotonic() - started:.1f} s.")
    return counts


def _counts(company: Company) -> dict[str, Any]:
    return {
        "parties": Party.objects.count(),
        "customers": Party.objects.filter(is_customer=True).count(),
        "orders": Order.objects.count(),
        "order_lines": OrderLine.objects.count(),
        "interactions": Interaction.objects.count(),
        "consents": Consent.objects.count(),
        "campaigns": len(company.plan.name) + len(company.extra.get("experiments", [])),
    }


def _write_truth(company: Company, parties: list[int], counts: dict[str, Any], stage: Stage) -> None:
    rows = trait_rows(company)
    fastload.insert(PlantedTrait, {
        "party_id": [parties[i] for i, _, _ in rows],
        "trait": [str(t) for _, t, _ in rows],
        "detail": [d for _, _, d in rows],
    })
    trait_counts: dict[str, int] = {}
    for _, t, _ in rows:
        trait_counts[str(t)] = trait_counts.get(str(t), 0) + 1
    facts = fact_values(company, {**counts, "traits": trait_counts})
    DemoFact.objects.bulk_create([DemoFact(key=k, value=v) for k, v in facts.items()])
    clock = Clock(company)
    m = company.money
    n = company.customers
    dropped = company.dropped_time.tolist()
    fastload.insert(CustomerTruth, {
        "party_id": parties[:n],
        "purchase_rate_per_day": company.lam.tolist(),
        "dropout_probability": company.p.tolist(),
        "alive_at_end": company.alive.tolist(),
        "dropped_out_at": [None if alive else clock.at(d) for alive, d in zip(company.alive.tolist(), dropped, strict=True)],
        "mean_order_value": np.round(company.spend, 2).tolist(),
        "orders": np.bincount(all_orders(company)[0].customer, minlength=n).tolist(),
        "revenue": [money(c) for c in m.revenue.tolist()],
        "cost_of_goods": [money(c) for c in m.cost_of_goods.tolist()],
        "cost_to_serve": [money(c) for c in m.cost_to_serve.tolist()],
        "net_contribution": [money(c) for c in m.net.tolist()],
    })
    fastload.reset_sequences(PlantedTrait, CustomerTruth)
    stage("truth rows", len(rows) + n)
