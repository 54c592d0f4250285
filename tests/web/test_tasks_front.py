"""Tasks in the web front office: a new task from anywhere (customer, deal, case), the
form's errors, complete / reopen / reschedule / reassign in place (htmx), the task list
and its filters, the notifications page with the header bell, and the digest choice."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientela.crm.accounts.models import Team
from clientela.crm.audit.models import AuditEntry
from clientela.crm.notifications.models import DigestPreference, Notification
from clientela.crm.parties.models import Party
from clientela.crm.sales.actions import StageSpec, create_deal, create_pipeline
from clientela.crm.service.actions import open_case
from clientela.crm.tasks import actions as tasks
from clientela.crm.tasks.models import Task

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def office(make_user: Any) -> dict[str, Any]:
    team = Team.objects.create(name="North")
    rep = make_user("rep", "sales_rep", team)
    manager = make_user("boss", "manager", team)
    party = Party.objects.create(ref="P1", name="Zażółć Sp. z o.o.", is_customer=True, owner=rep, team=team)
    hidden = Party.objects.create(ref="P2", name="Not yours", is_customer=True)
    pipeline = create_pipeline(None, "Sales", [StageSpec("Lead", Decimal("0.1"))])
    deal = create_deal(None, party=party, name="Big order", pipeline=pipeline, amount=100, owner=rep, team=team)
    case = open_case(None, party=party, subject="Late parcel", owner=rep, team=team)
    return {"team": team, "rep": rep, "manager": manager, "party": party, "hidden": hidden, "deal": deal, "case": case}


def test_the_360_links_to_a_new_task_for_its_customer(office: dict[str, Any]) -> None:
    c = client_for(office["rep"])
    party = office["party"]
    html = c.get(f"/customers/{party.pk}/").content.decode()
    assert f'href="/tasks/new/?party={party.pk}&amp;next=/customers/{party.pk}/"' in html
    assert 'data-testid="new-task"' in html
    form = c.get(f"/tasks/new/?party={party.pk}&next=/customers/{party.pk}/").content.decode()
    assert 'name="title"' in form and 'name="due_at"' in form and 'name="assignee"' in form
    assert f'name="party" value="{party.pk}"' in form and "Zażółć Sp. z o.o." in form
    tomorrow = timezone.localdate() + timedelta(days=1)
    r = c.post("/tasks/new/", {"title": "Follow up", "due_at": tomorrow.isoformat(), "assignee": office["rep"].pk,
                               "party": party.pk, "next": f"/customers/{party.pk}/"})
    assert r.status_code == 302 and r["Location"] == f"/customers/{party.pk}/"
    task = Task.objects.get(title="Follow up")
    assert (task.party_id, task.due_on, task.assignee_id, task.created_by_id) == (
        party.pk, tomorrow, office["rep"].pk, office["rep"].pk)
    assert AuditEntry.objects.filter(entity="task", object_id=str(task.pk), action="create", actor=office["rep"]).exists()
    assert "Follow up" in c.get(f"/customers/{party.pk}/").content.decode()  # on the 360's task card


@pytest.mark.parametrize("link", ["deal", "case"])
def test_a_task_about_a_deal_or_a_case(office: dict[str, Any], link: str) -> None:
    c = client_for(office["rep"])
    record = office[link]
    assert str(record) in c.get(f"/tasks/new/?{link}={record.pk}").content.decode()
    due = f"{timezone.localdate().isoformat()}T15:30"  # a date-time keeps its day
    r = c.post("/tasks/new/", {"title": f"About the {link}", "due_at": due, "assignee": office["rep"].pk, link: record.pk})
    assert r.status_code == 302 and r["Location"] == "/my-day/"
    task = Task.objects.get(title=f"About the {link}")
    assert getattr(task, f"{link}_id") == record.pk and task.due_on == timezone.localdate()
    # The row on My day links to the deal's or the case's own page.
    assert f'href="/{link}s/{record.pk}/"' in c.get("/my-day/").content.decode()


def test_bad_input_names_the_field_and_writes_nothing(office: dict[str, Any]) -> None:
    c = client_for(office["rep"])
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    cases = [
        ({"title": "", "assignee": office["rep"].pk}, "error-title"),
        ({"title": "x", "due_at": yesterday, "assignee": office["rep"].pk}, "error-due_at"),
        ({"title": "x", "due_at": "31.02.2026", "assignee": office["rep"].pk}, "error-due_at"),
        ({"title": "x" * 201, "assignee": office["rep"].pk}, "error-title"),
        ({"title": "x", "assignee": office["manager"].pk}, "error-assignee"),  # a rep assigns to themselves only
        ({"title": "x", "assignee": "abc"}, "error-assignee"),
    ]
    for data, error in cases:
        r = c.post("/tasks/new/", data)
        assert r.status_code == 422 and f'data-testid="{error}"' in r.content.decode(), (data, error)
    r = c.post("/tasks/new/", {"title": "x", "assignee": office["rep"].pk, "party": office["party"].pk,
                               "deal": office["deal"].pk})
    assert r.status_code == 422 and "at most one" in r.content.decode()
    pl = c.post("/tasks/new/", {"title": "", "assignee": office["rep"].pk}, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "To pole jest wymagane." in pl
    assert c.get(f"/tasks/new/?party={office['hidden'].pk}").status_code == 404  # not in the rep's scope
    assert c.post("/tasks/new/", {"title": "x", "assignee": office["rep"].pk, "party": office["hidden"].pk}).status_code == 404
    assert c.get("/tasks/new/?party=99999999").status_code == 404
    assert c.get("/tasks/new/?party=abc").status_code == 200  # ignored, like any filter that does not parse
    assert not Task.objects.exists()


def test_complete_reopen_reschedule_and_reassign_in_place(office: dict[str, Any]) -> None:
    manager, rep = office["manager"], office["rep"]
    c = client_for(manager)
    today = timezone.localdate()
    task = tasks.create_task(manager, title="Quote", assignee=manager, due_on=today, party=office["party"])
    row = c.post(f"/tasks/{task.pk}/complete/", {"version": 1, "next": "/my-day/"}, HTTP_HX_REQUEST="true")
    html = row.content.decode()
    assert row.status_code == 200 and html.startswith("<tr") and "task-closed" in html and "task-reopen" in html
    row = c.post(f"/tasks/{task.pk}/reopen/", {"version": 2}, HTTP_HX_REQUEST="true")
    assert "task-complete" in row.content.decode()
    later = today + timedelta(days=4)
    row = c.post(f"/tasks/{task.pk}/reschedule/", {"version": 3, "due_at": later.isoformat()}, HTTP_HX_REQUEST="true")
    assert f'datetime="{later.isoformat()}"' in row.content.decode()
    row = c.post(f"/tasks/{task.pk}/reassign/", {"version": 4, "assignee": rep.pk}, HTTP_HX_REQUEST="true")
    assert ">rep<" in row.content.decode() and "Reassigned." in row.content.decode()
    task.refresh_from_db()
    assert (task.status, task.due_on, task.assignee_id, task.version) == ("open", later, rep.pk, 5)
    assert Notification.objects.filter(user=rep, kind="task_assigned", task=task).count() == 1
    stale = c.post(f"/tasks/{task.pk}/reschedule/", {"version": 3, "due_at": today.isoformat()}, HTTP_HX_REQUEST="true")
    assert 'data-testid="task-error"' in stale.content.decode() and "changed this task meanwhile" in stale.content.decode()
    past = c.post(f"/tasks/{task.pk}/reschedule/", {"due_at": "2001-01-01"}, HTTP_HX_REQUEST="true")
    assert "cannot lie in the past" in past.content.decode()
    outsider = type(manager).objects.create_user("south", role="sales_rep", team=Team.objects.create(name="South"))
    refused = c.post(f"/tasks/{task.pk}/reassign/", {"assignee": outsider.pk}, HTTP_HX_REQUEST="true")
    assert "may not assign" in refused.content.decode()
    task.refresh_from_db()
    assert (task.due_on, task.assignee_id, task.version) == (later, rep.pk, 5)  # refused: nothing changed
    plain = c.post(f"/tasks/{task.pk}/complete/", {"next": "/my-day/"})  # without htmx: back where it was
    assert plain.status_code == 302 and plain["Location"] == "/my-day/"
    evil = c.post(f"/tasks/{task.pk}/reopen/", {"next": "https://evil.example/"})
    assert evil["Location"] == "/tasks/"
    assert c.post(f"/tasks/{task.pk}/explode/").status_code == 404
    assert c.get(f"/tasks/{task.pk}/complete/").status_code == 405


def test_task_list_mine_and_team_with_filters(office: dict[str, Any]) -> None:
    manager, rep = office["manager"], office["rep"]
    today = timezone.localdate()
    tasks.create_task(manager, title="Boss late", assignee=manager, due_on=today - timedelta(days=2))
    tasks.create_task(manager, title="Rep today", assignee=rep, due_on=today)
    tasks.create_task(rep, title="Rep undated", assignee=rep)
    done = tasks.create_task(rep, title="Rep done", assignee=rep, due_on=today)
    tasks.set_task_status(rep, done, "done")
    c = client_for(manager)
    mine = c.get("/tasks/").content.decode()
    assert "Boss late" in mine and "Rep today" not in mine
    team = c.get("/tasks/?scope=team").content.decode()
    assert "Boss late" in team and "Rep today" in team and "Rep undated" in team and "Rep done" not in team
    assert "Rep done" in c.get("/tasks/?scope=team&status=done").content.decode()
    overdue = c.get("/tasks/?scope=team&due=overdue").content.decode()
    assert "Boss late" in overdue and "Rep today" not in overdue
    assert "Rep undated" in c.get("/tasks/?scope=team&due=none").content.decode()
    only_rep = c.get(f"/tasks/?scope=team&assignee={rep.pk}").content.decode()
    assert "Boss late" not in only_rep and "Rep today" in only_rep
    fragment = c.get("/tasks/?scope=team", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="task-results").content.decode()
    assert fragment.startswith("<section") and "Rep today" in fragment
    assert c.get("/tasks/?scope=everyone&status=bogus&due=soon&page=x").status_code == 200
    rep_team = client_for(rep).get("/tasks/?scope=team").content.decode()
    assert "Boss late" not in rep_team and "Rep today" in rep_team  # a rep's scope is their own


def test_task_list_costs_the_same_queries_with_many_tasks(office: dict[str, Any]) -> None:
    manager = office["manager"]
    c = client_for(manager)
    tasks.create_task(manager, title="One", assignee=manager, party=office["party"])
    c.get("/tasks/?scope=team")
    with CaptureQueriesContext(connection) as few:
        c.get("/tasks/?scope=team")
    for i in range(60):
        link = [{"party": office["party"]}, {"deal": office["deal"]}, {"case": office["case"]}][i % 3]
        tasks.create_task(manager, title=f"T{i}", assignee=[manager, office["rep"]][i % 2], **link)
    with CaptureQueriesContext(connection) as many:
        html = c.get("/tasks/?scope=team").content.decode()
    assert html.count('data-testid="task-row"') == 50 and 'data-testid="tasks-next"' in html
    assert len(many.captured_queries) == len(few.captured_queries)


def test_bell_notifications_page_and_mark_read(office: dict[str, Any]) -> None:
    manager, rep = office["manager"], office["rep"]
    c = client_for(rep)
    assert 'data-testid="notifications-count"' not in c.get("/my-day/").content.decode()
    tasks.create_task(manager, title="Call the client", assignee=rep, party=office["party"])
    tasks.create_task(manager, title="Check the case", assignee=rep, case=office["case"])
    html = c.get("/my-day/").content.decode()
    assert re.search(r'data-testid="notifications-count">2<', html)
    page = c.get("/notifications/").content.decode()
    assert "boss assigned you a task: Call the client" in page
    assert page.count('data-testid="notification"') == 2
    assert f'href="/customers/{office["party"].pk}/"' in page
    first = Notification.objects.filter(user=rep).order_by("id").first()
    item = c.post(f"/notifications/{first.pk}/read/", HTTP_HX_REQUEST="true").content.decode()
    assert item.startswith("<li") and "unread" not in item
    assert re.search(r'data-testid="notifications-count">1<', c.get("/notifications/").content.decode())
    other = client_for(manager)
    assert other.post(f"/notifications/{first.pk}/read/").status_code == 404  # not theirs
    assert c.post("/notifications/read-all/").status_code == 302
    assert 'data-testid="notifications-count"' not in c.get("/notifications/").content.decode()
    pl = c.get("/notifications/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "boss przydzielił(a) Ci zadanie: Call the client" in pl


def test_notifications_page_query_count(office: dict[str, Any]) -> None:
    rep, manager = office["rep"], office["manager"]
    c = client_for(rep)
    tasks.create_task(manager, title="First", assignee=rep, deal=office["deal"])
    c.get("/notifications/")
    with CaptureQueriesContext(connection) as few:
        c.get("/notifications/")
    for i in range(20):
        link = [{"party": office["party"]}, {"deal": office["deal"]}, {"case": office["case"]}][i % 3]
        tasks.create_task(manager, title=f"N{i}", assignee=rep, **link)
    with CaptureQueriesContext(connection) as many:
        html = c.get("/notifications/").content.decode()
    assert html.count('data-testid="notification"') == 21
    assert len(many.captured_queries) == len(few.captured_queries)


def test_digest_preference_is_saved_in_the_page_language(office: dict[str, Any]) -> None:
    rep = office["rep"]
    c = client_for(rep)
    assert 'data-testid="digest-toggle"' in c.get("/notifications/").content.decode()
    r = c.post("/notifications/digest/", {"email_digest": "on"}, HTTP_ACCEPT_LANGUAGE="pl")
    assert r.status_code == 302
    pref = DigestPreference.objects.get(user=rep)
    assert (pref.email_digest, pref.language) == (True, "pl")
    assert "checked" in c.get("/notifications/?saved=1").content.decode()
    c.post("/notifications/digest/", {})
    assert DigestPreference.objects.get(user=rep).email_digest is False


@pytest.mark.parametrize("lang", ["pl", "ru"])
def test_task_pages_have_no_untranslated_string(office: dict[str, Any], lang: str) -> None:
    """The check of tests/web/test_i18n.py on My day, the task list, the new task form (with
    an error) and the notifications page with one notification of each kind."""
    from clientela.crm.notifications.actions import notify_due_tasks, notify_sla_breaches
    from web.test_i18n import catalogue, untranslated

    manager, rep = office["manager"], office["rep"]
    today = timezone.localdate()
    tasks.create_task(manager, title="Call", assignee=manager, due_on=today - timedelta(days=1), party=office["party"])
    done = tasks.create_task(manager, title="Done one", assignee=manager, due_on=today, deal=office["deal"])
    tasks.set_task_status(manager, done, "done")
    tasks.create_task(manager, title="Soon", assignee=manager, due_on=today + timedelta(days=2), case=office["case"])
    tasks.create_task(rep, title="For the boss", assignee=manager, due_on=today)
    notify_due_tasks(None, timezone.now())
    type(office["case"]).objects.filter(pk=office["case"].pk).update(owner=manager, sla_due_at=timezone.now())
    notify_sla_breaches(None, timezone.now() + timedelta(minutes=1))
    translations = set(catalogue(lang).values())
    problems = {}
    for method, path, data in [
        ("get", "/my-day/", None), ("get", "/tasks/?scope=team&status=all", None),
        ("get", f"/tasks/new/?party={office['party'].pk}", None), ("post", "/tasks/new/", {"title": ""}),
        ("get", "/notifications/", None),
    ]:
        english, other = client_for(manager), client_for(manager)
        en = getattr(english, method)(path, data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        xx = getattr(other, method)(path, data, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert f'<html lang="{lang}">' in xx
        left = untranslated(en, xx, translations)
        if left:
            problems[path] = left
    assert not problems, f"untranslated in {lang}: {problems}"
    assert len(Notification.objects.filter(user=manager).values_list("kind").distinct()) == 3


def test_the_change_forms_load_into_the_row_or_open_as_a_page(office: dict[str, Any], make_user: Any) -> None:
    manager = office["manager"]
    task = tasks.create_task(manager, title="Quote", assignee=manager, party=office["party"])
    c = client_for(manager)
    row = c.get("/tasks/?scope=team").content.decode()
    assert f'hx-get="/tasks/{task.pk}/edit/?next=' in row and 'name="assignee"' not in row.split("task-table")[1]
    fragment = c.get(f"/tasks/{task.pk}/edit/?next=/tasks/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith("<form") and 'hx-post="/tasks/' in fragment
    assert 'name="due_at"' in fragment and f'<option value="{office["rep"].pk}"' in fragment  # the team's member
    page = c.get(f"/tasks/{task.pk}/edit/?next=/tasks/").content.decode()
    assert "<h1>Reschedule or reassign</h1>" in page and "hx-post" not in page.split("<main")[1]
    assert client_for(office["rep"]).get(f"/tasks/{task.pk}/edit/").status_code == 404  # not the rep's
    assert client_for(make_user("ro", "read_only", office["team"])).get(f"/tasks/{task.pk}/edit/").status_code == 403
