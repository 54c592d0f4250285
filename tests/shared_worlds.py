"""The worlds tests share, each built once a run and restored for each module that uses it.

``shared_worlds`` (a session fixture of tests/conftest.py) hands out a ``SharedWorlds``;
``worlds.use("demo")`` puts the database as the ``demo`` world left it — building it the
first time, from its base world — and returns what its builder returned. Every world's
rows are committed (a served site's threads see them; tests of the module still run in
their own rolled-back transactions), so a module fixture must call ``worlds.leave()``
after its last test: the database is then as it was before the first world was built.

The worlds:

- ``demo``: the 300-customer demo company (seed 5, 23 Nov 2026), scored — the pages' and
  the browser tests' company (``{"counts": …, "run": …}``);
- ``browser``: ``demo`` plus an admin who logs in with a password and a 12-deal pipeline
  (tests/web's served site);
- ``demo600``: the 600-customer demo company (seed 7), not scored (tests/demo);
- ``front_office``: the small two-team world of ``front_office_world`` with passwords
  (the case and search journeys in a browser);
- ``demo1500``: the 1,500-customer demo company (seed 11, 30 Jun 2026) scored once through
  the CLI (``clientela score`` over 365 days at a 10 % discount): the scoring report's
  checks (tests/scoring/test_score_demo.py) read it, the export → import round trip
  (tests/transfer/test_demo_round_trip.py) starts from it (``{"printed": …}``, what the
  CLI printed).

A test that needs rows of its own writes them inside its transaction (``db``); a module
that commits rows (a browser journey) gets them wiped by ``leave()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction

import database_snapshots as snapshots

TODAY = date(2026, 11, 23)
BROWSER_USER = "browser"
BROWSER_PASSWORD = "browser-test-pw"  # noqa: S105 (a test user's)
BROWSER_EMAIL = "browser@example.test"


def build_pipeline(*, deals: int = 24, owner: Any = None) -> Any:
    """A B2B pipeline (lead → qualified → proposal → negotiation → won / lost) with
    ``deals`` open deals spread over the first four stages, on the oldest parties."""
    from clientela.crm.parties.models import Party
    from clientela.crm.sales.actions import StageSpec, create_deal, create_pipeline

    pipeline = create_pipeline(None, "B2B sales", [
        StageSpec("Lead", Decimal("0.1")), StageSpec("Qualified", Decimal("0.25")),
        StageSpec("Proposal", Decimal("0.5")), StageSpec("Negotiation", Decimal("0.75")),
        StageSpec("Won", Decimal("1"), is_won=True), StageSpec("Lost", Decimal("0"), is_lost=True),
    ])
    stages = list(pipeline.stages.order_by("order"))
    for i, party in enumerate(Party.objects.order_by("id")[:deals]):
        create_deal(None, party=party, name=f"Deal {i + 1:02d}", pipeline=pipeline, amount=1000 * (i + 1),
                    stage=stages[i % 4], owner=owner)
    return pipeline


def _demo(_base: Any) -> dict[str, Any]:
    from clientela.crm.scoring.actions import run_scoring
    from clientela.demo.build import build_demo_company

    counts = build_demo_company(customers=300, seed=5, today=TODAY)
    return {"counts": counts, "run": run_scoring(None)}


def _browser(demo: dict[str, Any]) -> dict[str, Any]:
    from clientela.crm.accounts.models import User
    from clientela.crm.scoring.models import CustomerScore

    User.objects.create_user(BROWSER_USER, password=BROWSER_PASSWORD, role="admin", is_staff=True,
                             email=BROWSER_EMAIL)
    pipeline = build_pipeline(deals=12)
    top = CustomerScore.objects.filter(run=demo["run"]).select_related("party").order_by("-clv").first()
    assert top is not None
    return {
        **demo,
        "top_name": top.party.name, "top_id": top.party_id, "pipeline_id": pipeline.pk,
        "stages": {s.name: s.pk for s in pipeline.stages.all()},
        "deal_id": pipeline.deals.get(name="Deal 01").pk,
    }


def _demo600(_base: Any) -> dict[str, Any]:
    from clientela.demo.build import build_demo_company

    return build_demo_company(customers=600, seed=7, today=TODAY)


def _front_office(_base: Any) -> Any:
    from front_office_world import build_world

    return build_world(passwords=True)


DEMO1500_TODAY = date(2026, 6, 30)
DEMO1500_SCORE = ("score", "--as-of", DEMO1500_TODAY.isoformat(), "--horizon-days", "365", "--discount", "0.1")


def invoke_cli(*args: str) -> str:
    """What ``clientela ARGS…`` prints, run in this process (on the test database); the
    command must succeed."""
    from click.testing import CliRunner

    from clientela.cli.main import main

    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def _demo1500(_base: Any) -> dict[str, Any]:
    from clientela.demo.build import build_demo_company

    build_demo_company(customers=1500, seed=11, today=DEMO1500_TODAY)
    return {"printed": invoke_cli(*DEMO1500_SCORE)}


# name: (the world it is built on, or None for the empty database; its builder)
WORLDS: dict[str, tuple[str | None, Callable[[Any], Any]]] = {
    "demo": (None, _demo),
    "browser": ("demo", _browser),
    "demo600": (None, _demo600),
    "front_office": (None, _front_office),
    "demo1500": (None, _demo1500),
}
EMPTY = "empty"


class SharedWorlds:
    """Builds each world of ``WORLDS`` once and restores it on demand (see the module)."""

    def __init__(self) -> None:
        snapshots.take(EMPTY)
        self._data: dict[str, Any] = {}

    def use(self, name: str) -> Any:
        """The world ``name``, committed: call ``leave()`` after the module."""
        if name in self._data:
            snapshots.restore(name)
        else:
            base, build = WORLDS[name]
            base_data = self.use(base) if base else self.leave()
            self._data[name] = build(base_data)
            snapshots.take(name)
        _forget_process_caches()
        return self._data[name]

    @contextmanager
    def reading(self, name: str) -> Iterator[Any]:
        """The world ``name`` for tests that run in their own transactions (pytest-django's
        ``db``) and commit nothing: on PostgreSQL it is restored inside a transaction that
        is rolled back afterwards (cheaper than restoring the empty database); on SQLite
        it is committed and the empty database restored afterwards (both are a copy in
        memory)."""
        if connection.vendor != "postgresql":
            try:
                yield self.use(name)
            finally:
                self.leave()
            return
        if name not in self._data:
            self.use(name)
            self.leave()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            snapshots.restore(name, in_transaction=True)
            _forget_process_caches()
            yield self._data[name]
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            _forget_process_caches()

    def leave(self) -> None:
        """The database as it was before any world was built."""
        snapshots.restore(EMPTY)
        _forget_process_caches()

    def close(self) -> None:
        self.leave()
        snapshots.drop_all()


@contextmanager
def module_reading(worlds: SharedWorlds, blocker: Any, name: str) -> Iterator[Any]:
    """``worlds.reading(name)`` for a module fixture: the database is unblocked only to
    restore the world and to put the database back, not for the tests (nor for what the
    fixture does with the world: it unblocks that itself)."""
    with blocker.unblock():
        reading = worlds.reading(name)
        world = reading.__enter__()
    try:
        yield world
    finally:
        with blocker.unblock():
            reading.__exit__(None, None, None)


def for_module(worlds: SharedWorlds, blocker: Any, name: str) -> Iterator[Any]:
    """The body of a module fixture reading the world ``name``:
    ``yield from for_module(shared_worlds, django_db_blocker, "demo")``."""
    with module_reading(worlds, blocker, name) as world:
        yield world


def _forget_process_caches() -> None:
    """Caches of this process that hold rows' ids (restored rows may carry other ids)."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def _is_test_database(name: str) -> bool:
    return name.startswith("file:memorydb_") or Path(name).name.startswith("test_")


@contextmanager
def ensure_test_database() -> Iterator[None]:
    """The test database. pytest-django creates it only when a collected test carries the
    ``django_db`` mark; a run of browser tests alone has none, so it is created here then
    (and dropped at the end)."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if _is_test_database(str(connection.settings_dict["NAME"])):
        yield
        return
    config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    assert _is_test_database(str(connection.settings_dict["NAME"]))
    try:
        yield
    finally:
        teardown_databases(config, verbosity=0)
