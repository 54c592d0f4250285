"""In-app notifications (a task assigned to me, a task due today, a case past its SLA),
the daily e-mail digest through a real SMTP server on loopback, ``clientela digest``,
and the audit entries of every task write."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.header import decode_header, make_header
from typing import Any

import pytest
from click.testing import CliRunner
from django.utils import timezone

from clientela.cli.main import main
from clientela.crm.accounts.models import Team, User
from clientela.crm.audit.models import AuditEntry
from clientela.crm.notifications import actions as notes
from clientela.crm.notifications.models import DigestPreference, Notification
from clientela.crm.notifications.queries import unread_count
from clientela.crm.parties.models import Party
from clientela.crm.service import actions as service
from clientela.crm.service.models import Case
from clientela.crm.tasks import actions as tasks
from clientela_test_support import SmtpInbox

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # 08:00 in Warsaw
TODAY = date(2026, 12, 7)


@pytest.fixture
def people() -> dict[str, Any]:
    team = Team.objects.create(name="Service")
    make = User.objects.create_user
    return {
        "team": team,
        "manager": make("mia", role="manager", team=team, email="mia@example.test"),
        "rep": make("rob", role="sales_rep", team=team, email="rob@example.test", first_name="Rob"),
        "agent": make("ada", role="service_agent", team=team, email="ada@example.test"),
        "agent2": make("abe", role="service_agent", team=team),
        "marketer": make("max", role="marketer", team=team),
        "party": Party.objects.create(ref="N1", name="Nowak Ltd", email="n@example.test", is_customer=True),
    }


def _case(party: Party, *, owner: Any = None, team: Any = None, due: datetime, status: str = "open") -> Case:
    case = service.open_case(None, party=party, subject="Broken lid", owner=owner, team=team, at=due - timedelta(hours=8))
    resolved = due - timedelta(hours=1) if status == "resolved" else None
    Case.objects.filter(pk=case.pk).update(sla_due_at=due, status=status, resolved_at=resolved)
    return Case.objects.get(pk=case.pk)


def test_a_task_assigned_by_someone_else_notifies_the_assignee(people: dict[str, Any]) -> None:
    manager, rep = people["manager"], people["rep"]
    task = tasks.create_task(manager, title="Call Nowak", assignee=rep, party=people["party"])
    mine = Notification.objects.get(user=rep)
    assert (mine.kind, mine.task_id, mine.actor_id) == ("task_assigned", task.pk, manager.pk)
    tasks.create_task(rep, title="My own", assignee=rep)  # assigned to oneself: no notification
    tasks.update_task(manager, task, title="Call Nowak today")  # not a new assignment
    assert Notification.objects.filter(user=rep).count() == 1
    tasks.update_task(manager, task, assignee=people["agent"])
    tasks.update_task(manager, task, assignee=rep)  # assigned back: a new occasion
    assert Notification.objects.filter(user=rep).count() == 2
    assert Notification.objects.filter(user=people["agent"]).count() == 1
    assert unread_count(rep) == 2 and unread_count(manager) == 0


def test_due_tasks_are_notified_once_a_day(people: dict[str, Any]) -> None:
    rep = people["rep"]
    due = tasks.create_task(rep, title="Send offer", assignee=rep, due_on=TODAY)
    tasks.create_task(rep, title="Tomorrow", assignee=rep, due_on=TODAY + timedelta(days=1))
    tasks.create_task(rep, title="Nobody's", due_on=TODAY)
    done = tasks.create_task(rep, title="Done", assignee=rep, due_on=TODAY)
    tasks.set_task_status(rep, done, "done")
    assert notes.notify_due_tasks(None, NOW) == 1
    assert notes.notify_due_tasks(None, NOW + timedelta(hours=3)) == 0  # idempotent
    (n,) = Notification.objects.filter(kind="task_due")
    assert (n.user_id, n.task_id) == (rep.pk, due.pk)
    assert notes.notify_due_tasks(None, NOW - timedelta(days=1)) == 0  # yesterday nothing was due
    # Warsaw's day: 23:30 UTC on 6 December is already 7 December there
    Notification.objects.all().delete()
    assert notes.notify_due_tasks(None, datetime(2026, 12, 6, 23, 30, tzinfo=UTC)) == 1


def test_sla_breaches_are_notified_once_per_breach(people: dict[str, Any]) -> None:
    party, agent = people["party"], people["agent"]
    owned = _case(party, owner=agent, due=NOW - timedelta(hours=1))
    unowned = _case(party, team=people["team"], due=NOW - timedelta(minutes=5))
    _case(party, owner=agent, due=NOW + timedelta(hours=1))  # not yet due
    _case(party, owner=agent, due=NOW - timedelta(hours=2), status="resolved")  # resolved: no alarm
    assert notes.notify_sla_breaches(None, NOW) == 1 + 3  # owner; the team's case workers (manager, two agents)
    assert notes.notify_sla_breaches(None, NOW + timedelta(hours=1)) == 0  # idempotent
    assert set(Notification.objects.filter(case=unowned).values_list("user__username", flat=True)) == {"mia", "ada", "abe"}
    assert not Notification.objects.filter(user__in=[people["rep"], people["marketer"]], kind="sla_breach").exists()
    Case.objects.filter(pk=owned.pk).update(sla_due_at=NOW + timedelta(minutes=30))  # the due time moved
    assert notes.notify_sla_breaches(None, NOW + timedelta(hours=1)) == 1  # and passed again: a new breach


def test_mark_read_is_audited_and_only_for_the_addressee(people: dict[str, Any]) -> None:
    rep, manager = people["rep"], people["manager"]
    tasks.create_task(manager, title="A", assignee=rep)
    tasks.create_task(manager, title="B", assignee=rep)
    first = Notification.objects.filter(user=rep).first()
    notes.mark_read(rep, first)
    assert unread_count(rep) == 1
    assert AuditEntry.objects.filter(entity="notification", actor=rep, field="read_at").count() == 1
    with pytest.raises(Exception, match="notification"):
        notes.mark_read(manager, Notification.objects.filter(user=rep, read_at__isnull=True).get())
    assert notes.mark_all_read(rep) == 1 and unread_count(rep) == 0
    assert notes.mark_all_read(rep) == 0


def test_every_task_write_is_audited_with_the_actor(people: dict[str, Any]) -> None:
    manager, rep = people["manager"], people["rep"]
    task = tasks.create_task(manager, title="Call", assignee=rep, party=people["party"], due_on=TODAY)
    tasks.update_task(manager, task, due_on=TODAY + timedelta(days=2))
    tasks.set_task_status(rep, task, "done")
    tasks.delete_task(manager, task)
    rows = AuditEntry.objects.filter(entity="task", object_id=str(task.pk))
    assert {(e.action, e.actor_name) for e in rows} == {
        ("create", "mia"), ("update", "mia"), ("update", "rob"), ("delete", "mia")}
    assert rows.filter(action="update", field="due_on", new="2026-12-09").exists()
    assert rows.filter(action="create", field="party_id").get().party_id == people["party"].pk
    before = AuditEntry.objects.count()
    same = tasks.create_task(rep, title="Same")
    tasks.update_task(rep, same, title="Same")  # nothing changed: no entry, no new version
    assert AuditEntry.objects.count() == before + 2  # the create: title and status
    assert same.version == 1


def _digest_on(user: User, language: str = "en") -> None:
    notes.set_digest_preference(user, email_digest=True, language=language)


def test_digest_is_sent_once_a_day_to_who_asked(people: dict[str, Any], inbox: SmtpInbox) -> None:
    rep, agent, manager = people["rep"], people["agent"], people["manager"]
    tasks.create_task(rep, title="Late call", assignee=rep, due_on=TODAY - timedelta(days=2), party=people["party"])
    tasks.create_task(rep, title="Offer today", assignee=rep, due_on=TODAY)
    _case(people["party"], owner=agent, due=NOW - timedelta(hours=1))
    tasks.create_task(manager, title="Manager's", assignee=manager, due_on=TODAY)  # digest off: nothing sent
    _digest_on(rep)
    _digest_on(agent, "pl")
    _digest_on(people["marketer"])  # no e-mail address: skipped
    assert not DigestPreference.objects.filter(user=manager).exists()  # off unless turned on
    dry = notes.send_digests(None, NOW, dry_run=True)
    assert sorted(d.username for d in dry) == ["ada", "rob"]
    assert inbox.messages == []
    sent = notes.send_digests(None, NOW)
    assert len(sent) == 2 and len(inbox.messages) == 2
    by_rcpt = {tuple(rcpt): message for rcpt, message in inbox.messages}
    rob = by_rcpt[("rob@example.test",)]
    body = rob.get_payload(decode=True).decode()
    assert "Hello Rob" in body and "Late call — Nowak Ltd" in body and "Offer today" in body
    assert "1 overdue task:" in body and "1 task due today:" in body and "/my-day/" in body
    ada = by_rcpt[("ada@example.test",)]
    assert str(make_header(decode_header(ada["Subject"]))) == "Clientela: Twój dzień, 07-12-2026"
    polish = ada.get_payload(decode=True).decode()
    assert "Broken lid — Nowak Ltd" in polish and "1 sprawa po terminie SLA:" in polish
    assert notes.send_digests(None, NOW + timedelta(hours=2)) == []  # once a day
    assert len(notes.send_digests(None, NOW + timedelta(days=1))) == 2  # the next day again (still overdue)


def test_digest_preference_is_audited_and_checks_the_language(people: dict[str, Any]) -> None:
    rep = people["rep"]
    _digest_on(rep, "ru")
    notes.set_digest_preference(rep, email_digest=False)
    pref = DigestPreference.objects.get(user=rep)
    assert (pref.email_digest, pref.language) == (False, "ru")
    assert AuditEntry.objects.filter(entity="digest_preference", actor=rep, field="email_digest").count() == 2
    with pytest.raises(Exception, match="language"):
        notes.set_digest_preference(rep, email_digest=True, language="xx")


def test_digest_command(people: dict[str, Any], inbox: SmtpInbox) -> None:
    rep = people["rep"]
    tasks.create_task(rep, title="Offer today", assignee=rep, due_on=timezone.localdate())
    _digest_on(rep)
    runner = CliRunner()
    dry = runner.invoke(main, ["digest", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "To: rob@example.test" in dry.output and "Offer today" in dry.output and inbox.messages == []
    result = runner.invoke(main, ["digest"])
    assert result.exit_code == 0, result.output
    assert len(inbox.messages) == 1
    again = runner.invoke(main, ["digest"])
    assert again.exit_code == 0 and len(inbox.messages) == 1
    bad = runner.invoke(main, ["digest", "--at", "yesterday"])
    assert bad.exit_code == 2 and "--at" in bad.output


def test_scans_skip_what_they_notified_before_in_the_database(people: dict[str, Any]) -> None:
    """A second scan reads nothing back: the notified cases and tasks are left out by the
    query itself (no key list built in Python), however many there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agent, rep = people["agent"], people["rep"]
    for i in range(30):
        _case(people["party"], owner=agent, due=NOW - timedelta(hours=i + 1))
        tasks.create_task(rep, title=f"Due {i}", assignee=rep, due_on=TODAY)
    assert notes.notify_sla_breaches(None, NOW) == 30 and notes.notify_due_tasks(None, NOW) == 30
    with CaptureQueriesContext(connection) as ctx:
        assert notes.notify_sla_breaches(None, NOW + timedelta(minutes=5)) == 0
        assert notes.notify_due_tasks(None, NOW + timedelta(minutes=5)) == 0
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 3, selects  # the cases, the recipients' teams (none), the tasks


def test_notify_command(people: dict[str, Any]) -> None:
    rep, agent = people["rep"], people["agent"]
    tasks.create_task(rep, title="Today", assignee=rep, due_on=TODAY)
    _case(people["party"], owner=agent, due=NOW - timedelta(hours=1))
    runner = CliRunner()
    result = runner.invoke(main, ["notify", "--at", "2026-12-07T08:00"])  # Warsaw time
    assert result.exit_code == 0, result.output
    assert "1 due-task and 1 SLA-breach notifications written." in result.output
    again = runner.invoke(main, ["notify", "--at", "2026-12-07T09:00+01:00"])
    assert "0 due-task and 0 SLA-breach" in again.output
    assert runner.invoke(main, ["notify", "--at", "soon"]).exit_code == 2


def test_the_scheduler_functions_take_the_time_and_answer_a_summary(people: dict[str, Any], inbox: SmtpInbox) -> None:
    """``crm.notifications.jobs``: what the job scheduler calls, ``f(now) -> dict``."""
    from clientela.crm.notifications import jobs

    rep, agent = people["rep"], people["agent"]
    tasks.create_task(rep, title="Today", assignee=rep, due_on=TODAY)
    _case(people["party"], owner=agent, due=NOW - timedelta(hours=1))
    _digest_on(rep)
    assert jobs.notify_due_tasks(NOW) == {"notified": 1}
    assert jobs.notify_sla_breaches(NOW) == {"notified": 1}
    assert jobs.send_digests(NOW) == {"sent": 1, "to": ["rob"]}
    assert jobs.send_digests(NOW) == {"sent": 0, "to": []}
    assert len(inbox.messages) == 1
