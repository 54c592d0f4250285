"""Building the demo company: reproducible, fast, refuses nonsense, demo login works."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pytest
from django.contrib.auth import authenticate
from django.db import transaction

from clientela.crm.accounts.models import User
from clientela.crm.parties.models import Party
from clientela.demo.build import build_demo_company, database_is_empty, ensure_demo_user
from clientela.demo.fingerprint import content_digest
from clientela.demo.queries import fact

TODAY = date(2026, 11, 23)


def _digest_of_build(**kwargs: object) -> str:
    with transaction.atomic():
        build_demo_company(customers=300, today=TODAY, **kwargs)  # type: ignore[arg-type]
        digest = content_digest()
        transaction.set_rollback(True)
    return digest


@pytest.mark.django_db
def test_same_seed_same_company_other_seed_other_company() -> None:
    first = _digest_of_build(seed=11)
    assert database_is_empty()
    assert _digest_of_build(seed=11) == first
    assert _digest_of_build(seed=12) != first


@pytest.mark.django_db
def test_a_small_company_builds_quickly_into_an_empty_database() -> None:
    assert database_is_empty()
    started = time.monotonic()
    counts = build_demo_company(customers=300, seed=3, today=TODAY)
    elapsed = time.monotonic() - started
    assert not database_is_empty()
    assert counts["parties"] == Party.objects.count() == 300
    assert counts["orders"] > 300 and counts["interactions"] > counts["orders"]
    assert elapsed < 15, f"300 parties took {elapsed:.1f} s"
    generator = fact("generator")
    assert generator["window_end"] == "2026-11-23" and generator["window_start"] == "2023-11-23"
    # Sales users exist but cannot log in: only the demo user has a known password.
    staff = User.objects.exclude(username="demo")
    assert staff.count() >= 8
    assert not any(u.has_usable_password() for u in staff)


@pytest.mark.django_db
def test_today_defaults_to_the_current_utc_date() -> None:
    build_demo_company(customers=60, seed=1)
    assert fact("generator")["today"] == datetime.now(UTC).date().isoformat()


@pytest.mark.django_db
def test_too_few_parties_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(ValueError, match="customers"):
        build_demo_company(customers=10, seed=1, today=TODAY)
    assert database_is_empty()


@pytest.mark.django_db
def test_demo_user_is_an_idempotent_admin(settings: Any) -> None:
    # What is tested is the account, not the hash's strength: a fast hasher saves seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    first = ensure_demo_user()
    first.set_password("changed")
    first.is_superuser = False
    first.save()
    again = ensure_demo_user()
    assert again.pk == first.pk
    assert User.objects.filter(username="demo").count() == 1
    assert again.role == "admin" and again.is_staff and again.is_superuser
    assert authenticate(username="demo", password="demo") is not None
    assert authenticate(username="demo", password="changed") is None


def test_the_simulated_process_recovers_its_bg_nbd_parameters() -> None:
    """Fit BG/NBD to the unaltered population: the truth table's parameters come back."""
    pd = pytest.importorskip("pandas")
    from clientela.demo import behaviour
    from clientela.value.models.bg_nbd import BetaGeo

    rng = np.random.default_rng(2024)
    process = behaviour.PurchaseProcess()
    horizon = 1096
    n = 4000
    first = behaviour.acquisition_days(rng, n, horizon)
    lam, p = behaviour.draw_rates(rng, n, process)
    history = behaviour.simulate_purchases(
        rng, first_purchase=first, lam=lam, p=p, season=behaviour.season_by_day(date(2023, 11, 23), horizon))
    counts = np.bincount(history.customer, minlength=n)
    last = np.zeros(n)
    np.maximum.at(last, history.customer, history.time)
    summary = pd.DataFrame({"frequency": counts - 1.0, "recency": last - first, "T": horizon - first})
    summary.loc[summary["frequency"] == 0, "recency"] = 0.0
    params = BetaGeo().fit(summary).params_
    truth = process.as_dict()
    print({k: round(v, 3) for k, v in params.items()}, truth)
    for name in ("r", "alpha", "a", "b"):
        assert abs(params[name] / truth[name] - 1) < 0.25, (name, params[name], truth[name])
