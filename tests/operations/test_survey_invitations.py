"""Survey invitations as a job (issue 13): queued through the API and the CLI, consent
checked per party, each party invited at most once per survey however often the job runs,
an invitation a dead attempt left "sending" taken over, and one reminder after
``SURVEY_REMINDER_DAYS`` days. Mails go to a real SMTP server on loopback."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from clientela.cli.main import main
from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.accounts.models import User
from clientela.crm.audit.models import AuditEntry
from clientela.crm.feedback import actions as feedback
from clientela.crm.feedback.invitations import send_survey_reminders
from clientela.crm.feedback.models import Survey, SurveyInvitation
from clientela.crm.jobs.models import Job
from clientela.crm.jobs.schedules import tick, upcoming
from clientela.crm.parties.models import Consent, Party
from clientela_test_support import SmtpInbox
from jobs_in_process import run_jobs

pytestmark = pytest.mark.django_db

GIVEN = datetime(2026, 1, 1, tzinfo=UTC)


def _party(ref: str, *, email: str = "", surveys: bool = False) -> Party:
    party = Party.objects.create(ref=ref, name=f"Customer {ref}", email=email, is_customer=True)
    if surveys:
        Consent.objects.create(party=party, purpose="surveys", channel="email", given_at=GIVEN)
    return party


@pytest.fixture
def world() -> dict[str, Any]:
    survey = feedback.create_survey(None, name="NPS spring", kind="nps", question="Would you recommend us?")
    return {
        "survey": survey,
        "anna": _party("SI-A", email="anna@example.test", surveys=True),
        "bob": _party("SI-B", email="bob@example.test"),  # no surveys consent
        "carl": _party("SI-C", surveys=True),  # no address
        "dora": _party("SI-D", email="dora@example.test", surveys=True),
    }


class Api:
    def __init__(self, role: str) -> None:
        self.user = User.objects.create_user(username=f"u-{role}", password="pw", role=role)
        _, self.token = create_token(self.user, name="t")

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = Client().generic(method, path if path.startswith("/api/") else "/api/v1" + path,
                                    data=json.dumps(body) if body is not None else "",
                                    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {self.token}")
        response.data = json.loads(response.content) if response.content else None
        return response


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


def test_the_api_queues_invitations_and_each_party_is_invited_once(world: dict[str, Any], inbox: SmtpInbox) -> None:
    api = Api("marketer")
    survey, parties = world["survey"], [world[n] for n in ("anna", "bob", "carl")]
    path = f"/surveys/{survey.pk}/invitations"
    answer = api.call("POST", path, {"party_ids": [p.pk for p in parties], "subject": "Two minutes?"})
    assert answer.status_code == 202, answer.data
    assert answer["Location"] == f"/api/v1/jobs/{answer.data['id']}" and answer.data["kind"] == "survey.invite"
    assert inbox.messages == [] and not SurveyInvitation.objects.exists()  # the request only queued
    run_jobs()
    job = api.call("GET", answer["Location"]).data
    assert job["status"] == "succeeded" and job["progress_done"] == job["progress_total"] == 3
    assert job["result"] == {"sent": 1, "suppressed": 1, "failed": 1, "already_invited": 0}
    assert inbox.recipients == ["anna@example.test"]
    mail = inbox.to("anna@example.test")[0]
    assert mail["Subject"] == "Two minutes?" and mail["List-Unsubscribe"]
    assert "Would you recommend us?" in _body(mail) and "/s/" in _body(mail)
    statuses = dict(SurveyInvitation.objects.values_list("party__ref", "send_status"))
    assert statuses == {"SI-A": "sent", "SI-B": "suppressed", "SI-C": "failed"}
    # Invited again (another request, with one party more): nobody invited twice.
    again = api.call("POST", path, {"party_ids": [p.pk for p in [*parties, world["dora"]]]})
    run_jobs()
    assert api.call("GET", again["Location"]).data["result"] == {
        "sent": 1, "suppressed": 0, "failed": 0, "already_invited": 3}
    assert inbox.recipients == ["anna@example.test", "dora@example.test"]
    assert SurveyInvitation.objects.count() == 4
    # Audited: who queued it, and each invitation.
    def audited(**where: Any) -> set[str]:
        return set(AuditEntry.objects.filter(actor=api.user, **where).values_list("object_id", flat=True))

    assert len(audited(entity="job", action="create")) == 2
    assert audited(entity="survey", action="update") == {str(survey.pk)}
    invitations = {str(pk) for pk in SurveyInvitation.objects.values_list("pk", flat=True)}
    assert audited(action="create").issuperset(invitations)  # each invitation, by the asker


def test_a_job_run_twice_and_a_dead_attempts_claim(world: dict[str, Any], inbox: SmtpInbox) -> None:
    from clientela.crm.feedback.invitations import invite_job
    from clientela.crm.jobs.runner import JobContext

    survey, anna, dora = world["survey"], world["anna"], world["dora"]
    # A killed attempt left Dora's invitation claimed ("sending") but never sent, long ago.
    dead = feedback.invite(None, survey, dora)
    SurveyInvitation.objects.filter(pk=dead.pk).update(
        send_status="sending", created_at=timezone.now() - timedelta(hours=2))
    api = Api("admin")
    queued = api.call("POST", f"/surveys/{survey.pk}/invitations", {"party_ids": [anna.pk, dora.pk]})
    job = Job.objects.get(pk=queued.data["id"])
    run_jobs()
    assert sorted(inbox.recipients) == ["anna@example.test", "dora@example.test"]
    # The same job's handler run again (a retry after the first attempt's end was lost).
    result = invite_job(JobContext(job_id=job.pk, attempt=2, params=job.params), **job.params)
    assert result == {"sent": 0, "suppressed": 0, "failed": 0, "already_invited": 2}
    assert len(inbox.messages) == 2
    assert SurveyInvitation.objects.filter(survey=survey).count() == 2


def test_bad_requests_name_the_field_and_queue_nothing(world: dict[str, Any]) -> None:
    api = Api("marketer")
    survey = world["survey"]
    path = f"/surveys/{survey.pk}/invitations"
    unknown = api.call("POST", path, {"party_ids": [world["anna"].pk, 999_999]})
    assert unknown.status_code == 422 and "party_ids" in unknown.data["errors"]
    neither = api.call("POST", path, {})
    assert neither.status_code == 422 and "parties" in neither.data["errors"]
    header = api.call("POST", path, {"party_ids": [world["anna"].pk], "subject": "Hi\nBcc: x@example.test"})
    assert header.status_code == 422 and "subject" in header.data["errors"]
    no_gateway = api.call("POST", path, {"party_ids": [world["anna"].pk], "channel": "sms"})
    assert no_gateway.status_code == 422 and "channel" in no_gateway.data["errors"]
    no_segment = api.call("POST", path, {"segment_id": 999_999})
    assert no_segment.status_code == 422 and "segment_id" in no_segment.data["errors"]
    Survey.objects.filter(pk=survey.pk).update(is_active=False)
    inactive = api.call("POST", path, {"party_ids": [world["anna"].pk]})
    assert inactive.status_code == 422 and "survey" in inactive.data["errors"]
    assert Api("sales_rep").call("POST", path, {"party_ids": [world["anna"].pk]}).status_code == 403
    assert not Job.objects.exists() and not SurveyInvitation.objects.exists()


def test_one_reminder_after_the_configured_days(world: dict[str, Any], inbox: SmtpInbox, settings: Any) -> None:
    settings.SURVEY_REMINDER_DAYS = 7
    survey, anna, dora, bob = world["survey"], world["anna"], world["dora"], world["bob"]
    Api("admin").call("POST", f"/surveys/{survey.pk}/invitations", {"party_ids": [anna.pk, dora.pk, bob.pk]})
    run_jobs()
    assert len(inbox.messages) == 2
    # Dora answers through her link; Anna does not.
    dora_invitation = SurveyInvitation.objects.get(party=dora)
    feedback.answer(feedback.invitation_token(dora_invitation), score=9)
    now = timezone.now()
    assert send_survey_reminders(None, now + timedelta(days=6)) == {"reminded": 0, "suppressed": 0, "failed": 0}
    # The schedule fires once the clock has moved on (a test moving the clock), reminding Anna only.
    later = now + timedelta(days=8)
    started = [j for j in tick(later) if j.params["name"] == "survey-reminders"] or \
        [j for j in tick(later + timedelta(hours=2)) if j.params["name"] == "survey-reminders"]
    assert started, [u.schedule.name for u in upcoming(later)]
    run_jobs()
    reminders = [m for _rcpt, m in inbox.messages[2:]]
    assert [m["To"] for m in reminders] == ["anna@example.test"]
    assert reminders[0]["Subject"] == "Reminder: NPS spring" and "/s/" in _body(reminders[0])
    assert SurveyInvitation.objects.get(party=anna).reminded_at is not None
    # Never a second reminder.
    assert send_survey_reminders(None, now + timedelta(days=30))["reminded"] == 0
    assert len(inbox.messages) == 3


def test_the_cli_invites_and_refuses_bad_input(world: dict[str, Any], inbox: SmtpInbox) -> None:
    runner = CliRunner()
    survey = world["survey"]
    done = runner.invoke(main, ["survey", "invite", str(survey.pk), "--party", "SI-A", "--party", "SI-B"])
    assert done.exit_code == 0, done.output
    assert "Invited 1; suppressed for lack of consent 1; failed 0; invited before 0." in done.output
    assert inbox.recipients == ["anna@example.test"]
    assert Job.objects.get(kind="survey.invite").status == "succeeded"  # on the jobs page
    listing = runner.invoke(main, ["survey", "list"])
    assert listing.exit_code == 0 and "NPS spring" in listing.output
    queued = runner.invoke(main, ["survey", "invite", str(survey.pk), "--party", "SI-D", "--queue"])
    assert queued.exit_code == 0 and "queued as job" in queued.output and len(inbox.messages) == 1
    for args, message in (
        (["999999", "--party", "SI-A"], "no survey 999999"),
        ([str(survey.pk), "--party", "NOPE"], "no party 'NOPE'"),
        ([str(survey.pk)], "--party REF"),
        ([str(survey.pk), "--segment", "999"], "no segment 999"),
        ([str(survey.pk), "--party", "SI-A", "--channel", "sms"], "channel"),
    ):
        refused = runner.invoke(main, ["survey", "invite", *args])
        assert refused.exit_code != 0 and message in refused.output, (args, refused.output)


def test_the_feedback_page_invites_a_segment(world: dict[str, Any], inbox: SmtpInbox) -> None:
    from decimal import Decimal

    from clientela.crm.engagement.actions import create_segment
    from clientela.crm.scoring.models import CustomerScore, ModelRun

    run = ModelRun.objects.create(started_at=GIVEN, status="succeeded", is_current=True, model_name="bgnbd",
                                  observation_end=GIVEN.date())
    for name, stage in (("anna", "client"), ("bob", "client"), ("dora", "customer")):
        CustomerScore.objects.create(run=run, party=world[name], p_alive=0.7, churn_risk=0.3, clv=Decimal("1"),
                                     expected_spend=Decimal("1"), revenue=Decimal("1"),
                                     net_contribution=Decimal("1"), ladder_stage=stage, next_best_action="develop")
    marketer = User.objects.create_user(username="mia", password="pw", role="marketer")
    segment = create_segment(marketer, {"name": "Clients", "definition": {"ladder_stages": ["client"]}})
    c = Client()
    c.force_login(marketer)
    page = c.get("/feedback/").content.decode()
    assert 'data-testid="survey-invite"' in page and "Clients" in page
    answer = c.post("/feedback/invite/", {"survey": world["survey"].pk, "segment": segment.pk, "channel": "email"})
    assert answer.status_code == 302 and "invited=" in answer["Location"]
    assert 'data-testid="invite-queued"' in c.get(answer["Location"]).content.decode()
    run_jobs()
    assert inbox.recipients == ["anna@example.test"]  # Bob has no surveys consent; Dora is not a client
    invited = Job.objects.get(kind="survey.invite")
    assert invited.result["suppressed"] == 1 and invited.progress_done == invited.progress_total == 2
    refused = c.post("/feedback/invite/", {"survey": world["survey"].pk, "segment": 999999})
    assert "invite_error=segment" in refused["Location"]
    assert 'data-testid="invite-error"' in c.get(refused["Location"]).content.decode()
    analyst = Client()
    analyst.force_login(User.objects.create_user(username="ana", password="pw", role="analyst"))
    assert 'data-testid="survey-invite"' not in analyst.get("/feedback/").content.decode()
    assert analyst.post("/feedback/invite/", {"survey": world["survey"].pk, "segment": segment.pk}).status_code == 403


def test_the_survey_page_invites_a_segment_to_that_survey(world: dict[str, Any]) -> None:
    from clientela.crm.engagement.actions import create_segment

    marketer = User.objects.create_user(username="mio", password="pw", role="marketer")
    segment = create_segment(marketer, {"name": "Clients", "definition": {"ladder_stages": ["client"]}})
    c = Client()
    c.force_login(marketer)
    survey = world["survey"]
    page = c.get(f"/surveys/{survey.pk}/").content.decode()
    assert 'data-testid="survey-invite"' in page and 'data-testid="invite-survey"' not in page  # this survey
    answer = c.post("/feedback/invite/", {"survey": survey.pk, "segment": segment.pk, "back": "survey"})
    assert answer.status_code == 302 and answer["Location"].startswith(f"/surveys/{survey.pk}/?invited=")
    assert Job.objects.get(kind="survey.invite").params["segment_id"] == segment.pk
    assert 'data-testid="invite-queued"' in c.get(answer["Location"]).content.decode()
