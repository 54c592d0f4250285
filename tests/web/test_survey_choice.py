"""Custom surveys (issue 16, item 1): a score, a comment and optionally one single-choice
question — its options written on the survey form, shown on the answer page in the
customer's language, counted on the survey's results page, in the API and in the answers'
export; a choice that is not an option is refused, naming it, with nothing written."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from clientela.cli.main import main
from clientela.crm.accounts.api_tokens import create_token
from clientela.crm.feedback import actions as feedback
from clientela.crm.feedback.models import Survey, SurveyResponse
from clientela.crm.parties.models import Party

pytestmark = pytest.mark.django_db

OPTIONS = ["Online shop", "Store in Kraków", "Phone order"]


def _client(user: Any, lang: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def _invited(survey: Survey, ref: str, language: str = "pl") -> str:
    party = Party.objects.create(ref=ref, name=f"Klient {ref}", language=language, is_customer=True)
    return feedback.invitation_token(feedback.invite(None, survey, party))


def test_the_choice_question_from_the_form_to_the_results(make_user: Any) -> None:
    c = _client(make_user("mk", "marketer"))
    bad = c.post("/surveys/new/", {"name": "Where", "kind": "nps", "question": "Recommend us?",
                                   "choice_question": "Where did you buy?", "choice_options": "Online shop"})
    assert bad.status_code == 422 and "Give 2 to 10 different options" in bad.content.decode()
    assert not Survey.objects.exists()
    made = c.post("/surveys/new/", {"name": "Where", "kind": "nps", "question": "Recommend us?",
                                    "choice_question": "Where did you buy?",
                                    "choice_options": "\n".join(OPTIONS) + "\n\n"})
    survey = Survey.objects.get(name="Where")
    assert made.status_code == 302 and survey.choice_options == OPTIONS
    # The answer page shows the options (in Polish around them); the choice is recorded once.
    tokens = [_invited(survey, f"CH-{i}") for i in range(4)]
    page = Client().get(f"/s/{tokens[0]}/").content.decode()
    assert "Where did you buy?" in page and all(f'value="{o}"' in page for o in OPTIONS)
    wrong = Client().post(f"/s/{tokens[0]}/", {"score": "9", "choice": "Carrier pigeon"})
    assert wrong.status_code == 422 and "Wybierz jedną z podanych opcji." in wrong.content.decode()
    assert not SurveyResponse.objects.exists()
    for token, (score, choice) in zip(tokens, [(9, OPTIONS[1]), (10, OPTIONS[1]), (3, OPTIONS[0]), (8, "")],
                                      strict=True):
        assert Client().post(f"/s/{token}/", {"score": str(score), "choice": choice}).status_code == 200
    assert sorted(SurveyResponse.objects.values_list("choice", flat=True)) == ["", OPTIONS[0], OPTIONS[1], OPTIONS[1]]
    # The results page counts each option; editing the options keeps the answers' choices.
    detail = c.get(f"/surveys/{survey.pk}/").content.decode()
    table = detail.split('data-testid="choice-distribution"')[1].split("</table>")[0]
    assert [(o, table.count(f'translate="no">{o}</th><td class="num">{n}</td>'))
            for o, n in zip(OPTIONS, (1, 2, 0), strict=True)] == [(o, 1) for o in OPTIONS]
    edited = c.post(f"/surveys/{survey.pk}/", {"name": "Where", "question": "Recommend us?", "is_active": "on",
                                               "choice_question": "Where did you buy?",
                                               "choice_options": "Online shop\nMarket stall"})
    assert edited.status_code == 200 and Survey.objects.get(pk=survey.pk).choice_options == ["Online shop",
                                                                                             "Market stall"]
    after = c.get(f"/surveys/{survey.pk}/").content.decode().split('data-testid="choice-distribution"')[1]
    assert "Market stall" in after and "Store in Kraków" in after  # an answered option no longer offered stays


def test_the_choice_question_through_the_api_and_the_export(make_user: Any) -> None:
    marketer = make_user("mk-api", "marketer")
    _, token = create_token(marketer, name="t")

    def call(method: str, path: str, body: Any = None, user_token: str = token) -> Any:
        r = Client().generic(method, "/api/v1" + path, data=json.dumps(body) if body is not None else "",
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {user_token}",
                             HTTP_IF_MATCH="*")
        r.data = json.loads(r.content) if r.content else None
        return r

    refused = call("POST", "/surveys", {"name": "A", "kind": "csat", "question": "Happy?", "choice_options": OPTIONS})
    assert refused.status_code == 422 and "choice_question" in refused.data["errors"]
    twice = call("POST", "/surveys", {"name": "A", "kind": "csat", "question": "Happy?",
                                      "choice_question": "Where?", "choice_options": ["Shop", "shop"]})
    assert twice.status_code == 422 and "choice_options" in twice.data["errors"]
    made = call("POST", "/surveys", {"name": "A", "kind": "csat", "question": "Happy?", "choice_question": "Where?",
                                     "choice_options": OPTIONS})
    assert made.status_code == 201 and made.data["choice_options"] == OPTIONS, made.data
    sid = made.data["id"]
    admin = make_user("ad-api", "admin")
    _, admin_token = create_token(admin, name="t")
    party = Party.objects.create(ref="CH-API", name="Buyer", is_customer=True)
    answer = call("POST", "/survey-responses", {"survey_id": sid, "party_id": party.pk, "score": 4,
                                                "choice": OPTIONS[2]}, admin_token)
    assert answer.status_code == 201 and answer.data["choice"] == OPTIONS[2]
    off = call("POST", "/survey-responses", {"survey_id": sid, "score": 4, "choice": "Fax"}, admin_token)
    assert off.status_code == 422 and "choice" in off.data["errors"] and SurveyResponse.objects.count() == 1
    changed = call("PATCH", f"/surveys/{sid}", {"choice_question": "", "choice_options": []})
    assert changed.status_code == 200 and changed.data["choice_question"] == "" and changed.data["choice_options"] == []
    exported = CliRunner().invoke(main, ["export", "survey_answers"], catch_exceptions=False)
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["customer_ref"], r["choice"]) for r in rows] == [("CH-API", OPTIONS[2])]
