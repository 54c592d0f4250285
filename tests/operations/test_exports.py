"""Exports from the API and the exports page (issue 13): up to ``EXPORT_JOB_ROWS`` rows the
file is written in the request, more by the ``export.csv`` job with progress; the file is
kept in the database for the user who asked (and administrators), holds only the rows that
user may see, formula-safe, and is deleted by the purge-exports schedule when it expires
(and by an erasure, since it may list the person)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import Team, User
from clientela.crm.exports.models import ExportChunk, ExportFile
from clientela.crm.jobs.models import Job
from clientela.crm.jobs.schedules import tick
from clientela.crm.parties.models import Party
from jobs_in_process import run_jobs

pytestmark = pytest.mark.django_db


def _user(name: str, role: str, team: Team | None = None) -> User:
    return User.objects.create_user(username=name, password="pw", role=role, team=team)


class Api:
    def __init__(self, user: User) -> None:
        _, self.token = create_token(user, name="t")

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = Client().generic(method, path if path.startswith("/api/") else "/api/v1" + path,
                                    data=json.dumps(body) if body is not None else "",
                                    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {self.token}")
        if response.streaming:
            response.csv = b"".join(response.streaming_content).decode("utf-8")
        else:
            response.data = json.loads(response.content) if response.content else None
        return response


@pytest.fixture
def world() -> dict[str, Any]:
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
    boss = _user("boss", "manager", north)
    other = _user("other", "manager", south)
    for i in range(5):
        Party.objects.create(ref=f"EX-{i}", name=f"Customer {i}", is_customer=True, team=north, owner=boss)
    Party.objects.create(ref="EX-F", name="=HYPERLINK(\"http://x.test\")", is_customer=True, team=south, owner=other)
    return {"north": north, "south": south, "boss": boss, "other": other,
            "admin": _user("root", "admin"), "analyst": _user("ana", "analyst")}


def _refs(text: str) -> list[str]:
    return [row["customer_ref"] for row in csv.DictReader(io.StringIO(text))]


def test_a_small_export_is_written_at_once(world: dict[str, Any], settings: Any) -> None:
    settings.EXPORT_JOB_ROWS = 100
    api = Api(world["analyst"])
    made = api.call("POST", "/exports", {"kind": "customers"})
    assert made.status_code == 201, made.data
    assert made["Location"] == f"/api/v1/exports/{made.data['id']}" and made.data["status"] == "ready"
    assert made.data["rows"] == 6 and not Job.objects.filter(kind="export.csv").exists()
    got = api.call("GET", made.data["file_url"])
    assert got.status_code == 200 and got["Content-Type"].startswith("text/csv")
    assert sorted(_refs(got.csv)) == ["EX-0", "EX-1", "EX-2", "EX-3", "EX-4", "EX-F"]
    assert "'=HYPERLINK" in got.csv  # formula-safe, as clientela export
    assert got.csv.endswith("\r\n") and made.data["size"] == len(got.csv.encode("utf-8"))
    bad = api.call("POST", "/exports", {"kind": "passwords"})
    assert bad.status_code == 422
    assert Api(_user("rep", "sales_rep")).call("POST", "/exports", {"kind": "customers"}).status_code == 403


def test_a_large_export_is_a_job_and_only_its_owner_and_admins_fetch_it(world: dict[str, Any], settings: Any) -> None:
    settings.EXPORT_JOB_ROWS = 2
    boss = Api(world["boss"])
    made = boss.call("POST", "/exports", {"kind": "customers"})
    assert made.status_code == 202, made.data
    job_path = made["Location"]
    assert job_path == f"/api/v1/jobs/{made.data['job_id']}" and made.data["status"] == "pending"
    export_path = f"/exports/{made.data['id']}"
    assert boss.call("GET", export_path + "/file").status_code == 409  # not written yet
    run_jobs()
    job = boss.call("GET", job_path).data
    assert job["status"] == "succeeded" and job["progress_done"] == job["progress_total"] == 5
    assert job["result_url"] == f"/api/v1{export_path}/file"
    text = boss.call("GET", job["result_url"]).csv
    assert sorted(_refs(text)) == ["EX-0", "EX-1", "EX-2", "EX-3", "EX-4"]  # the manager's team only
    assert Api(world["other"]).call("GET", export_path + "/file").status_code == 404
    assert Api(world["other"]).call("GET", export_path).status_code == 404
    assert Api(world["analyst"]).call("GET", export_path + "/file").status_code == 404
    assert Api(world["admin"]).call("GET", export_path + "/file").csv == text
    assert ExportChunk.objects.filter(export_id=made.data["id"]).exists()  # kept in the database


def test_the_exports_page(world: dict[str, Any], settings: Any) -> None:
    c = Client()
    c.force_login(world["analyst"])
    settings.EXPORT_JOB_ROWS = 100
    small = c.post("/exports/", {"kind": "customers"})
    assert small.status_code == 302 and small["Location"].endswith("/download/")
    download = c.get(small["Location"])
    body = b"".join(download.streaming_content).decode("utf-8")
    assert download["Content-Disposition"].startswith('attachment; filename="clientela-customers-')
    assert len(_refs(body)) == 6
    settings.EXPORT_JOB_ROWS = 2
    large = c.post("/exports/", {"kind": "customers"})
    assert large.status_code == 302 and "started=" in large["Location"]
    page = c.get(large["Location"]).content.decode()
    assert 'data-testid="export-started"' in page and 'data-testid="exports-in-progress"' in page
    run_jobs()
    page = c.get("/exports/").content.decode()
    assert 'data-testid="exports-in-progress"' not in page and page.count('data-testid="export-download"') == 2
    export = ExportFile.objects.order_by("-id").first()
    other = Client()
    other.force_login(world["boss"])
    assert other.get(f"/exports/{export.pk}/download/").status_code == 404
    refused = Client()
    refused.force_login(_user("agent", "service_agent"))
    assert refused.get("/exports/").status_code == 403
    nothing = c.post("/exports/", {"kind": "scores"})  # no scoring run yet
    assert nothing.status_code == 422 and 'data-testid="export-error"' in nothing.content.decode()
    jobs_page = Client()
    jobs_page.force_login(world["admin"])
    assert "Export" in jobs_page.get("/jobs/").content.decode()


def test_expired_exports_are_purged_by_the_schedule_and_erasure_deletes_them(
    world: dict[str, Any], settings: Any
) -> None:
    from clientela.crm.privacy.actions import erase_party

    settings.EXPORT_JOB_ROWS, settings.EXPORT_KEEP_DAYS = 100, 7
    api = Api(world["analyst"])
    first = api.call("POST", "/exports", {"kind": "customers"}).data
    later = timezone.now() + timedelta(days=8)
    fired = [j for j in tick(later) if j.params["name"] == "purge-exports"] or \
        [j for j in tick(later + timedelta(hours=2)) if j.params["name"] == "purge-exports"]
    assert fired
    run_jobs()
    assert not ExportFile.objects.filter(pk=first["id"]).exists()
    assert not ExportChunk.objects.exists()
    assert api.call("GET", f"/exports/{first['id']}").status_code == 404
    api.call("POST", "/exports", {"kind": "customers"})
    erase_party(world["admin"], Party.objects.get(ref="EX-0"))
    assert not ExportFile.objects.exists()
