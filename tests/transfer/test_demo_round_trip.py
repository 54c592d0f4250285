"""Issue 14 on the demo company: export all → re-import (every row unchanged) → import
into an empty database → export gives the same files; scored again, the planted heavy
returners are flagged unprofitable with the same precision and recall as on the demo.

The module starts from the shared ``demo1500`` world (tests/shared_worlds.py: the
1,500-customer demo company, seed 11, scored once through the CLI); it is exported,
emptied, re-imported and scored once for the module (the steps are slow), and the tests
check what each step recorded. The module commits, so the database is put back as it was
before any world (``leave()``) after its last test.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from clientela.crm.accounts.models import Team, User
from clientela.crm.transfer.columns import ALL_KINDS
from clientela.crm.transfer.csv_export import export_all
from clientela.crm.transfer.csv_import import import_all
from clientela.demo.models import PlantedTrait
from shared_worlds import DEMO1500_SCORE, SharedWorlds, invoke_cli

pytestmark = pytest.mark.django_db


def _exported_scores() -> dict[str, dict[str, str]]:
    return {row["customer_ref"]: row for row in csv.DictReader(io.StringIO(invoke_cli("export", "scores")))}


def _quality(scores: dict[str, dict[str, str]], returners: set[str], losers: set[str]) -> dict[str, Any]:
    flagged = {ref for ref, row in scores.items() if row["unprofitable"] == "true"}
    return {
        "flagged": flagged,
        "returner_recall": len(flagged & returners) / len(returners),
        "precision": len(flagged & losers) / len(flagged),
        "recall": len(flagged & losers) / len(losers),
    }


def _rows(directory: Path, kind: str) -> list[list[str]]:
    text = (directory / f"{kind}.csv").read_text(encoding="utf-8")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    return [header, *sorted(rows)]


@pytest.fixture(scope="module")
def moved(shared_worlds: SharedWorlds, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    work = tmp_path_factory.mktemp("demo-move")
    with django_db_blocker.unblock():
        try:
            shared_worlds.use("demo1500")  # built and scored (DEMO1500_SCORE), committed
            traits: dict[str, set[str]] = {}
            for ref, trait in PlantedTrait.objects.values_list("party__ref", "trait"):
                traits.setdefault(trait, set()).add(ref)
            before = _exported_scores()
            export_all(work / "a")
            again = import_all(work / "a")
            staff = list(User.objects.values_list("username", "role", "team__name", "email"))
            call_command("flush", interactive=False, verbosity=0)
            for username, role, team, email in staff:
                User.objects.create(username=username, role=role, email=email,
                                    team=Team.objects.get_or_create(name=team)[0] if team else None)
            into_empty = import_all(work / "a")
            export_all(work / "b")
            invoke_cli(*DEMO1500_SCORE)
            after = _exported_scores()
            yield {"work": work, "traits": traits, "before": before, "after": after, "again": again,
                   "into_empty": into_empty}
        finally:
            shared_worlds.leave()


def test_reimporting_the_demo_export_changes_nothing(moved: dict[str, Any]) -> None:
    for path, result in moved["again"]:
        print(f"{path.name}: {result.rows} rows, {result.created} created, {result.updated} updated")
        assert (result.created, result.updated, result.unchanged) == (0, 0, result.rows), path.name
    # The demo fills every file, the loyalty ledger included.
    assert {p.stem for p, r in moved["again"] if r.rows} == {k.value for k in ALL_KINDS}


def test_the_demo_moved_into_an_empty_database_exports_the_same_files(moved: dict[str, Any]) -> None:
    for path, result in moved["into_empty"]:
        assert result.created == result.rows, path.name
    for kind in ALL_KINDS:
        assert _rows(moved["work"] / "b", kind.value) == _rows(moved["work"] / "a", kind.value), kind


def test_planted_returners_are_found_after_the_move_as_on_the_demo(moved: dict[str, Any]) -> None:
    returners = moved["traits"]["heavy_returner"]
    losers = moved["traits"]["loss_maker"]
    before = _quality(moved["before"], returners, losers)
    after = _quality(moved["after"], returners, losers)
    for name, q in (("demo", before), ("moved", after)):
        print(f"{name}: {len(returners)} planted returners, {len(q['flagged'])} flagged unprofitable; returners "
              f"recall {q['returner_recall']:.3f}; loss-makers precision {q['precision']:.3f}, "
              f"recall {q['recall']:.3f}")
    assert before["returner_recall"] >= 0.85
    assert after["returner_recall"] == before["returner_recall"]
    assert after["precision"] == before["precision"]
    assert after["recall"] == before["recall"]
