"""Scoring refuses data it cannot score, says why, and records the failed run."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from clientela.cli.main import main
from clientela.crm.parties.models import Party
from clientela.crm.scoring.models import ModelRun, RunStatus

pytestmark = pytest.mark.django_db


def test_score_with_no_orders_fails_clearly_and_records_the_failure() -> None:
    Party.objects.create(ref="P1", name="Only a prospect", is_prospect=True)
    result = CliRunner().invoke(main, ["score"])
    assert result.exit_code == 1
    assert "no orders" in result.output
    run = ModelRun.objects.get()
    assert run.status == RunStatus.FAILED and "no orders" in run.error
    report = CliRunner().invoke(main, ["report"])
    assert report.exit_code == 1 and "clientela score" in report.output
