"""Authorization-matrix rows for the operational resources (sales, tasks, service,
feedback, loyalty, campaign sending), for ``test_authorization_matrix.py`` to merge:

    from .matrix_operations import (EXPECTATIONS_OPERATIONS, PATH_VALUES_OPERATIONS,
                                    BODIES_OPERATIONS, add_operation_records)
    EXPECTATIONS |= EXPECTATIONS_OPERATIONS; PATH_VALUES |= PATH_VALUES_OPERATIONS
    BODIES |= BODIES_OPERATIONS; and call add_operation_records(world) after build_world().

Each owner's Records gets a deal, a case, a task (assigned to the owner), a survey
response and a loyalty account on the owner's party; the world gets shared pipelines
(``pipeline`` with deals, ``spare_pipeline`` without), a survey with responses and a
spare one, and a loyalty programme. Rows read like the main table: admin | manager |
sales_rep | service_agent | marketer | analyst | read_only, owner self, teammate, other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from clientela.crm.experiments.assignment import experiment_for
from clientela.crm.exports.models import ExportFile
from clientela.crm.feedback import actions as feedback
from clientela.crm.jobs.actions import enqueue_job
from clientela.crm.loyalty import actions as loyalty
from clientela.crm.playbooks import actions as playbooks
from clientela.crm.sales import actions as sales
from clientela.crm.service import actions as service
from clientela.crm.tasks import actions as tasks
from clientela.crm.voice.models import AnswerTheme, Theme
from clientela.crm.webhooks import actions as webhooks


def add_operation_records(world: Any) -> None:
    lead = sales.StageSpec("Lead", Decimal("0.2"))
    won = sales.StageSpec("Won", Decimal("1"), is_won=True)
    world.pipeline = sales.create_pipeline(None, "Main", [lead, won])
    world.spare_pipeline = sales.create_pipeline(None, "Spare", [lead, won])
    world.spare_stage = sales.add_stage(None, world.spare_pipeline, name="Unused", win_probability=Decimal("0.5"))
    world.survey = feedback.create_survey(None, name="NPS", kind="nps", question="Recommend us?")
    world.spare_survey = feedback.create_survey(None, name="Spare", kind="csat", question="Happy?")
    world.programme = loyalty.create_programme(None, name="Club")
    world.spare_programme = loyalty.create_programme(None, name="Spare club")  # nobody joined: deletable
    world.tier = loyalty.add_tier(None, world.spare_programme, name="Silver", threshold=500)
    world.theme = Theme.objects.create(language="en", name="late delivery", terms=["late", "delivery"])
    world.spare_theme = Theme.objects.create(language="en", name="slow courier", terms=["slow", "courier"])
    world.experiment = experiment_for("campaign", world.campaign.pk, user=None, name="Campaign", seed=1)
    done: dict[int, Any] = {}
    for records in world.records.values():
        if id(records) in done:
            continue
        done[id(records)] = records
        owner, party = records.owner, records.party
        records.deal = sales.create_deal(None, party=party, name="Deal", pipeline=world.pipeline, owner=owner)
        records.case = service.open_case(None, party=party, subject="Case", owner=owner)
        records.task = tasks.create_task(None, title="Task", assignee=owner, party=party)
        records.response = feedback.record_response(None, survey=world.survey, party=party, score=8,
                                                     comment="The delivery was late")
        AnswerTheme.objects.create(response=records.response, theme=world.theme)
        records.account = loyalty.open_account(None, party, world.programme)
        loyalty.earn(None, records.account, 100)
        records.job = enqueue_job(owner, kind="privacy.erase", params={"party_id": party.pk},
                                  label=f"Erase party {party.pk}", subject=f"party:{party.pk}")
        records.export = ExportFile.objects.create(kind="customers", status="ready", created_by=owner,
                                                   created_at=timezone.now(),
                                                   expires_at=timezone.now() + timedelta(days=1))
        records.file_import = _draft_import(owner)
    # A webhook subscription (administrators only) with one delivery in its log.
    world.webhook = webhooks.create_subscription(None, name="Hook", url="https://hooks.example.com/in",
                                                 event_types=["webhook.test"])
    world.webhook_delivery = webhooks.send_test_event(None, world.webhook)
    # A playbook (admin and marketer build them; manager and analyst read them).
    world.playbook = playbooks.create_playbook(None, name="Welcome", definition={
        "trigger": {"kind": "first_order"}, "actions": [{"kind": "tag", "tag": "welcome"}]})


def _draft_import(owner: Any) -> Any:
    """An import its owner is preparing (a valid customers file, mapped)."""
    from django.utils import timezone

    from clientela.crm.imports.models import FileImport

    data = b"customer_ref,name\nIMP-1,Imported\n"
    return FileImport.objects.create(
        created_by=owner, created_at=timezone.now(), file_name="c.csv", file_size=len(data), file_format="csv",
        sha256="0" * 64, data=data, kind="customers", encoding="utf-8", delimiter=",",
        mapping={"customer_ref": "customer_ref", "name": "name"})


PATH_VALUES_OPERATIONS: dict[str, Callable[[Any, Any], int]] = {
    "import_id": lambda w, r: r.file_import.pk,
    "experiment_id": lambda w, r: w.experiment.pk,
    "pipeline_id": lambda w, r: w.spare_pipeline.pk,
    "stage_id": lambda w, r: w.spare_stage.pk,
    "deal_id": lambda w, r: r.deal.pk,
    "task_id": lambda w, r: r.task.pk,
    "case_id": lambda w, r: r.case.pk,
    "survey_id": lambda w, r: w.spare_survey.pk,
    "response_id": lambda w, r: r.response.pk,
    "account_id": lambda w, r: r.account.pk,
    "job_id": lambda w, r: r.job.pk,
    "export_id": lambda w, r: r.export.pk,
    "programme_id": lambda w, r: w.spare_programme.pk,
    "tier_id": lambda w, r: w.tier.pk,
    "theme_id": lambda w, r: w.theme.pk,
    "subscription_id": lambda w, r: w.webhook.pk,
    "delivery_id": lambda w, r: w.webhook_delivery.pk,
    "playbook_id": lambda w, r: w.playbook.pk,
    "party_id": lambda w, r: r.party.pk,  # a customer's playbook history
}

BODIES_OPERATIONS: dict[tuple[str, str], Callable[[Any, Any], dict[str, Any]]] = {
    ("PATCH", "/api/v1/imports/{import_id}"): lambda w, r: {"create_missing": True},
    ("POST", "/api/v1/pipelines"): lambda w, r: {
        "name": "New", "stages": [{"name": "Lead", "win_probability": "0.1"}]},
    ("PATCH", "/api/v1/pipelines/{pipeline_id}"): lambda w, r: {"name": "Renamed"},
    ("POST", "/api/v1/pipelines/{pipeline_id}/stages"): lambda w, r: {"name": "Extra", "win_probability": "0.3"},
    ("PATCH", "/api/v1/stages/{stage_id}"): lambda w, r: {"win_probability": "0.4"},
    ("POST", "/api/v1/deals"): lambda w, r: {
        "party_id": r.party.pk, "pipeline_id": w.pipeline.pk, "name": "New deal",
        "owner_id": r.owner.pk, "team_id": r.owner.team_id},
    ("PATCH", "/api/v1/deals/{deal_id}"): lambda w, r: {"amount": "10.00"},
    ("POST", "/api/v1/tasks"): lambda w, r: {"title": "New task", "party_id": r.party.pk},
    ("PATCH", "/api/v1/tasks/{task_id}"): lambda w, r: {"status": "done"},
    ("POST", "/api/v1/cases"): lambda w, r: {
        "party_id": r.party.pk, "subject": "New case", "owner_id": r.owner.pk, "team_id": r.owner.team_id},
    ("PATCH", "/api/v1/cases/{case_id}"): lambda w, r: {"priority": "high"},
    ("POST", "/api/v1/surveys"): lambda w, r: {"name": "New", "kind": "nps", "question": "Q?"},
    ("PATCH", "/api/v1/surveys/{survey_id}"): lambda w, r: {"is_active": False},
    ("POST", "/api/v1/survey-responses"): lambda w, r: {
        "survey_id": w.survey.pk, "party_id": r.party.pk, "score": 9},
    ("POST", "/api/v1/loyalty-accounts"): lambda w, r: {"party_id": r.party2.pk, "programme_id": w.programme.pk},
    ("POST", "/api/v1/loyalty-accounts/{account_id}/entries"): lambda w, r: {"kind": "earn", "points": 5},
    ("POST", "/api/v1/campaigns/{campaign_id}/send"): lambda w, r: {},
    ("POST", "/api/v1/campaigns/{campaign_id}/stop"): lambda w, r: {},
    ("POST", "/api/v1/surveys/{survey_id}/invitations"): lambda w, r: {"party_ids": [r.party.pk]},
    ("POST", "/api/v1/exports"): lambda w, r: {"kind": "customers"},
    ("POST", "/api/v1/loyalty-programmes"): lambda w, r: {"name": "New club", "points_per_unit": "2"},
    ("PATCH", "/api/v1/loyalty-programmes/{programme_id}"): lambda w, r: {"points_per_unit": "1.5"},
    ("POST", "/api/v1/loyalty-programmes/{programme_id}/tiers"): lambda w, r: {"name": "Gold", "threshold": "1000"},
    ("PATCH", "/api/v1/loyalty-tiers/{tier_id}"): lambda w, r: {"benefits": "Free shipping"},
    ("PATCH", "/api/v1/feedback-themes/{theme_id}"): lambda w, r: {"name": "Late parcels", "pinned": True},
    ("POST", "/api/v1/feedback-themes/{theme_id}/merge"): lambda w, r: {"into_id": w.spare_theme.pk},
    ("PUT", "/api/v1/holdout"): lambda w, r: {"enabled": False, "share": 0.05},
    ("POST", "/api/v1/webhooks/subscriptions"): lambda w, r: {
        "name": "New", "url": "https://hooks.example.com/new", "event_types": ["order.created"]},
    ("PATCH", "/api/v1/webhooks/subscriptions/{subscription_id}"): lambda w, r: {"active": False},
    ("POST", "/api/v1/playbooks"): lambda w, r: {
        "name": "New", "trigger": {"kind": "first_order"}, "actions": [{"kind": "tag", "tag": "new"}]},
    ("PATCH", "/api/v1/playbooks/{playbook_id}"): lambda w, r: {"enabled": True},
    ("POST", "/api/v1/playbooks/{playbook_id}/dry-run"): lambda w, r: {},
}

# Playbooks: admin and marketer build them, manager and analyst read them, others do not see them.
PLAYBOOK_LIST = "ok ok ok|ok ok ok|403 403 403|403 403 403|ok ok ok|ok ok ok|403 403 403"
PLAYBOOK_CREATE = "ok ok ok|403 403 403|403 403 403|403 403 403|ok ok ok|403 403 403|403 403 403"
PLAYBOOK_VIEW = "ok ok ok|ok ok ok|404 404 404|404 404 404|ok ok ok|ok ok ok|404 404 404"
PLAYBOOK_UPDATE = "ok ok ok|403 403 403|404 404 404|404 404 404|ok ok ok|403 403 403|404 404 404"
# A customer's playbook history: the party's scope first, then the right to read playbooks.
PLAYBOOK_HISTORY = "ok ok ok|ok ok 404|403 404 404|403 403 404|ok ok ok|ok ok ok|403 403 404"
WEBHOOKS = "ok ok ok|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403"
# Shared configuration: pipelines (view: all but service agents and marketers; write: admin).
PIPELINE_VIEW = "ok ok ok|ok ok ok|ok ok ok|404 404 404|404 404 404|ok ok ok|ok ok ok"
PIPELINE_LIST = "ok ok ok|ok ok ok|ok ok ok|403 403 403|403 403 403|ok ok ok|ok ok ok"
PIPELINE_WRITE = "ok ok ok|403 403 403|403 403 403|404 404 404|404 404 404|403 403 403|403 403 403"
PIPELINE_CREATE = "ok ok ok|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403"
# Deals: scoped (sales_rep own, manager/read_only team, admin/analyst all).
DEAL_LIST = "ok ok ok|ok ok ok|ok ok ok|403 403 403|403 403 403|ok ok ok|ok ok ok"
DEAL_VIEW = "ok ok ok|ok ok 404|ok 404 404|404 404 404|404 404 404|ok ok ok|ok ok 404"
DEAL_UPDATE = "ok ok ok|ok ok 404|ok 404 404|404 404 404|404 404 404|403 403 403|403 403 404"
# Creating on a party: 404 when the party is out of scope or the role cannot see the entity at all.
DEAL_CREATE = "ok ok ok|ok ok 404|ok 404 404|404 404 404|404 404 404|403 403 403|403 403 404"
DEAL_DELETE = "ok ok ok|ok ok 404|403 404 404|404 404 404|404 404 404|403 403 403|403 403 404"
# Tasks follow their assignee (the owner); no role but admin/analyst sees other teams'.
TASK_LIST = "ok ok ok|ok ok ok|ok ok ok|ok ok ok|403 403 403|ok ok ok|ok ok ok"
TASK_VIEW = "ok ok ok|ok ok 404|ok 404 404|ok ok 404|404 404 404|ok ok ok|ok ok 404"
TASK_WRITE = "ok ok ok|ok ok 404|ok 404 404|ok ok 404|404 404 404|403 403 403|403 403 404"
TASK_CREATE = "ok ok ok|ok ok 404|ok 404 404|ok ok 404|403 403 403|403 403 403|403 403 403"
# Cases: scoped; service agents write, sales reps read.
CASE_LIST = "ok ok ok|ok ok ok|ok ok ok|ok ok ok|403 403 403|ok ok ok|ok ok ok"
CASE_VIEW = "ok ok ok|ok ok 404|ok 404 404|ok ok 404|404 404 404|ok ok ok|ok ok 404"
CASE_UPDATE = "ok ok ok|ok ok 404|403 404 404|ok ok 404|404 404 404|403 403 403|403 403 404"
CASE_CREATE = "ok ok ok|ok ok 404|403 404 404|ok ok 404|404 404 404|403 403 403|403 403 404"
CASE_DELETE = "ok ok ok|ok ok 404|403 404 404|403 403 404|404 404 404|403 403 403|403 403 404"
# Surveys: shared; marketers write.
SURVEY_LIST = "ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|403 403 403"
SURVEY_VIEW = "ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|404 404 404"
SURVEY_WRITE = "ok ok ok|403 403 403|403 403 403|403 403 403|ok ok ok|403 403 403|404 404 404"
SURVEY_CREATE = "ok ok ok|403 403 403|403 403 403|403 403 403|ok ok ok|403 403 403|403 403 403"
# Responses follow their party's scope.
RESPONSE_LIST = "ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|403 403 403"
RESPONSE_VIEW = "ok ok ok|ok ok 404|ok 404 404|ok ok 404|ok ok ok|ok ok ok|404 404 404"
RESPONSE_CREATE = "ok ok ok|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403"
RESPONSE_DELETE = "ok ok ok|403 403 404|403 404 404|403 403 404|403 403 403|403 403 403|404 404 404"
# Loyalty accounts follow their party's scope; entries are posted by admin, manager, service agent.
ACCOUNT_LIST = "ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|403 403 403"
ACCOUNT_VIEW = "ok ok ok|ok ok 404|ok 404 404|ok ok 404|ok ok ok|ok ok ok|404 404 404"
ACCOUNT_CREATE = "ok ok ok|ok ok 404|403 404 404|403 403 404|403 403 403|403 403 403|404 404 404"
ENTRY_POST = "ok ok ok|ok ok 404|403 404 404|ok ok 404|403 403 403|403 403 403|404 404 404"
# Loyalty configuration (programmes with their earn rule, tiers): read by those who see
# accounts; created and changed by admin and marketer; deleted by admin (the page's rules).
PROGRAMME_VIEW = "ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|404 404 404"
PROGRAMME_CREATE = "ok ok ok|403 403 403|403 403 403|403 403 403|ok ok ok|403 403 403|403 403 403"
PROGRAMME_WRITE = "ok ok ok|403 403 403|403 403 403|403 403 403|ok ok ok|403 403 403|404 404 404"
PROGRAMME_DELETE = "ok ok ok|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403|404 404 404"
# Feedback themes: read with the survey answers, shaped by those who may change surveys.
THEME_LIST = RESPONSE_LIST
THEME_VIEW = "ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|ok ok ok|404 404 404"
THEME_WRITE = SURVEY_WRITE
THEME_REFRESH = SURVEY_CREATE
# Campaign sending: the campaign's own rules (members' view for deliveries).
DELIVERIES = "ok ok ok|ok ok ok|ok ok ok|404 404 404|ok ok ok|ok ok ok|ok ok ok"
SEND = "ok ok ok|403 403 403|403 403 403|404 404 404|ok ok ok|403 403 403|403 403 403"
# Experiments follow the campaigns' rules: seen by who sees campaigns; the global holdout is
# set by who may update campaigns (a rule, no record: 403).
EXPERIMENT_LIST = "ok ok ok|ok ok ok|ok ok ok|403 403 403|ok ok ok|ok ok ok|ok ok ok"
EXPERIMENT_VIEW = "ok ok ok|ok ok ok|ok ok ok|404 404 404|ok ok ok|ok ok ok|ok ok ok"
HOLDOUT_SET = "ok ok ok|403 403 403|403 403 403|403 403 403|ok ok ok|403 403 403|403 403 403"
# Invitations: to write the survey, and to see the party invited (422 naming it otherwise).
INVITE = "ok ok ok|403 403 403|403 403 403|403 403 403|ok ok ok|403 403 403|404 404 404"
# Exports: the export capability to ask; the file for the one who asked and administrators.
EXPORT_CREATE = "ok ok ok|ok ok ok|403 403 403|403 403 403|ok ok ok|ok ok ok|403 403 403"
EXPORT_VIEW = "ok ok ok|ok 404 404|ok 404 404|ok 404 404|ok 404 404|ok 404 404|ok 404 404"
# Jobs: the user who asked for one sees it; administrators and managers see every job.
JOB_VIEW = "ok ok ok|ok ok ok|ok 404 404|ok 404 404|ok 404 404|ok 404 404|ok 404 404"
IMPORT_UPLOAD = "422 422 422|422 422 422|403 403 403|403 403 403|422 422 422|403 403 403|403 403 403"
IMPORT_DRAFT = "ok 404 404|ok 404 404|403 403 403|403 403 403|ok 404 404|403 403 403|403 403 403"
IMPORT_FILE = "422 404 404|422 404 404|403 403 403|403 403 403|422 404 404|403 403 403|403 403 403"
IMPORT_UNDO = "409 404 404|409 404 404|403 403 403|403 403 403|409 404 404|403 403 403|403 403 403"

EXPECTATIONS_OPERATIONS: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/pipelines"): PIPELINE_LIST,
    ("POST", "/api/v1/pipelines"): PIPELINE_CREATE,
    ("GET", "/api/v1/pipelines/{pipeline_id}"): PIPELINE_VIEW,
    ("PATCH", "/api/v1/pipelines/{pipeline_id}"): PIPELINE_WRITE,
    ("DELETE", "/api/v1/pipelines/{pipeline_id}"): PIPELINE_WRITE,
    ("POST", "/api/v1/pipelines/{pipeline_id}/stages"): PIPELINE_WRITE,
    ("GET", "/api/v1/stages/{stage_id}"): PIPELINE_VIEW,
    ("PATCH", "/api/v1/stages/{stage_id}"): PIPELINE_WRITE,
    ("DELETE", "/api/v1/stages/{stage_id}"): PIPELINE_WRITE,
    ("GET", "/api/v1/pipelines/{pipeline_id}/funnel"): PIPELINE_VIEW,
    ("GET", "/api/v1/pipelines/{pipeline_id}/velocity"): PIPELINE_VIEW,
    ("GET", "/api/v1/deals"): DEAL_LIST,
    ("POST", "/api/v1/deals"): DEAL_CREATE,
    ("GET", "/api/v1/deals/{deal_id}"): DEAL_VIEW,
    ("PATCH", "/api/v1/deals/{deal_id}"): DEAL_UPDATE,
    ("DELETE", "/api/v1/deals/{deal_id}"): DEAL_DELETE,
    ("GET", "/api/v1/tasks"): TASK_LIST,
    ("POST", "/api/v1/tasks"): TASK_CREATE,
    ("GET", "/api/v1/tasks/{task_id}"): TASK_VIEW,
    ("PATCH", "/api/v1/tasks/{task_id}"): TASK_WRITE,
    ("DELETE", "/api/v1/tasks/{task_id}"): TASK_WRITE,
    ("GET", "/api/v1/cases"): CASE_LIST,
    ("POST", "/api/v1/cases"): CASE_CREATE,
    ("GET", "/api/v1/cases/{case_id}"): CASE_VIEW,
    ("PATCH", "/api/v1/cases/{case_id}"): CASE_UPDATE,
    ("DELETE", "/api/v1/cases/{case_id}"): CASE_DELETE,
    ("GET", "/api/v1/surveys"): SURVEY_LIST,
    ("POST", "/api/v1/surveys"): SURVEY_CREATE,
    ("GET", "/api/v1/surveys/{survey_id}"): SURVEY_VIEW,
    ("PATCH", "/api/v1/surveys/{survey_id}"): SURVEY_WRITE,
    ("DELETE", "/api/v1/surveys/{survey_id}"): SURVEY_WRITE,
    ("GET", "/api/v1/survey-responses"): RESPONSE_LIST,
    ("POST", "/api/v1/survey-responses"): RESPONSE_CREATE,
    ("GET", "/api/v1/survey-responses/{response_id}"): RESPONSE_VIEW,
    ("DELETE", "/api/v1/survey-responses/{response_id}"): RESPONSE_DELETE,
    ("GET", "/api/v1/loyalty-programmes"): ACCOUNT_LIST,
    ("GET", "/api/v1/loyalty-accounts"): ACCOUNT_LIST,
    ("POST", "/api/v1/loyalty-accounts"): ACCOUNT_CREATE,
    ("GET", "/api/v1/loyalty-accounts/{account_id}"): ACCOUNT_VIEW,
    ("GET", "/api/v1/loyalty-accounts/{account_id}/entries"): ACCOUNT_VIEW,
    ("POST", "/api/v1/loyalty-accounts/{account_id}/entries"): ENTRY_POST,
    ("POST", "/api/v1/loyalty-programmes"): PROGRAMME_CREATE,
    ("GET", "/api/v1/loyalty-programmes/{programme_id}"): PROGRAMME_VIEW,
    ("PATCH", "/api/v1/loyalty-programmes/{programme_id}"): PROGRAMME_WRITE,
    ("DELETE", "/api/v1/loyalty-programmes/{programme_id}"): PROGRAMME_DELETE,
    ("GET", "/api/v1/loyalty-programmes/{programme_id}/tiers"): PROGRAMME_VIEW,
    ("POST", "/api/v1/loyalty-programmes/{programme_id}/tiers"): PROGRAMME_WRITE,
    ("GET", "/api/v1/loyalty-tiers/{tier_id}"): PROGRAMME_VIEW,
    ("PATCH", "/api/v1/loyalty-tiers/{tier_id}"): PROGRAMME_WRITE,
    ("DELETE", "/api/v1/loyalty-tiers/{tier_id}"): PROGRAMME_DELETE,
    ("GET", "/api/v1/feedback-themes"): THEME_LIST,
    ("GET", "/api/v1/feedback-themes/drivers"): THEME_LIST,
    ("POST", "/api/v1/feedback-themes/refresh"): THEME_REFRESH,
    ("GET", "/api/v1/feedback-themes/{theme_id}"): THEME_VIEW,
    ("PATCH", "/api/v1/feedback-themes/{theme_id}"): THEME_WRITE,
    ("POST", "/api/v1/feedback-themes/{theme_id}/merge"): THEME_WRITE,
    ("GET", "/api/v1/campaigns/{campaign_id}/deliveries"): DELIVERIES,
    ("POST", "/api/v1/campaigns/{campaign_id}/send"): SEND,
    ("POST", "/api/v1/campaigns/{campaign_id}/stop"): SEND,  # the same right: to update the campaign
    ("GET", "/api/v1/jobs/{job_id}"): JOB_VIEW,
    ("GET", "/api/v1/experiments"): EXPERIMENT_LIST,
    ("GET", "/api/v1/experiments/{experiment_id}"): EXPERIMENT_VIEW,
    ("GET", "/api/v1/experiments/{experiment_id}/assignments"): EXPERIMENT_VIEW,
    ("GET", "/api/v1/experiments/{experiment_id}/outcome"): EXPERIMENT_VIEW,
    ("GET", "/api/v1/holdout"): EXPERIMENT_LIST,
    ("PUT", "/api/v1/holdout"): HOLDOUT_SET,
    ("POST", "/api/v1/surveys/{survey_id}/invitations"): INVITE,
    ("POST", "/api/v1/exports"): EXPORT_CREATE,
    ("GET", "/api/v1/exports/{export_id}"): EXPORT_VIEW,
    ("GET", "/api/v1/exports/{export_id}/file"): EXPORT_VIEW,
    # The import wizard: the import capability; a draft is its uploader's alone. The matrix
    # sends no file, so an upload answers 422 (an empty file) to those who may import.
    ("POST", "/api/v1/imports/upload"): IMPORT_UPLOAD,
    ("GET", "/api/v1/imports/{import_id}"): IMPORT_DRAFT,
    ("PATCH", "/api/v1/imports/{import_id}"): IMPORT_DRAFT,
    ("GET", "/api/v1/imports/{import_id}/preview"): IMPORT_DRAFT,
    ("POST", "/api/v1/imports/{import_id}/start"): IMPORT_DRAFT,
    ("POST", "/api/v1/imports/{import_id}/file"): IMPORT_FILE,
    ("POST", "/api/v1/imports/{import_id}/undo"): IMPORT_UNDO,  # a draft is not in place: 409
    ("GET", "/api/v1/playbooks"): PLAYBOOK_LIST,
    ("POST", "/api/v1/playbooks"): PLAYBOOK_CREATE,
    ("GET", "/api/v1/playbooks/{playbook_id}"): PLAYBOOK_VIEW,
    ("PATCH", "/api/v1/playbooks/{playbook_id}"): PLAYBOOK_UPDATE,
    ("GET", "/api/v1/playbooks/{playbook_id}/versions"): PLAYBOOK_VIEW,
    ("POST", "/api/v1/playbooks/{playbook_id}/dry-run"): PLAYBOOK_VIEW,
    ("GET", "/api/v1/playbooks/{playbook_id}/firings"): PLAYBOOK_VIEW,
    ("GET", "/api/v1/parties/{party_id}/playbooks"): PLAYBOOK_HISTORY,
    # Webhooks: administrators only (they send the record's events out of the system).
    **{(method, f"/api/v1/webhooks{path}"): WEBHOOKS for method, path in (
        ("GET", "/event-types"), ("GET", "/subscriptions"), ("POST", "/subscriptions"),
        ("GET", "/subscriptions/{subscription_id}"), ("PATCH", "/subscriptions/{subscription_id}"),
        ("DELETE", "/subscriptions/{subscription_id}"), ("POST", "/subscriptions/{subscription_id}/secret"),
        ("POST", "/subscriptions/{subscription_id}/test"), ("GET", "/deliveries"),
        ("GET", "/deliveries/{delivery_id}"), ("POST", "/deliveries/{delivery_id}/replay"))},
}

# Success statuses that are not the method's default.
SUCCESS_OVERRIDE_OPERATIONS = {("POST", "/api/v1/webhooks/subscriptions/{subscription_id}/secret"): 200,
                               ("POST", "/api/v1/webhooks/subscriptions/{subscription_id}/test"): 202,
                               ("POST", "/api/v1/webhooks/deliveries/{delivery_id}/replay"): 202,("POST", "/api/v1/campaigns/{campaign_id}/send"): 202,
                               ("POST", "/api/v1/surveys/{survey_id}/invitations"): 202,
                               ("POST", "/api/v1/campaigns/{campaign_id}/stop"): 200,
                               ("POST", "/api/v1/imports/{import_id}/start"): 202,
                               ("POST", "/api/v1/playbooks/{playbook_id}/dry-run"): 200,
                               ("POST", "/api/v1/feedback-themes/refresh"): 202,
                               ("POST", "/api/v1/feedback-themes/{theme_id}/merge"): 200}
