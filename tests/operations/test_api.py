"""The operational resources through the HTTP API: CRUD, filters, pagination, If-Match,
record scope and refusals that change nothing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import Team, User
from clientela.crm.engagement.models import Campaign, CampaignMember
from clientela.crm.loyalty import actions as loyalty
from clientela.crm.loyalty.models import PointsEntry
from clientela.crm.parties.models import Consent, Party
from clientela.crm.sales.models import Deal
from jobs_in_process import run_jobs

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user: User) -> None:
        _, self.token = create_token(user, name="test")
        self.user = user
        self.client = Client()

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        extra = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}
        extra.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
        data = json.dumps(body) if body is not None else ""
        response = self.client.generic(method, "/api/v1" + path, data=data, content_type="application/json", **extra)
        response.data = json.loads(response.content) if response.content else None
        return response

    def get(self, path: str, **h: str) -> Any:
        return self.call("GET", path, **h)

    def post(self, path: str, body: Any, **h: str) -> Any:
        return self.call("POST", path, body, **h)

    def patch(self, path: str, body: Any, **h: str) -> Any:
        return self.call("PATCH", path, body, **h)

    def delete(self, path: str, **h: str) -> Any:
        return self.call("DELETE", path, **h)


@pytest.fixture
def world() -> dict[str, Any]:
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")

    def user(name: str, role: str, team: Team) -> Api:
        # No password: tokens authenticate, and Argon2 hashing would slow every test down.
        return Api(User.objects.create(username=name, role=role, team=team))

    w: dict[str, Any] = {
        "admin": user("root", "admin", north),
        "rep": user("rep", "sales_rep", north),
        "rep2": user("rep2", "sales_rep", north),
        "manager": user("boss", "manager", north),
        "other_manager": user("boss2", "manager", south),
        "agent": user("agent", "service_agent", north),
        "marketer": user("mark", "marketer", south),
        "reader": user("reader", "read_only", north),
    }
    w["party"] = Party.objects.create(ref="P1", name="Acme", owner=w["rep"].user, team=north,
                                      email="acme@example.test")
    w["party2"] = Party.objects.create(ref="P2", name="Beta", owner=w["rep2"].user, team=north)
    return w


def _pipeline(api: Api) -> dict[str, Any]:
    r = api.post("/pipelines", {"name": "B2B", "stages": [
        {"name": "Lead", "win_probability": "0.1"},
        {"name": "Proposal", "win_probability": "0.5"},
        {"name": "Won", "win_probability": "1", "is_won": True},
        {"name": "Lost", "win_probability": "0", "is_lost": True},
    ]})
    assert r.status_code == 201, r.data
    return r.data


def test_deal_crud_filter_paginate_and_if_match(world: dict[str, Any]) -> None:
    admin, rep = world["admin"], world["rep"]
    pipeline = _pipeline(admin)
    stages = {s["name"]: s["id"] for s in pipeline["stages"]}
    created = []
    for i in range(3):
        r = rep.post("/deals", {"party_id": world["party"].pk, "pipeline_id": pipeline["id"],
                                "name": f"Deal {i}", "amount": f"{100 * (i + 1)}.00", "currency": "PLN"})
        assert r.status_code == 201, r.data
        assert r.data["owner_id"] == rep.user.pk and r.data["stage_id"] == stages["Lead"]
        created.append(r.data)
    deal_id = created[0]["id"]

    got = rep.get(f"/deals/{deal_id}")
    assert got.status_code == 200 and got["ETag"]
    etag = got["ETag"]

    assert rep.patch(f"/deals/{deal_id}", {"stage_id": stages["Won"]}).status_code == 428
    assert rep.patch(f"/deals/{deal_id}", {"stage_id": stages["Won"]}, if_match='"stale"').status_code == 412
    bad = rep.patch(f"/deals/{deal_id}", {"stage_id": stages["Lost"]}, if_match=etag)
    assert bad.status_code == 422 and "reason" in bad.data["errors"]
    assert Deal.objects.get(pk=deal_id).version == 1  # nothing written

    # A won deal needs its reason through the API as on the pages (one rule, in move_deal).
    unexplained = rep.patch(f"/deals/{deal_id}", {"stage_id": stages["Won"], "amount": "150.00"}, if_match=etag)
    assert unexplained.status_code == 422 and "reason" in unexplained.data["errors"]
    assert Deal.objects.get(pk=deal_id).version == 1 and Deal.objects.get(pk=deal_id).amount != Decimal("150.00")

    won = rep.patch(f"/deals/{deal_id}", {"stage_id": stages["Won"], "amount": "150.00", "close_reason": "signed"},
                    if_match=etag)
    assert won.status_code == 200, won.data
    assert won.data["status"] == "won" and won.data["amount"] == "150.00" and won.data["closed_at"]
    assert rep.patch(f"/deals/{deal_id}", {"name": "again"}, if_match=etag).status_code == 412

    listed = rep.get("/deals?status=won")
    assert [d["id"] for d in listed.data["items"]] == [deal_id]
    page1 = rep.get("/deals?limit=2&ordering=amount")
    assert len(page1.data["items"]) == 2 and page1.data["next_cursor"]
    page2 = rep.get(f"/deals?limit=2&ordering=amount&cursor={page1.data['next_cursor']}")
    amounts = [d["amount"] for d in page1.data["items"] + page2.data["items"]]
    assert amounts == ["150.00", "200.00", "300.00"] and page2.data["next_cursor"] is None

    funnel = rep.get(f"/pipelines/{pipeline['id']}/funnel").data
    assert [(s["stage"], s["reached"]) for s in funnel] == [("Lead", 3), ("Proposal", 1), ("Won", 1)]
    velocity = rep.get(f"/pipelines/{pipeline['id']}/velocity").data
    assert velocity["win_rate"] == "1.0000" and velocity["weighted_value"] == {"PLN": "50.00"}

    # sales reps may not delete deals (CRU); admins may.
    other = created[1]["id"]
    etag = rep.get(f"/deals/{other}")["ETag"]
    assert rep.delete(f"/deals/{other}", if_match=etag).status_code == 403
    assert admin.delete(f"/deals/{other}", if_match=etag).status_code == 204
    assert admin.get(f"/deals/{other}").status_code == 404


def test_deal_record_scope(world: dict[str, Any]) -> None:
    pipeline = _pipeline(world["admin"])
    deal = world["rep"].post("/deals", {"party_id": world["party"].pk, "pipeline_id": pipeline["id"],
                                        "name": "Mine"}).data
    path = f"/deals/{deal['id']}"
    assert world["rep2"].get(path).status_code == 404  # own scope: a teammate's deal is hidden
    assert world["manager"].get(path).status_code == 200  # team scope
    assert world["other_manager"].get(path).status_code == 404
    assert world["marketer"].get(path).status_code == 404  # no deal permission at all
    assert world["rep2"].get("/deals").data["items"] == []
    etag = world["rep"].get(path)["ETag"]
    assert world["rep2"].patch(path, {"name": "stolen"}, if_match=etag).status_code == 404
    assert world["reader"].patch(path, {"name": "x"}, if_match=etag).status_code == 403
    assert Deal.objects.get(pk=deal["id"]).name == "Mine"
    # a rep cannot hand a deal to someone outside their scope
    r = world["rep"].post("/deals", {"party_id": world["party"].pk, "pipeline_id": pipeline["id"],
                                     "name": "Gift", "owner_id": world["rep2"].user.pk})
    assert r.status_code == 403 and Deal.objects.count() == 1
    # nor create a deal on a party they cannot see
    r = world["rep"].post("/deals", {"party_id": world["party2"].pk, "pipeline_id": pipeline["id"], "name": "X"})
    assert r.status_code == 404


def test_tasks_crud_and_links(world: dict[str, Any]) -> None:
    rep = world["rep"]
    r = rep.post("/tasks", {"title": "Call Acme", "due_on": "2026-11-20", "party_id": world["party"].pk})
    assert r.status_code == 201 and r.data["assignee_id"] == rep.user.pk
    task = r.data
    two = rep.post("/tasks", {"title": "Bad", "party_id": world["party"].pk, "deal_id": 1})
    assert two.status_code == 422 and "link" in two.data["errors"]
    rep.post("/tasks", {"title": "Later", "due_on": "2026-12-20"})
    overdue = rep.get("/tasks?due_before=2026-11-23&status=open").data["items"]
    assert [t["id"] for t in overdue] == [task["id"]]
    etag = rep.get(f"/tasks/{task['id']}")["ETag"]
    done = rep.patch(f"/tasks/{task['id']}", {"status": "done"}, if_match=etag)
    assert done.status_code == 200 and done.data["completed_at"]
    assert world["rep2"].get(f"/tasks/{task['id']}").status_code == 404
    assert world["manager"].get(f"/tasks/{task['id']}").status_code == 200
    etag = done["ETag"]
    assert rep.delete(f"/tasks/{task['id']}", if_match=etag).status_code == 204
    assert rep.get("/tasks?limit=1").data["next_cursor"] is None


def test_tasks_are_assigned_only_within_reach(world: dict[str, Any]) -> None:
    """Whom a user may assign a task to is ``tasks.access.assignable_users``, as on the
    web pages: a representative themselves; a manager their team; refusals write nothing."""
    from clientela.crm.notifications.models import Notification
    from clientela.crm.tasks.models import Task

    rep, manager = world["rep"], world["manager"]
    r = rep.post("/tasks", {"title": "For a colleague", "assignee_id": world["rep2"].user.pk})
    assert r.status_code == 403 and not Task.objects.exists()
    assert rep.post("/tasks", {"title": "Ghost", "assignee_id": 999_999}).status_code == 422
    r = manager.post("/tasks", {"title": "For the rep", "assignee_id": rep.user.pk})
    assert r.status_code == 201, r.data
    assert Notification.objects.filter(user=rep.user, kind="task_assigned").count() == 1
    etag = manager.get(f"/tasks/{r.data['id']}")["ETag"]
    away = manager.patch(f"/tasks/{r.data['id']}", {"assignee_id": world["other_manager"].user.pk}, if_match=etag)
    assert away.status_code == 403 and Task.objects.get().assignee_id == rep.user.pk  # another team
    moved = manager.patch(f"/tasks/{r.data['id']}", {"assignee_id": world["rep2"].user.pk}, if_match=etag)
    assert moved.status_code == 200 and moved.data["assignee_id"] == world["rep2"].user.pk  # the same team


def test_cases_crud_resolve_and_breach_filter(world: dict[str, Any]) -> None:
    agent = world["agent"]
    r = agent.post("/cases", {"party_id": world["party"].pk, "subject": "Broken", "priority": "urgent"})
    assert r.status_code == 201, r.data
    case = r.data
    assert case["sla_breached"] is False and case["status"] == "new"
    assert agent.get("/cases?sla_breached=false").data["items"][0]["id"] == case["id"]
    assert agent.get("/cases?sla_breached=true").data["items"] == []
    etag = agent.get(f"/cases/{case['id']}")["ETag"]
    no_resolution = agent.patch(f"/cases/{case['id']}", {"status": "resolved"}, if_match=etag)
    assert no_resolution.status_code == 422 and "resolution" in no_resolution.data["errors"]
    ok = agent.patch(f"/cases/{case['id']}", {"status": "resolved", "resolution": "Replaced"}, if_match=etag)
    assert ok.status_code == 200 and ok.data["resolved_at"] and ok.data["version"] == 2
    assert agent.get("/cases?status=resolved&priority=urgent").data["items"][0]["id"] == case["id"]
    assert world["other_manager"].get(f"/cases/{case['id']}").status_code == 404
    assert world["rep"].post("/cases", {"party_id": world["party"].pk, "subject": "x"}).status_code == 403
    assert agent.delete(f"/cases/{case['id']}", if_match=ok["ETag"]).status_code == 403  # CRU only


def test_surveys_and_responses(world: dict[str, Any]) -> None:
    marketer, admin = world["marketer"], world["admin"]
    r = marketer.post("/surveys", {"name": "CSAT", "kind": "csat", "question": "Happy?"})
    assert r.status_code == 201
    survey = r.data
    assert world["rep"].post("/surveys", {"name": "x", "kind": "nps", "question": "q"}).status_code == 403
    bad = admin.post("/survey-responses", {"survey_id": survey["id"], "party_id": world["party"].pk, "score": 7})
    assert bad.status_code == 422 and "score" in bad.data["errors"]
    for score in (5, 3):
        assert admin.post("/survey-responses", {"survey_id": survey["id"], "party_id": world["party"].pk,
                                                "score": score, "comment": "ok"}).status_code == 201
    listed = admin.get(f"/survey-responses?survey_id={survey['id']}&ordering=score")
    assert [x["score"] for x in listed.data["items"]] == [3, 5]
    # the rep owns the party, so sees its responses; the teammate does not
    assert len(world["rep"].get("/survey-responses").data["items"]) == 2
    assert world["rep2"].get("/survey-responses").data["items"] == []
    etag = marketer.get(f"/surveys/{survey['id']}")["ETag"]
    assert marketer.delete(f"/surveys/{survey['id']}", if_match=etag).status_code == 422  # has responses
    patched = marketer.patch(f"/surveys/{survey['id']}", {"is_active": False}, if_match=etag)
    assert patched.status_code == 200 and patched.data["is_active"] is False


def test_loyalty_accounts_and_ledger(world: dict[str, Any]) -> None:
    admin = world["admin"]
    programme = loyalty.create_programme(None, name="Club", points_per_unit="1")
    loyalty.add_tier(None, programme, name="Silver", threshold=50)
    r = admin.post("/loyalty-accounts", {"party_id": world["party"].pk, "programme_id": programme.pk})
    assert r.status_code == 201
    account = r.data
    path = f"/loyalty-accounts/{account['id']}/entries"
    assert admin.post(path, {"kind": "earn", "points": 100, "reason": "welcome"}).status_code == 201
    refused = admin.post(path, {"kind": "redeem", "points": 150, "reward": "Kettle"})
    assert refused.status_code == 422 and "points" in refused.data["errors"]
    assert PointsEntry.objects.count() == 1
    assert admin.post(path, {"kind": "redeem", "points": 30, "reward": "Mug"}).status_code == 201
    assert admin.post(path, {"kind": "adjust", "points": -5, "reason": "typo"}).status_code == 201
    assert admin.post(path, {"kind": "earn", "points": -5}).status_code == 422
    got = admin.get(f"/loyalty-accounts/{account['id']}").data
    assert got["balance"] == 65 and got["tier"] == "Silver"
    page = admin.get(path + "?limit=2")
    assert [e["kind"] for e in page.data["items"]] == ["adjust", "redeem"] and page.data["next_cursor"]
    rest = admin.get(path + f"?limit=2&cursor={page.data['next_cursor']}").data["items"]
    assert [e["kind"] for e in rest] == ["earn"]
    assert world["marketer"].post(path, {"kind": "earn", "points": 1}).status_code == 403
    assert world["rep2"].get(f"/loyalty-accounts/{account['id']}").status_code == 404
    assert PointsEntry.objects.count() == 3


def test_campaign_send_and_deliveries(world: dict[str, Any], settings) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    campaign = Campaign.objects.create(
        name="Retain", kind="retention", channel="email", starts_on=date(2026, 11, 23),
        message_subject="Hi", message_body="Hello {{ name }}",
    )
    Consent.objects.create(party=world["party"], purpose="marketing", channel="email",
                           given_at="2026-01-01T00:00:00Z")
    for party in (world["party"], world["party2"]):
        CampaignMember.objects.create(campaign=campaign, party=party)
    assert world["rep"].post(f"/campaigns/{campaign.pk}/send", {}).status_code == 403
    queued = world["marketer"].post(f"/campaigns/{campaign.pk}/send", {})
    assert queued.status_code == 202 and queued.data["status"] == "queued" and queued.data["kind"] == "campaign.send"
    location = queued.headers["Location"].removeprefix("/api/v1")
    assert location == f"/jobs/{queued.data['id']}"
    assert world["marketer"].post(f"/campaigns/{campaign.pk}/send", {}).data["id"] == queued.data["id"]  # one send
    assert world["rep"].get(location).status_code == 404  # another user's job
    run_jobs()
    sent = world["marketer"].get(location)
    assert sent.status_code == 200 and sent.data["status"] == "succeeded" and sent.data["result"] == {
        "sent": 1, "suppressed": 1, "failed": 0, "skipped": 0, "stopped": False}
    assert sent.data["progress_done"] == sent.data["progress_total"] == 2
    rows = world["marketer"].get(f"/campaigns/{campaign.pk}/deliveries").data["items"]
    assert {r["party_id"]: r["send_status"] for r in rows} == {
        world["party"].pk: "sent", world["party2"].pk: "suppressed",
    }
    held = world["marketer"].get(f"/campaigns/{campaign.pk}/deliveries?send_status=suppressed").data["items"]
    assert [r["party_id"] for r in held] == [world["party2"].pk]
    again = world["marketer"].post(f"/campaigns/{campaign.pk}/send", {})
    run_jobs()
    again = world["marketer"].get(again.headers["Location"].removeprefix("/api/v1"))
    assert again.data["result"]["skipped"] == 1 and again.data["result"]["sent"] == 0
    # Stop: the suppressed member is still to send; the stop applies to sends running now.
    assert world["rep"].post(f"/campaigns/{campaign.pk}/stop", {}).status_code == 403
    stop = world["marketer"].post(f"/campaigns/{campaign.pk}/stop", {})
    assert stop.status_code == 200 and stop.data == {"queued": 1}
    assert Campaign.objects.get(pk=campaign.pk).send_stop_requested_at is not None
