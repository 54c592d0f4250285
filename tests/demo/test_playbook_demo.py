"""The demo company's playbook (issue 15): "Win back the valuable" has run fortnightly, its
control group was never contacted, every treated customer's task and mail cost what the
default prices say, and its outcome report shows the groups and the cost."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clientela.crm.experiments.models import Assignment, Experiment
from clientela.crm.experiments.outcomes import outcome, summary
from clientela.crm.playbooks.models import Firing, Playbook, PlaybookRun
from clientela.crm.tasks.models import Task
from clientela.demo.playbook import NAME, TASK_TITLE
from clientela.demo.queries import fact

pytestmark = pytest.mark.django_db


def test_the_demo_playbook_has_run_with_a_control_group_and_a_cost(small_company: dict[str, Any]) -> None:
    playbook = Playbook.objects.get(name=NAME)
    assert not playbook.enabled and playbook.versions.count() == 1
    assert PlaybookRun.objects.filter(playbook=playbook).count() == fact("playbooks")[0]["runs"] > 10
    firings = list(Firing.objects.filter(playbook=playbook))
    treated = {f.party_id for f in firings if f.group == "treated"}
    control = {f.party_id for f in firings if f.group == "control"}
    assert treated and control and not treated & control
    # The groups are the experiment's; each met customer is assigned once.
    experiment = Experiment.objects.get(subject_kind="playbook", subject_id=playbook.pk)
    groups = dict(Assignment.objects.filter(experiment=experiment).values_list("party_id", "group"))
    assert groups == {f.party_id: f.group for f in firings}  # a customer met twice keeps its group
    # Treated: a task for the owner (15 minutes at 60 an hour) and a mail (0.05); control: nothing.
    assert {f.cost for f in firings if f.group == "treated"} == {Decimal("15.05")}
    assert all(f.cost == 0 and f.results == [] for f in firings if f.group == "control")
    tasks = set(Task.objects.filter(title=TASK_TITLE).values_list("party_id", flat=True))
    assert tasks == treated
    data = summary(outcome(experiment))
    assert (data["treated"], data["control"]) == (len(treated), len(control))
    fired = sum(f.group == "treated" for f in firings)
    assert data["cost"] == pytest.approx(15.05 * fired)
    assert data["incremental_profit"] is not None and data["pending"] == 0


def test_the_playbook_pages_show_it(small_company: dict[str, Any]) -> None:
    from clientela.crm.accounts.models import User

    user = User.objects.create_user(username="boss", password=None, role="admin")
    client = Client()
    client.force_login(user)
    playbook = Playbook.objects.get(name=NAME)
    assert NAME in client.get("/playbooks/").content.decode()
    detail = client.get(f"/playbooks/{playbook.pk}/").content.decode()
    experiment = Experiment.objects.get(subject_kind="playbook", subject_id=playbook.pk)
    assert f'href="/experiments/{experiment.pk}/" data-testid="playbook-outcome"' in detail
    assert 'data-testid="playbook-spent"' in detail
    page = client.get(f"/experiments/{experiment.pk}/").content.decode()
    assert 'data-testid="profit"' in page and NAME in page
