"""My day: my overdue tasks, today's, the next 7 days, and my deals with no next step;
the menu entry, the query count, and the page in Polish and Russian."""

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

from clientela.crm.parties.models import Party
from clientela.crm.sales.actions import StageSpec, create_deal, create_pipeline
from clientela.crm.tasks import actions as tasks

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def section(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">(.*?)</section>', html, re.S)
    assert match, testid
    return match.group(1)


@pytest.fixture
def day(make_user: Any) -> dict[str, Any]:
    rep = make_user("rep", "sales_rep")
    other = make_user("other", "sales_rep")
    party = Party.objects.create(ref="P1", name="Kowalski & Syn", is_customer=True, owner=rep)
    today = timezone.localdate()
    pipeline = create_pipeline(None, "Sales", [StageSpec("Lead", Decimal("0.1")), StageSpec("Won", Decimal("1"), is_won=True)])
    lead = pipeline.stages.get(name="Lead")
    idle = create_deal(None, party=party, name="Idle deal", pipeline=pipeline, amount=5000, stage=lead, owner=rep)
    busy = create_deal(None, party=party, name="Busy deal", pipeline=pipeline, amount=7000, stage=lead, owner=rep)
    create_deal(None, party=party, name="Someone else's deal", pipeline=pipeline, amount=1, stage=lead, owner=other)
    t = {
        "late": tasks.create_task(rep, title="Late call", assignee=rep, due_on=today - timedelta(days=3), party=party),
        "now": tasks.create_task(rep, title="Today's offer", assignee=rep, due_on=today, deal=busy),
        "soon": tasks.create_task(rep, title="Visit in 5 days", assignee=rep, due_on=today + timedelta(days=5)),
        "far": tasks.create_task(rep, title="Next month", assignee=rep, due_on=today + timedelta(days=30)),
        "done": tasks.create_task(rep, title="Finished late", assignee=rep, due_on=today - timedelta(days=1)),
        "theirs": tasks.create_task(other, title="Other's today", assignee=other, due_on=today),
    }
    tasks.set_task_status(rep, t["done"], "done")
    return {"rep": rep, "other": other, "party": party, "idle": idle, "busy": busy, "tasks": t, "pipeline": pipeline}


def test_my_day_sorts_my_open_tasks_by_due_date(day: dict[str, Any]) -> None:
    html = client_for(day["rep"]).get("/my-day/").content.decode()
    assert 'data-testid="my-day"' in html and 'aria-current="page"' in html  # the menu entry, open
    overdue, today = section(html, "my-day-overdue"), section(html, "my-day-today")
    upcoming, deals = section(html, "my-day-upcoming"), section(html, "my-day-deals")
    assert "Late call" in overdue and "Kowalski &amp; Syn" in overdue and "Overdue" in overdue
    assert "Today&#x27;s offer" in today and "Busy deal" in today
    assert "Visit in 5 days" in upcoming
    page = overdue + today + upcoming
    assert "Next month" not in page and "Finished late" not in page and "Other&#x27;s today" not in page
    assert "Idle deal" in deals and "Busy deal" not in deals and "Someone else" not in deals
    assert f'href="/tasks/new/?deal={day["idle"].pk}&amp;next=' in deals  # add a next step
    assert 'data-testid="new-task"' in html


def test_completing_the_only_task_of_a_deal_puts_it_back_among_deals_without_a_next_step(day: dict[str, Any]) -> None:
    c = client_for(day["rep"])
    task = day["tasks"]["now"]
    r = c.post(f"/tasks/{task.pk}/complete/", {"version": task.version}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "task-closed" in r.content.decode()
    deals = section(c.get("/my-day/").content.decode(), "my-day-deals")
    assert "Busy deal" in deals


def test_my_day_costs_the_same_queries_with_many_tasks(day: dict[str, Any]) -> None:
    c = client_for(day["rep"])
    c.get("/my-day/")
    with CaptureQueriesContext(connection) as few:
        c.get("/my-day/")
    today = timezone.localdate()
    party, rep = day["party"], day["rep"]
    for i in range(30):
        tasks.create_task(rep, title=f"Task {i}", assignee=rep, due_on=today + timedelta(days=i % 9 - 2), party=party)
    with CaptureQueriesContext(connection) as many:
        html = c.get("/my-day/").content.decode()
    assert html.count('data-testid="task-row"') > 30
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(few.captured_queries) <= 12


def test_my_day_is_for_roles_that_work_tasks(make_user: Any, day: dict[str, Any]) -> None:
    marketer = client_for(make_user("mark", "marketer"))
    assert marketer.get("/my-day/").status_code == 403
    assert 'data-testid="my-day"' not in marketer.get("/").content.decode()
    agent = client_for(make_user("agent", "service_agent"))
    html = agent.get("/my-day/").content.decode()
    assert 'data-testid="my-day-deals"' not in html  # agents have no deals
    assert Client().get("/my-day/").status_code == 302  # the login page


@pytest.mark.parametrize(("lang", "words"), [
    ("pl", ["Mój dzień", "Zaległe", "Dziś", "Następne 7 dni", "Szanse sprzedaży bez następnego kroku", "Nowe zadanie"]),
    ("ru", ["Мой день", "Просроченные", "Сегодня", "Следующие 7 дней", "Сделки без следующего шага", "Новая задача"]),
])
def test_my_day_speaks_polish_and_russian(day: dict[str, Any], lang: str, words: list[str]) -> None:
    html = client_for(day["rep"]).get("/my-day/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    for word in words:
        assert word in html, word


@pytest.mark.parametrize(("role", "landing"), [
    ("sales_rep", "/my-day/"), ("service_agent", "/my-day/"), ("manager", "/"), ("marketer", "/"), ("analyst", "/"),
])
def test_reps_and_agents_land_on_my_day(make_user: Any, role: str, landing: str) -> None:
    make_user("who", role)
    c = Client()
    r = c.post("/login/", {"username": "who", "password": "pw-who"})
    assert r.status_code == 302 and r["Location"] == landing
    assert c.get(landing).status_code == 200
    again = Client().post("/login/?next=/customers/", {"username": "who", "password": "pw-who"})
    assert again["Location"] == "/customers/"  # an explicit next still wins


def test_a_long_section_is_capped_with_a_link_to_the_list(day: dict[str, Any]) -> None:
    from clientela.crm.tasks.queries import SECTION_LIMIT

    rep = day["rep"]
    past = timezone.localdate() - timedelta(days=2)
    for i in range(SECTION_LIMIT + 5):
        tasks.create_task(rep, title=f"Old {i}", assignee=rep, due_on=past)
    overdue = section(client_for(rep).get("/my-day/").content.decode(), "my-day-overdue")
    assert overdue.count('data-testid="task-row"') == SECTION_LIMIT
    assert f"{SECTION_LIMIT}+" in overdue and 'href="/tasks/?due=overdue"' in overdue
