"""Run by the process tests as ``python db_script.py COMMAND …`` against the database of
CLIENTELA_DATABASE_URL (the file database the worker uses): seed a campaign, queue jobs,
render the jobs page as an administrator, print what the test checks as JSON."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, date, datetime


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    os.environ["CLIENTELA_DEMO"] = "1"
    import django

    django.setup()


def seed_send(members: int) -> dict[str, object]:
    """A campaign of ``members`` members, three in four with marketing consent; its send queued."""
    from clientela.crm.engagement.jobs import queue_send
    from clientela.crm.engagement.models import Campaign, CampaignMember
    from clientela.crm.parties.models import Consent, Party

    campaign = Campaign.objects.create(
        name="Big send", kind="retention", channel="email", message_channel="email",
        starts_on=date(2026, 12, 1), message_subject="Hello", message_body="Hello {{ name }}.")
    parties = Party.objects.bulk_create(
        Party(ref=f"K{i:05d}", name=f"Member {i}", email=f"k{i}@example.test", is_customer=True)
        for i in range(members))
    given = datetime(2026, 1, 1, tzinfo=UTC)
    Consent.objects.bulk_create(
        Consent(party=p, purpose="marketing", channel="email", lawful_basis="consent", source="test", given_at=given)
        for i, p in enumerate(parties) if i % 4 != 3)
    CampaignMember.objects.bulk_create(CampaignMember(campaign=campaign, party=p) for p in parties)
    job = queue_send(None, campaign)
    return {"campaign": campaign.pk, "job": job.pk,
            "consenting": [p.email for i, p in enumerate(parties) if i % 4 != 3]}


def queue_scoring() -> dict[str, object]:
    from clientela.crm.jobs.actions import enqueue_job
    from clientela.crm.scoring.models import ModelRun

    current = ModelRun.objects.get(is_current=True)
    job = enqueue_job(None, kind="scoring.run", params={"model": "bgnbd"}, label="Scoring run", subject="scoring")
    return {"job": job.pk, "current_run": current.pk, "scores": current.scores.count()}


def state() -> dict[str, object]:
    from django.db.models import Count

    from clientela.crm.engagement.models import CampaignMember
    from clientela.crm.jobs.models import Job
    from clientela.crm.scoring.models import ModelRun

    current = ModelRun.objects.filter(is_current=True).first()
    return {
        "jobs": list(Job.objects.order_by("pk").values("pk", "kind", "status", "attempts", "history", "last_error")),
        "members": dict(CampaignMember.objects.values("send_status").annotate(n=Count("pk"))
                        .values_list("send_status", "n")),
        "runs": list(ModelRun.objects.order_by("pk").values("pk", "status", "is_current", "error")),
        "current_run": current.pk if current else None,
        "current_scores": current.scores.count() if current else 0,
    }


def jobs_page() -> dict[str, object]:
    from django.test import Client

    from clientela.crm.accounts.models import User

    admin = User.objects.filter(username="jobs-admin").first() or User.objects.create_user(
        username="jobs-admin", password="pw-jobs-admin", role="admin")
    client = Client()
    client.force_login(admin)
    page = client.get("/jobs/", HTTP_ACCEPT_LANGUAGE="en")
    return {"status": page.status_code, "html": page.content.decode()}


if __name__ == "__main__":
    setup()
    command, *args = sys.argv[1:]
    out = {"seed-send": lambda: seed_send(int(args[0])), "queue-scoring": queue_scoring,
           "state": state, "jobs-page": jobs_page}[command]()
    print(json.dumps(out, default=str))
