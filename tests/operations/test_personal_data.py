"""GDPR export and erasure reach the operational apps' rows about a person."""

from __future__ import annotations

import json

import pytest

from clientela.crm.accounts.models import User
from clientela.crm.feedback import actions as feedback
from clientela.crm.feedback.models import SurveyResponse
from clientela.crm.loyalty import actions as loyalty
from clientela.crm.parties.models import Party
from clientela.crm.privacy.actions import erase_party, export_party
from clientela.crm.sales import actions as sales
from clientela.crm.sales.models import Deal
from clientela.crm.service import actions as service
from clientela.crm.service.models import Case
from clientela.crm.tasks import actions as tasks
from clientela.crm.tasks.models import Task

pytestmark = pytest.mark.django_db

NAME = "Zofia Wiśniewska"


def test_export_and_erase_cover_deals_cases_surveys_tasks_loyalty() -> None:
    admin = User.objects.create(username="root", role="admin", is_superuser=True)
    party = Party.objects.create(ref="ZW1", name=NAME, email="zofia@example.test")
    pipeline = sales.create_pipeline(None, "P", [sales.StageSpec("Lead", 0)])
    sales.create_deal(None, party=party, name=f"Kitchen for {NAME}", pipeline=pipeline, amount="900")
    service.open_case(None, party=party, subject=f"{NAME} complains", description=f"{NAME} called twice")
    survey = feedback.create_survey(None, name="NPS", kind="nps", question="Recommend us?")
    feedback.record_response(None, survey=survey, party=party, score=9, comment=f"I am {NAME} and I like it")
    tasks.create_task(None, title=f"Call {NAME}", party=party)
    account = loyalty.open_account(None, party, loyalty.create_programme(None, name="Club"))
    loyalty.earn(None, account, 40)

    sections = export_party(admin, party)["sections"]
    exported = json.dumps(sections, default=str, ensure_ascii=False)
    for text in (f"Kitchen for {NAME}", f"{NAME} called twice", "I like it", f"Call {NAME}"):
        assert text in exported, text
    assert sections["loyalty"][0]["balance"] == 40

    erase_party(admin, party)
    for model, fields in [(Deal, ["name", "close_reason"]), (Case, ["subject", "description", "resolution"]),
                          (SurveyResponse, ["comment"]), (Task, ["title", "description"])]:
        for row in model.objects.values(*fields):
            assert all(NAME not in str(v) for v in row.values()), (model, row)
    assert Deal.objects.get().amount == 900 and SurveyResponse.objects.get().score == 9
