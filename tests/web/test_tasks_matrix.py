"""Role × page × action for the task pages and notifications: every role, on its own
task, a teammate's and another team's; a refused request answers 403 or 404 (never
500) and changes nothing — no new version, no audit entry, no notification."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clientela.crm.accounts.models import Team, User
from clientela.crm.audit.models import AuditEntry
from clientela.crm.notifications.models import Notification
from clientela.crm.parties.models import Party
from clientela.crm.tasks import actions as tasks
from clientela.crm.tasks.models import Task

pytestmark = pytest.mark.django_db

ROLES = ["admin", "manager", "sales_rep", "service_agent", "marketer", "analyst", "read_only"]
VIEW = {"admin", "manager", "sales_rep", "service_agent", "analyst", "read_only"}
CREATE = {"admin", "manager", "sales_rep", "service_agent"}
# who reaches a task assigned to: themselves / a teammate / someone of another team
SEES = {
    "own": VIEW,
    "team": {"admin", "manager", "service_agent", "analyst", "read_only"},
    "other": {"admin", "analyst"},
}
CHANGES = ["complete", "reschedule", "reassign"]


@pytest.fixture
def world() -> dict[str, Any]:
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
    users = {role: User.objects.create_user(role, role=role, team=north) for role in ROLES}
    mate = User.objects.create_user("mate", role="sales_rep", team=north)
    stranger = User.objects.create_user("stranger", role="sales_rep", team=south)
    party = Party.objects.create(ref="M1", name="Matrix Ltd", is_customer=True, owner=mate, team=north)
    return {"users": users, "mate": mate, "stranger": stranger, "party": party}


def _task(world: dict[str, Any], role: str, whose: str) -> Task:
    assignee = {"own": world["users"][role], "team": world["mate"], "other": world["stranger"]}[whose]
    return tasks.create_task(None, title=f"{whose} task", assignee=assignee, due_on=timezone.localdate())


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _state() -> tuple[Any, ...]:
    return (
        tuple(Task.objects.order_by("id").values_list("version", "status", "due_on", "assignee_id")),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(world: dict[str, Any], role: str) -> None:
    c = _client(world["users"][role])
    expected_view = 200 if role in VIEW else 403
    assert c.get("/my-day/").status_code == expected_view
    assert c.get("/tasks/").status_code == expected_view
    assert c.get("/tasks/?scope=team").status_code == expected_view
    assert c.get("/tasks/new/").status_code == (200 if role in CREATE else 403)
    assert c.get("/notifications/").status_code == 200
    menu = c.get("/notifications/").content.decode()
    assert ('data-testid="my-day"' in menu) == (role in VIEW)
    assert 'data-testid="notifications"' in menu


@pytest.mark.parametrize("role", ROLES)
def test_create_by_role(world: dict[str, Any], role: str) -> None:
    user = world["users"][role]
    c = _client(user)
    before = _state()
    r = c.post("/tasks/new/", {"title": "New", "assignee": user.pk, "due_at": timezone.localdate().isoformat()})
    if role in CREATE:
        assert r.status_code == 302
        assert Task.objects.get(title="New").created_by == user
    else:
        assert r.status_code == 403
        assert _state() == before
    before = _state()
    linked = c.post("/tasks/new/", {"title": "Linked", "assignee": user.pk, "party": world["party"].pk})
    # the party belongs to a teammate: own-scope roles do not see it
    sees_party = role in {"admin", "manager", "service_agent", "analyst", "read_only", "marketer"}
    if role not in CREATE:
        assert linked.status_code == 403
    elif not sees_party:
        assert linked.status_code == 404
    else:
        assert linked.status_code == 302
    if linked.status_code != 302:
        assert _state() == before


@pytest.mark.parametrize("whose", ["own", "team", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_changes_by_role_and_owner(world: dict[str, Any], role: str, whose: str) -> None:
    user = world["users"][role]
    c = _client(user)
    task = _task(world, role, whose)
    sees = role in SEES[whose]
    may_update = role in CREATE  # the roles that may update tasks are those that create them
    for change in CHANGES:
        data: dict[str, Any] = {"version": Task.objects.get(pk=task.pk).version}
        if change == "reschedule":
            data["due_at"] = (timezone.localdate() + timedelta(days=3)).isoformat()
        if change == "reassign":
            data["assignee"] = user.pk
        before = _state()
        r = c.post(f"/tasks/{task.pk}/{change}/", data, HTTP_HX_REQUEST="true")
        if role not in VIEW:
            assert r.status_code == 403, (role, whose, change)
        elif not sees:
            assert r.status_code == 404, (role, whose, change)
        elif not may_update:
            assert r.status_code == 403, (role, whose, change)
        else:
            assert r.status_code == 200, (role, whose, change)
            assert 'data-testid="task-error"' not in r.content.decode(), (role, whose, change)
            if change == "reassign":
                assert Task.objects.get(pk=task.pk).assignee == user
            else:
                assert _state() != before
            continue
        assert _state() == before, (role, whose, change)


@pytest.mark.parametrize("role", ROLES)
def test_reassigning_outside_ones_reach_is_refused(world: dict[str, Any], role: str) -> None:
    user = world["users"][role]
    task = tasks.create_task(None, title="Mine", assignee=user)
    before = _state()
    r = _client(user).post(f"/tasks/{task.pk}/reassign/", {"assignee": world["stranger"].pk}, HTTP_HX_REQUEST="true")
    if role not in CREATE:  # may not change tasks at all
        assert r.status_code == 403 and _state() == before
    elif role == "admin":  # every active user who works tasks
        assert r.status_code == 200 and Task.objects.get(pk=task.pk).assignee == world["stranger"]
    else:
        assert r.status_code == 200 and 'data-testid="task-error"' in r.content.decode()
        assert _state() == before


@pytest.mark.parametrize("role", ROLES)
def test_notifications_are_their_addressees_only(world: dict[str, Any], role: str) -> None:
    user = world["users"][role]
    tasks.create_task(world["users"]["admin"] if role != "admin" else world["mate"], title="For you", assignee=user)
    tasks.create_task(world["users"]["admin"], title="For the stranger", assignee=world["stranger"])
    mine = Notification.objects.get(user=user)
    theirs = Notification.objects.get(user=world["stranger"])
    c = _client(user)
    page = c.get("/notifications/").content.decode()
    assert "For you" in page and "For the stranger" not in page
    before = _state()
    assert c.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert _state() == before
    assert c.post(f"/notifications/{mine.pk}/read/").status_code == 302
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_anonymous_visitors_are_sent_to_log_in(world: dict[str, Any]) -> None:
    task = _task(world, "admin", "own")
    c = Client()
    for path in ["/my-day/", "/tasks/", "/tasks/new/", "/notifications/"]:
        assert c.get(path).status_code == 302
    before = _state()
    assert c.post(f"/tasks/{task.pk}/complete/").status_code == 302
    assert c.post("/notifications/read-all/").status_code == 302
    assert _state() == before
