"""Service cases (SLA from priority, breach flag) and tasks (at most one link)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from clientela.crm.errors import InvalidInput, StaleRecord
from clientela.crm.parties.models import Party
from clientela.crm.sales import actions as sales
from clientela.crm.service import actions, queries
from clientela.crm.service.models import Case
from clientela.crm.service.sla import check_hours_table
from clientela.crm.tasks import actions as tasks
from clientela.crm.tasks import queries as task_queries
from clientela.crm.tasks.models import Task

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def party() -> Party:
    return Party.objects.create(ref="P1", name="Acme")


def test_sla_due_time_comes_from_the_priority(party: Party) -> None:
    due = {
        p: actions.open_case(None, party=party, subject=p, priority=p, at=T0).sla_due_at - T0
        for p in ("urgent", "high", "normal", "low")
    }
    assert due == {
        "urgent": timedelta(hours=4),
        "high": timedelta(hours=8),
        "normal": timedelta(hours=24),
        "low": timedelta(hours=72),
    }


def test_sla_hours_are_configurable(party: Party, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SERVICE_SLA_HOURS = {"urgent": 1, "low": 100}
    assert actions.open_case(None, party=party, subject="u", priority="urgent", at=T0).sla_due_at == T0 + timedelta(hours=1)
    assert actions.open_case(None, party=party, subject="n", priority="normal", at=T0).sla_due_at == T0 + timedelta(hours=24)
    with pytest.raises(ValueError, match="soon"):
        check_hours_table({"soon": 3})


def test_a_bad_sla_table_stops_the_settings(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import importlib

    import clientela.settings as module

    for bad in ("urgent=soon", "urgent", "high=0", "high=x"):
        monkeypatch.setenv("CLIENTELA_SLA_HOURS", bad)
        with pytest.raises(ImproperlyConfigured, match="CLIENTELA_SLA_HOURS"):
            importlib.reload(module)
    monkeypatch.delenv("CLIENTELA_SLA_HOURS")
    importlib.reload(module)


def test_breach_flag_and_query_agree(party: Party) -> None:
    """At T0 + 10 h:
    u1 urgent, open, due T0+4 h            → breached (open past due)
    h1 high, open, due T0+8 h              → breached
    n1 normal, open, due T0+24 h           → kept (still running)
    h2 high, resolved at T0+9 h (due +8)   → breached (resolved late)
    u2 urgent, resolved at T0+3 h (due +4) → kept
    """
    now = T0 + timedelta(hours=10)
    u1 = actions.open_case(None, party=party, subject="u1", priority="urgent", at=T0)
    h1 = actions.open_case(None, party=party, subject="h1", priority="high", at=T0)
    n1 = actions.open_case(None, party=party, subject="n1", priority="normal", at=T0)
    h2 = actions.open_case(None, party=party, subject="h2", priority="high", at=T0)
    actions.set_case_status(None, h2, "resolved", resolution="Refunded", at=T0 + timedelta(hours=9))
    u2 = actions.open_case(None, party=party, subject="u2", priority="urgent", at=T0)
    actions.set_case_status(None, u2, "closed", resolution="Explained", at=T0 + timedelta(hours=3))
    breached = set(queries.breached(now).values_list("subject", flat=True))
    assert breached == {"u1", "h1", "h2"}
    flags = {c.subject: c.sla_breached(now) for c in Case.objects.all()}
    assert {s for s, f in flags.items() if f} == breached
    annotated = {c.subject: c.sla_breached_flag for c in queries.with_breach_flag(Case.objects.all(), now)}
    assert annotated == flags
    assert not n1.sla_breached(now) and u1.sla_breached(now) and h1.sla_breached(now)


def test_case_status_rules_and_version(party: Party) -> None:
    case = actions.open_case(None, party=party, subject="Broken kettle", priority="high", at=T0)
    with pytest.raises(InvalidInput, match="resolution"):
        actions.set_case_status(None, case, "resolved")
    with pytest.raises(InvalidInput, match="priority"):
        actions.open_case(None, party=party, subject="x", priority="critical")
    case = actions.set_case_status(None, case, "resolved", resolution="Replaced", expected_version=1)
    assert case.resolved_at is not None and case.version == 2
    with pytest.raises(StaleRecord):
        actions.update_case(None, case, subject="new", expected_version=1)
    case = actions.set_case_status(None, case, "open")
    assert case.resolved_at is None and case.closed_at is None
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status="closed")  # closed without resolved_at
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(sla_due_at=T0 - timedelta(hours=1))


def test_task_links_to_at_most_one_record(party: Party) -> None:
    pipeline = sales.create_pipeline(None, "P", [sales.StageSpec("Lead", 0)])
    deal = sales.create_deal(None, party=party, name="D", pipeline=pipeline)
    case = actions.open_case(None, party=party, subject="C")
    assert tasks.create_task(None, title="Call back", party=party).linked == party
    assert tasks.create_task(None, title="Send offer", deal=deal).linked == deal
    assert tasks.create_task(None, title="Check", case=case).linked == case
    assert tasks.create_task(None, title="Personal").linked is None
    with pytest.raises(InvalidInput, match="link"):
        tasks.create_task(None, title="Two", party=party, deal=deal)
    assert Task.objects.count() == 4
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(title="raw", party=party, case=case)


def test_task_status_and_overdue(party: Party) -> None:
    late = tasks.create_task(None, title="Late", due_on=date(2026, 11, 20), party=party)
    tasks.create_task(None, title="Future", due_on=date(2026, 11, 30))
    done = tasks.create_task(None, title="Done late", due_on=date(2026, 11, 1))
    done = tasks.set_task_status(None, done, "done")
    assert done.completed_at is not None
    assert list(task_queries.overdue(date(2026, 11, 23))) == [late]
    with pytest.raises(InvalidInput, match="status"):
        tasks.set_task_status(None, late, "finished")
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=late.pk).update(status="done")  # no completed_at
