"""Playbooks through the API (Django's test client with a token), the CLI (click's runner)
and the pages (roles, CSRF, a bad field named in the builder, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from clientela.cli.main import main
from clientela.crm.playbooks.models import Playbook, PlaybookVersion

pytestmark = pytest.mark.django_db

DEFINITION = {
    "trigger": {"kind": "no_order_days", "days": 120},
    "conditions": {"countries": ["PL"], "consent": "email"},
    "actions": [{"kind": "tag", "tag": "dormant"}, {"kind": "webhook"}],
    "limits": {"once_per_days": 60, "daily_cap": 100, "quiet_start": "21:00", "quiet_end": "08:00"},
}


def _api(user: Any) -> Client:
    from clientela.crm.accounts.api_tokens import create_token

    _record, secret = create_token(user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_api_creates_versions_switches_and_dry_runs(make_marketer: Any) -> None:
    from clientela.crm.accounts.models import User

    api = _api(make_marketer())
    answer = api.post("/api/v1/playbooks", {"name": "Dormant", **DEFINITION}, content_type="application/json")
    assert answer.status_code == 201, answer.content
    playbook_id = answer.json()["id"]
    assert answer.json()["definition"]["control_share"] == 0.1
    bad = api.post("/api/v1/playbooks", {"name": "Bad", **DEFINITION, "trigger": {"kind": "no_order_days"}},
                   content_type="application/json")
    assert bad.status_code == 422 and "trigger.days" in bad.content.decode()
    assert Playbook.objects.count() == 1
    changed = api.patch(f"/api/v1/playbooks/{playbook_id}",
                        {"definition": {**DEFINITION, "control_share": 0.2}, "enabled": True},
                        content_type="application/json")
    assert changed.status_code == 200 and changed.json()["version"] == 2 and changed.json()["enabled"]
    versions = api.get(f"/api/v1/playbooks/{playbook_id}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    dry = api.post(f"/api/v1/playbooks/{playbook_id}/dry-run", {}, content_type="application/json")
    assert dry.status_code == 200 and dry.json()["customers"] == 0
    rep = User.objects.create_user("rob", password="x", role="sales_rep")
    assert _api(rep).get("/api/v1/playbooks").status_code == 403
    assert _api(rep).get(f"/api/v1/playbooks/{playbook_id}").status_code == 404


def test_the_cli_exports_and_imports_all_or_nothing(make_marketer: Any, tmp_path: Path) -> None:
    marketer = make_marketer()
    runner = CliRunner()
    source = tmp_path / "playbooks.json"
    source.write_text(json.dumps({"playbooks": [{"name": "Dormant", "enabled": True, **DEFINITION}]}))
    done = runner.invoke(main, ["playbook", "import", str(source), "--by", marketer.username])
    assert done.exit_code == 0, done.output
    assert "created" in done.output
    playbook = Playbook.objects.get(name="Dormant")
    assert playbook.enabled and playbook.owner == marketer
    exported = runner.invoke(main, ["playbook", "export"])
    assert exported.exit_code == 0
    data = json.loads(exported.output)
    assert data["playbooks"][0]["limits"]["daily_cap"] == 100
    data["playbooks"].append({"name": "Broken", **DEFINITION, "actions": [{"kind": "fax"}]})
    source.write_text(json.dumps(data))
    refused = runner.invoke(main, ["playbook", "import", str(source)])
    assert refused.exit_code == 1 and "playbooks[1].actions[0].kind" in refused.output
    assert not Playbook.objects.filter(name="Broken").exists()
    assert PlaybookVersion.objects.filter(playbook=playbook).count() == 1
    listed = runner.invoke(main, ["playbook", "list"])
    assert "Dormant" in listed.output and "no_order_days" in listed.output
    assert runner.invoke(main, ["playbook", "disable", str(playbook.pk)]).exit_code == 0
    assert not Playbook.objects.get(pk=playbook.pk).enabled
    assert "would fire now for" in runner.invoke(main, ["playbook", "dry-run", str(playbook.pk)]).output
    assert runner.invoke(main, ["playbook", "dry-run", "99999"]).exit_code == 1


def test_the_builder_names_a_bad_field_and_roles_decide(make_marketer: Any) -> None:
    from clientela.crm.accounts.models import User

    marketer = make_marketer()
    page = Client(enforce_csrf_checks=True)
    page.force_login(marketer)
    assert page.get("/playbooks/new/").status_code == 200
    assert page.post("/playbooks/new/", {"name": "x"}).status_code == 403  # no CSRF token
    c = Client()
    c.force_login(marketer)
    form = {"name": "Welcome", "trigger_kind": "first_order", "action_task": "1", "task_title": "",
            "task_due_days": "3", "control_percent": "10"}
    refused = c.post("/playbooks/new/", form)
    assert refused.status_code == 422 and "actions[0].title" in refused.content.decode()
    assert not Playbook.objects.exists()
    saved = c.post("/playbooks/new/", {**form, "task_title": "Say hello", "name": "<b>Welcome</b>"})
    assert saved.status_code == 302
    playbook = Playbook.objects.get()
    assert playbook.definition["actions"] == [{"kind": "task", "title": "Say hello", "due_days": 3}]
    detail = c.get(f"/playbooks/{playbook.pk}/").content.decode()
    assert "&lt;b&gt;Welcome&lt;/b&gt;" in detail and "<b>Welcome</b>" not in detail
    assert c.post(f"/playbooks/{playbook.pk}/switch/", {"enabled": "1"}).status_code == 302
    assert Playbook.objects.get().enabled
    rep = User.objects.create_user("rob", password="x", role="sales_rep")
    other = Client()
    other.force_login(rep)
    assert other.get("/playbooks/").status_code == 403
    assert other.get(f"/playbooks/{playbook.pk}/").status_code == 404
    analyst = User.objects.create_user("ann", password="x", role="analyst")
    reader = Client()
    reader.force_login(analyst)
    assert reader.get(f"/playbooks/{playbook.pk}/").status_code == 200
    assert reader.post(f"/playbooks/{playbook.pk}/switch/", {"enabled": "0"}).status_code == 403


def test_the_lists_read_a_fixed_number_of_queries(make_marketer: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clientela.crm.playbooks.actions import create_playbook

    marketer = make_marketer()
    page = Client()
    page.force_login(marketer)
    api = _api(marketer)

    def reads(queries: Any) -> int:
        """The queries that read records (not the session, the token, the rate limit's cache)."""
        return sum(1 for q in queries.captured_queries
                   if q["sql"].startswith("SELECT") and "clientela_cache" not in q["sql"]
                   and "apitoken" not in q["sql"] and "django_session" not in q["sql"])

    def counted() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as on_page:
            assert page.get("/playbooks/").status_code == 200
        with CaptureQueriesContext(connection) as on_api:
            assert api.get("/api/v1/playbooks").status_code == 200
        return reads(on_page), reads(on_api)

    for n in range(2):
        create_playbook(marketer, name=f"P{n}", definition=DEFINITION)
    few = counted()
    for n in range(2, 8):
        create_playbook(marketer, name=f"P{n}", definition=DEFINITION)
    assert counted() == few
